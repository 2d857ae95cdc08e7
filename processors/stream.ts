import { merge, type OperatorFunction } from 'rxjs';
import { BranchedStream } from './branchedStream.ts';
import { customProcessor, type CustomProcessorFactory } from './customProcessor.ts';
import { GroupedStream } from './groupedStream.ts';
import type { Materialized, Named, Produced, Repartitioned, Grouped } from './options.ts';
import { filterRecords } from './operators/filterRecords.ts';
import { flatMapRecords } from './operators/flatMapRecords.ts';
import { flatMapValues } from './operators/flatMapValues.ts';
import { mapRecords } from './operators/mapRecords.ts';
import { mapValues } from './operators/mapValues.ts';
import { peekRecords } from './operators/peekRecords.ts';
import { selectKey } from './operators/selectKey.ts';
import { tableSource } from './operators/tableSource.ts';
import type { StreamRecord } from './record.ts';
import type { Serdes } from './serdes.ts';
import { Table } from './table.ts';
import type { TopologyBuilder } from './topologyBuilder.ts';
import type { AnyRecord } from './topologyGraph.ts';

type RecordOperator<K, V, K2, V2> = OperatorFunction<StreamRecord<K, V>, StreamRecord<K2, V2>>;

/**
 * A record stream (`KStream<K, V>`): every record is an independent event. Operators
 * return new streams; nothing runs until the topology is built and started.
 *
 * A stream remembers whether an operator may have changed its keys (`map`, `selectKey`,
 * `flatMap`, `pipe`): an aggregation or join after such an operator first writes the
 * records through a repartition topic, so that equal keys meet in one task.
 */
export class Stream<K, V> {
  constructor(
    /** @internal */ readonly builder: TopologyBuilder,
    /** @internal The node whose output this stream is. */ readonly node: string,
    /** @internal The topics this stream is read from, for co-partitioning checks. */ readonly sourceTopics: readonly string[],
    /** @internal Whether keys may differ from the input partitioning. */ readonly keyChanged: boolean,
    /** @internal The serdes known for this stream's keys and values. */ readonly serdes: Serdes<K, V> | undefined,
  ) {}

  /** Keeps the records for which `predicate(key, value)` is true. */
  filter(predicate: (key: K, value: V) => boolean, named: Named = {}): Stream<K, V> {
    return this.unary('KSTREAM-FILTER', named, filterRecords(predicate), false, this.serdes);
  }

  /** Drops the records for which `predicate(key, value)` is true. */
  filterNot(predicate: (key: K, value: V) => boolean, named: Named = {}): Stream<K, V> {
    return this.unary('KSTREAM-FILTER', named, filterRecords(predicate, false), false, this.serdes);
  }

  /** Replaces key and value with `mapper(key, value)`; marks the stream for repartitioning. */
  map<K2, V2>(mapper: (key: K, value: V) => readonly [K2, V2], named: Named = {}): Stream<K2, V2> {
    return this.unary('KSTREAM-MAP', named, mapRecords(mapper), true, undefined);
  }

  /** Replaces the value with `mapper(value, key)`; the key and partitioning stay. */
  mapValues<V2>(mapper: (value: V, key: K) => V2, named: Named = {}): Stream<K, V2> {
    return this.unary('KSTREAM-MAPVALUES', named, mapValues(mapper), false, undefined);
  }

  /** Replaces each record with zero or more `[key, value]` pairs; marks the stream for repartitioning. */
  flatMap<K2, V2>(mapper: (key: K, value: V) => Iterable<readonly [K2, V2]>, named: Named = {}): Stream<K2, V2> {
    return this.unary('KSTREAM-FLATMAP', named, flatMapRecords(mapper), true, undefined);
  }

  /** Replaces each record with one record per value of `mapper(value, key)`; the key stays. */
  flatMapValues<V2>(mapper: (value: V, key: K) => Iterable<V2>, named: Named = {}): Stream<K, V2> {
    return this.unary('KSTREAM-FLATMAPVALUES', named, flatMapValues(mapper), false, undefined);
  }

  /** Sets the key to `selector(key, value)`; marks the stream for repartitioning. */
  selectKey<K2>(selector: (key: K, value: V) => K2, named: Named = {}): Stream<K2, V> {
    return this.unary('KSTREAM-KEY-SELECT', named, selectKey(selector), true, undefined);
  }

  /** Calls `action(key, value)` for each record and passes it on unchanged. */
  peek(action: (key: K, value: V) => void, named: Named = {}): Stream<K, V> {
    return this.unary('KSTREAM-PEEK', named, peekRecords(action), false, this.serdes);
  }

  /**
   * Drops any RxJS operators into the pipeline. They must forward synchronously (no
   * delay, buffer-by-time or async work): the commit protocol counts on every output of
   * a record existing before the record's offset is committed. The result is marked for
   * repartitioning, since an arbitrary operator may change keys.
   */
  pipe<K2 = K, V2 = V>(...operators: Array<OperatorFunction<StreamRecord<any, any>, StreamRecord<any, any>>>): Stream<K2, V2> {
    const composed = ((input) => operators.reduce((acc, op) => op(acc), input)) as RecordOperator<K, V, K2, V2>;
    return this.unary('KSTREAM-PIPE', {}, composed, true, undefined);
  }

  /** Interleaves this stream and `other` in processing order. */
  merge(other: Stream<K, V>, named: Named = {}): Stream<K, V> {
    const node = this.builder.addProcessor('KSTREAM-MERGE', [this.node, other.node], [], (_ctx, inputs) => merge(...inputs), named.name);
    return new Stream<K, V>(this.builder, node.name, [...this.sourceTopics, ...other.sourceTopics], this.keyChanged || other.keyChanged, this.serdes ?? other.serdes);
  }

  /** Splits the stream into named branches (`KStream#split`): each record goes to the first branch whose predicate holds. */
  split(named: Named = {}): BranchedStream<K, V> {
    return new BranchedStream<K, V>(this, named.name ?? this.builder.nextName('KSTREAM-BRANCH') + '-');
  }

  /** Writes every record to `topic`. */
  to(topic: string, produced: Produced<K, V> = {}): void {
    this.builder.addSink(this.node, topic, (produced.serdes ?? this.serdes) as Serdes<unknown, unknown> | undefined, false, produced.name);
  }

  /**
   * Writes the records through the internal topic `<app>-<name>-repartition` and reads
   * them back, partitioned by their current key.
   */
  repartition(repartitioned: Repartitioned<K, V> = {}): Stream<K, V> {
    const name = repartitioned.name ?? this.builder.nextName('KSTREAM-REPARTITION');
    return this.through(name, repartitioned.serdes, repartitioned.partitions);
  }

  /** Groups by the current key for an aggregation; repartitions first if keys may have changed. */
  groupByKey(grouped: Grouped<K, V> = {}): GroupedStream<K, V> {
    return new GroupedStream<K, V>(this, grouped, this.keyChanged);
  }

  /** Groups by `selector(key, value)` for an aggregation, always through a repartition topic. */
  groupBy<K2>(selector: (key: K, value: V) => K2, grouped: Grouped<K2, V> = {}): GroupedStream<K2, V> {
    return new GroupedStream<K2, V>(this.selectKey(selector, {}), grouped, true);
  }

  /**
   * The stream read as a changelog (`KStream#toTable`): each record upserts its key, a
   * null value deletes it, a null key is dropped. Repartitions first if keys may have changed.
   */
  toTable(materialized: Materialized = {}): Table<K, V> {
    const storeName = materialized.store ?? this.builder.nextName('KSTREAM-TOTABLE-STATE-STORE');
    const input = this.keyChanged ? this.through(storeName, this.serdes) : this;
    const store = this.builder.addStore({ name: storeName, kind: 'keyValue', internal: !materialized.store });
    const node = this.builder.addProcessor('KSTREAM-TOTABLE', [input.node], [store.name], (ctx, [records]) => records!.pipe(tableSource(ctx, store.name)), materialized.name);
    return new Table<K, V>(this.builder, node.name, input.sourceTopics, store.name, this.serdes);
  }

  /**
   * Runs a custom processor (the Processor API) with access to `stores`, which must be
   * declared with `addStore`. Its output is marked for repartitioning, as its keys are its own.
   */
  process<K2, V2>(factory: CustomProcessorFactory<K, V, K2, V2>, options: Named & { readonly stores?: readonly string[] } = {}): Stream<K2, V2> {
    const node = this.builder.addProcessor(
      'KSTREAM-PROCESSOR',
      [this.node],
      options.stores ?? [],
      (ctx, [input]) => input!.pipe(customProcessor(ctx, factory as CustomProcessorFactory<unknown, unknown, unknown, unknown>)),
      options.name,
    );
    return new Stream<K2, V2>(this.builder, node.name, this.sourceTopics, true, undefined);
  }

  /** @internal Adds a one-input processor and returns the stream of its output. */
  unary<K2, V2>(prefix: string, named: Named, operator: RecordOperator<K, V, K2, V2>, keyChanged: boolean, serdes: Serdes<K2, V2> | undefined, stores: readonly string[] = []): Stream<K2, V2> {
    const op = operator as unknown as OperatorFunction<AnyRecord, AnyRecord>;
    const node = this.builder.addProcessor(prefix, [this.node], stores, (_ctx, [input]) => input!.pipe(op), named.name);
    return new Stream<K2, V2>(this.builder, node.name, this.sourceTopics, this.keyChanged || keyChanged, serdes);
  }

  /** @internal Sink to and source from `<app>-<name>-repartition`. */
  through(name: string, serdes: Serdes<K, V> | undefined, partitions?: number): Stream<K, V> {
    const topic = this.builder.addRepartitionTopic(name, partitions);
    this.builder.addSink(this.node, topic, (serdes ?? this.serdes) as Serdes<unknown, unknown> | undefined, true, `${name}-repartition-sink`);
    const source = this.builder.addSource([topic], { serdes: (serdes ?? this.serdes) as Serdes<unknown, unknown> | undefined, name: `${name}-repartition-source` }, 'KSTREAM-SOURCE', true);
    return new Stream<K, V>(this.builder, source.name, [topic], false, serdes ?? this.serdes);
  }
}
