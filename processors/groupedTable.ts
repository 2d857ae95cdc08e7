import type { OperatorFunction } from 'rxjs';
import { changeSerdes } from './changeSerdes.ts';
import type { Grouped, Materialized } from './options.ts';
import { aggregateStep, countStep, reduceStep } from './operators/foldSteps.ts';
import { tableAggregate, type TableFoldSteps } from './operators/tableAggregate.ts';
import type { Serdes } from './serdes.ts';
import { Table } from './table.ts';
import type { TopologyBuilder } from './topologyBuilder.ts';
import type { AnyRecord } from './topologyGraph.ts';

/**
 * A table re-keyed for an aggregation (`KGroupedTable`), made by `Table#groupBy`. Its
 * updates travel through `<app>-<grouped name or store name>-repartition` as changes
 * (old and new value), so the aggregate can take the old value back out before it adds the
 * new one: a table aggregate is an aggregate of the table's current rows, not of every event.
 */
export class GroupedTable<K, V> {
  /** The repartition topic and its source node, shared by every aggregation when the grouping is named, as in Kafka Streams. */
  private named: { topic: string; source: string } | undefined;

  constructor(
    private readonly builder: TopologyBuilder,
    /** The KTABLE-SELECT node, whose output is keyed by the new key. */ private readonly node: string,
    private readonly sourceTopics: readonly string[],
    private readonly grouped: Grouped<K, V>,
  ) {}

  /** Counts the table's rows per new key: +1 for a row that maps to it, −1 for one that leaves it. The count stays at 0, not deleted. */
  count(materialized: Materialized = {}): Table<K, number> {
    return this.fold('KTABLE-AGGREGATE', materialized, { add: countStep<K, V>(), subtract: (_key, _value, count) => count - 1 });
  }

  /**
   * Combines the rows per new key (`KGroupedTable#reduce`): a new row is added with
   * `adder(aggregate, value)` (the first row is the start), a replaced or deleted row is taken
   * out with `subtractor(aggregate, oldValue)`, the subtraction first.
   */
  reduce(adder: (aggregate: V, value: V) => V, subtractor: (aggregate: V, value: V) => V, materialized: Materialized = {}): Table<K, V> {
    return this.fold('KTABLE-REDUCE', materialized, { add: reduceStep<K, V>(adder), subtract: (_key, value, aggregate) => subtractor(aggregate, value) });
  }

  /**
   * Folds the rows per new key (`KGroupedTable#aggregate`): a new row is added with
   * `adder(key, value, aggregate)` from `initializer()`, a replaced or deleted row is taken out
   * with `subtractor(key, oldValue, aggregate)`, the subtraction first.
   */
  aggregate<A>(
    initializer: () => A,
    adder: (key: K, value: V, aggregate: A) => A,
    subtractor: (key: K, value: V, aggregate: A) => A,
    materialized: Materialized = {},
  ): Table<K, A> {
    return this.fold('KTABLE-AGGREGATE', materialized, { add: aggregateStep(initializer, adder), subtract: subtractor });
  }

  private fold<A>(prefix: string, materialized: Materialized, steps: TableFoldSteps<K, V, A>): Table<K, A> {
    const builder = this.builder;
    const storeName = materialized.store ?? builder.nextName(`${prefix}-STATE-STORE`);
    const { topic, source } = this.grouped.name === undefined ? this.repartition(storeName) : (this.named ??= this.repartition(this.grouped.name));
    builder.addStore({ name: storeName, kind: 'keyValue', internal: !materialized.store });
    const node = builder.addProcessor(
      prefix,
      [source],
      [storeName],
      (ctx, [records]) => records!.pipe(tableAggregate(ctx, node.name, storeName, steps) as unknown as OperatorFunction<AnyRecord, AnyRecord>),
      materialized.name,
    );
    return new Table<K, A>(builder, node.name, [topic], storeName, undefined);
  }

  private repartition(name: string): { topic: string; source: string } {
    const builder = this.builder;
    const serdes = (this.grouped.serdes ?? builder.options.serdes) as Serdes<K, V> | undefined;
    const topic = builder.addRepartitionTopic(name);
    const changes = serdes && (changeSerdes(serdes) as Serdes<unknown, unknown>);
    // As in Kafka Streams, a grouped table's sink and source are numbered whatever the topic's
    // name, and nothing filters null keys: the repartition mapper skips them already.
    builder.addSink(this.node, topic, changes, true, builder.nextName('KSTREAM-SINK'));
    const input = builder.addSource([topic], { serdes: changes, name: builder.nextName('KSTREAM-SOURCE') }, 'KSTREAM-SOURCE', true);
    return { topic, source: input.name };
  }
}
