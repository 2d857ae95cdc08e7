import { merge, type Observable, type OperatorFunction } from 'rxjs';
import type { GroupedStream } from './groupedStream.ts';
import { aggregateByKey } from './operators/aggregateByKey.ts';
import { aggregateStep, type FoldStep } from './operators/foldSteps.ts';
import type { Materialized } from './options.ts';
import type { ProcessorContext } from './processorContext.ts';
import { Table } from './table.ts';
import type { TopologyBuilder } from './topologyBuilder.ts';
import { TopologyError } from './topologyError.ts';
import type { AnyRecord } from './topologyGraph.ts';
import { SessionWindowedCogroupedStream, TimeWindowedCogroupedStream } from './windowedCogroupedStream.ts';
import { SessionWindows } from './windows/sessionWindows.ts';
import type { SlidingWindows } from './windows/slidingWindows.ts';
import type { TimeWindows } from './windows/timeWindows.ts';

/** One grouped stream of a cogroup and how its values fold into the shared aggregate. */
export interface CogroupInput<K, A> {
  // The grouped streams' value types differ; each aggregator takes its own stream's values.
  readonly grouped: GroupedStream<K, any>;
  readonly aggregator: (key: K, value: any, aggregate: A) => A;
}

/**
 * Several grouped streams of one key type folded into one aggregate per key
 * (`CogroupedKStream`), made by `GroupedStream#cogroup` and extended with `cogroup`: each
 * stream's records fold with its own aggregator into one store, and every update is
 * forwarded, in the order the records are processed. The streams must be co-partitioned;
 * those whose keys may have changed are repartitioned first, each through the topic its
 * grouping names (else the store's: name the groupings when several need one).
 */
export class CogroupedStream<K, A> {
  constructor(
    private readonly builder: TopologyBuilder,
    private readonly inputs: ReadonlyArray<CogroupInput<K, A>>,
  ) {}

  /** Adds `grouped`, whose values fold with `aggregator(key, value, aggregate)`. */
  cogroup<V>(grouped: GroupedStream<K, V>, aggregator: (key: K, value: V, aggregate: A) => A): CogroupedStream<K, A> {
    if (grouped.builder !== this.builder) throw new TopologyError(`cannot cogroup streams of different topologies ('${this.builder.name}' and '${grouped.builder.name}')`);
    if (this.inputs.some((input) => input.grouped === grouped)) throw new TopologyError('a grouped stream is cogrouped once: fold all its values in one aggregator');
    return new CogroupedStream<K, A>(this.builder, [...this.inputs, { grouped, aggregator }]);
  }

  /** Folds every stream's values per key, from `initializer()`; the table of the aggregates. */
  aggregate(initializer: () => A, materialized: Materialized = {}): Table<K, A> {
    const storeName = cogroupStoreName(this.builder, materialized);
    this.builder.addStore({ name: storeName, kind: 'keyValue', internal: !materialized.store });
    const aggregate = (ctx: ProcessorContext, node: string, step: FoldStep<K, unknown, A>) => aggregateByKey(ctx, node, storeName, step) as OperatorFunction<AnyRecord, AnyRecord>;
    const { node, sourceTopics } = addCogroupAggregate(this.builder, this.inputs, storeName, materialized, initializer, aggregate);
    return new Table<K, A>(this.builder, node, sourceTopics, storeName, undefined);
  }

  /** Aggregates per time window: tumbling or hopping (`TimeWindows`), or sliding (`SlidingWindows`). */
  windowedBy(windows: TimeWindows | SlidingWindows): TimeWindowedCogroupedStream<K, A>;
  /** Aggregates per session (`SessionWindows`). */
  windowedBy(windows: SessionWindows): SessionWindowedCogroupedStream<K, A>;
  windowedBy(windows: TimeWindows | SlidingWindows | SessionWindows): TimeWindowedCogroupedStream<K, A> | SessionWindowedCogroupedStream<K, A> {
    if (windows instanceof SessionWindows) return new SessionWindowedCogroupedStream<K, A>(this.builder, this.inputs, windows);
    return new TimeWindowedCogroupedStream<K, A>(this.builder, this.inputs, windows);
  }
}

/** @internal The store of a cogroup's aggregation: the one named, else `COGROUPKSTREAM-AGGREGATE-STATE-STORE-n`. */
export function cogroupStoreName(builder: TopologyBuilder, materialized: Materialized): string {
  return materialized.store ?? builder.nextName('COGROUPKSTREAM-AGGREGATE-STATE-STORE');
}

/**
 * @internal Adds the nodes of a cogroup's aggregation, named as in Kafka Streams
 * (`CogroupedStreamAggregateBuilder`): the inputs repartitioned where needed, then one
 * `COGROUPKSTREAM-AGGREGATE-n` per input (`<name>-cogroup-agg-<i>`), all folding into
 * `storeName` with `operator`, merged by `COGROUPKSTREAM-MERGE-m` (`<name>-cogroup-merge`).
 * Returns the merge node and the topics the inputs come from.
 */
export function addCogroupAggregate<K, A>(
  builder: TopologyBuilder,
  inputs: ReadonlyArray<CogroupInput<K, A>>,
  storeName: string,
  materialized: Materialized,
  initializer: () => A,
  operator: (ctx: ProcessorContext, node: string, step: FoldStep<K, unknown, A>) => OperatorFunction<AnyRecord, AnyRecord>,
): { node: string; sourceTopics: string[] } {
  const unnamed = inputs.filter((input) => input.grouped.repartitions && input.grouped.name === undefined);
  if (unnamed.length > 1) throw new TopologyError(`${unnamed.length} cogrouped streams need a repartition topic and would all name it after store '${storeName}': name their groupings`);
  const streams = inputs.map(({ grouped }) => {
    // Kafka Streams names a cogroup's repartition nodes after the topic, yet takes three numbers for them.
    if (grouped.repartitions) for (let i = 0; i < 3; i++) builder.nextName('KSTREAM-REPARTITION');
    return grouped.input(storeName);
  });
  const sourceTopics = [...new Set(streams.flatMap((s) => s.sourceTopics))];
  builder.requireCoPartitioned(sourceTopics);
  const named = (suffix: string, prefix: string) => builder.partName(materialized.name, suffix, prefix);
  const aggregates = inputs.map(({ aggregator }, i) => {
    const step = aggregateStep(initializer, aggregator);
    const node = builder.addProcessor(
      'COGROUPKSTREAM-AGGREGATE',
      [streams[i]!.node],
      [storeName],
      (ctx, [records]) => records!.pipe(operator(ctx, node.name, step)),
      named(`-cogroup-agg-${i}`, 'COGROUPKSTREAM-AGGREGATE'),
    );
    return node.name;
  });
  const mergeNode = builder.addProcessor('COGROUPKSTREAM-MERGE', aggregates, [], (_ctx, updates) => merge(...(updates as Array<Observable<AnyRecord>>)), named('-cogroup-merge', 'COGROUPKSTREAM-MERGE'));
  return { node: mergeNode.name, sourceTopics };
}
