import { merge, type OperatorFunction } from 'rxjs';
import type { KeyValueStore } from '../state/keyValueStore.ts';
import { BranchedStream } from './branchedStream.ts';
import { customProcessor, type CustomProcessorFactory } from './customProcessor.ts';
import { fixedKeyProcessor, type FixedKeyProcessorFactory } from './fixedKeyProcessor.ts';
import { GlobalTable } from './globalTable.ts';
import { GroupedStream } from './groupedStream.ts';
import type { Grouped, Joined, Materialized, Named, Produced, Repartitioned, StreamJoined } from './options.ts';
import { filterRecords } from './operators/filterRecords.ts';
import { flatMapRecords } from './operators/flatMapRecords.ts';
import { flatMapValues } from './operators/flatMapValues.ts';
import { mapRecords } from './operators/mapRecords.ts';
import { mapValues } from './operators/mapValues.ts';
import { peekRecords } from './operators/peekRecords.ts';
import { selectKey } from './operators/selectKey.ts';
import type { StreamJoiner } from './operators/streamStreamJoin.ts';
import { streamTableJoin } from './operators/streamTableJoin.ts';
import { tableSource } from './operators/tableSource.ts';
import type { StreamRecord, ValueAndTimestamp } from './record.ts';
import type { Serdes } from './serdes.ts';
import { addStreamStreamJoin, type StreamJoinKind } from './streamStreamJoinNodes.ts';
import { Table } from './table.ts';
import type { TopologyBuilder } from './topologyBuilder.ts';
import { TableOldValues } from './tableOldValues.ts';
import { TopologyError } from './topologyError.ts';
import type { AnyRecord } from './topologyGraph.ts';
import { JoinWindows } from './windows/joinWindows.ts';

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
  /** The repartitioned copies of this stream made for joins, by topic name: joined twice, repartitioned once. */
  private readonly joinRepartitions = new Map<string, Stream<K, V>>();

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
    return new BranchedStream<K, V>(this, this.builder.partName(named.name, '', 'KSTREAM-BRANCH'));
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
    return new Table<K, V>(this.builder, node.name, input.sourceTopics, store.name, this.serdes, undefined, undefined, TableOldValues.source(materialized.store !== undefined));
  }

  /**
   * Joins each record with the other stream's records of the same key within `windows`
   * (`KStream#join(KStream, ValueJoiner, JoinWindows, StreamJoined)`): a record at `t`
   * meets the other stream's records in `[t - before, t + after]` (the other stream's
   * records look the other way), and each pair forwards `joiner(value, otherValue, key)`
   * with timestamp = the larger of the two. Each side keeps its records in a window store
   * for `before + after + grace`; a late record still joins what the other side keeps.
   * Records with a null key or value are dropped. Inputs whose keys may have changed are
   * repartitioned first; the two inputs must be co-partitioned.
   */
  join<VO, VR>(other: Stream<K, VO>, joiner: (value: V, otherValue: VO, key: K) => VR, windows: JoinWindows, streamJoined?: StreamJoined<K, V, VO>): Stream<K, VR>;
  /**
   * Joins each record with the table's current value for its key (`KStream#join(KTable)`):
   * forwards `joiner(value, tableValue, key)` with the record's timestamp, nothing when the
   * table has no value. Table updates trigger no output. Null keys and values are dropped.
   * Repartitions first if keys may have changed; the stream and table must be co-partitioned.
   */
  join<VT, VR>(table: Table<K, VT>, joiner: (value: V, tableValue: VT, key: K) => VR, joined?: Joined<K, V>): Stream<K, VR>;
  /**
   * Joins each record with the global table's value for `keySelector(key, value)`
   * (`KStream#join(GlobalKTable)`): forwards `joiner(value, tableValue, key)` with the
   * record's key and timestamp, nothing when the table has no value. No co-partitioning or
   * repartitioning: every task sees the whole table. Null values and null selected keys are dropped.
   */
  join<GK, GV, VR>(globalTable: GlobalTable<GK, GV>, keySelector: (key: K, value: V) => GK, joiner: (value: V, tableValue: GV, key: K) => VR, named?: Named): Stream<K, VR>;
  join(other: unknown, second: unknown, third?: unknown, fourth?: unknown): Stream<K, unknown> {
    return this.joinWith(other, second, third, fourth, false);
  }

  /**
   * As the windowed `join`, but keeps every record of this stream (`KStream#leftJoin`): a
   * record that finds no partner is forwarded as `joiner(value, null, key)` once its window
   * has closed (stream time past `t + after + grace`), never before, since a partner may
   * still come; one whose window has already ended when it arrives is forwarded at once.
   * A record of this stream with a null key is forwarded at once as `joiner(value, null,
   * null)` (KIP-962); the other stream's null keys, and null values, are dropped.
   */
  leftJoin<VO, VR>(other: Stream<K, VO>, joiner: (value: V, otherValue: VO | null, key: K) => VR, windows: JoinWindows, streamJoined?: StreamJoined<K, V, VO>): Stream<K, VR>;
  /**
   * As the table `join`, but a record without a table value forwards `joiner(value, null, key)`
   * (`KStream#leftJoin(KTable)`), and so does a record with a null key (KIP-962).
   */
  leftJoin<VT, VR>(table: Table<K, VT>, joiner: (value: V, tableValue: VT | null, key: K) => VR, joined?: Joined<K, V>): Stream<K, VR>;
  /** As the global table `join`, but a record without a table value, or whose selected key is null (KIP-962), forwards `joiner(value, null, key)`. */
  leftJoin<GK, GV, VR>(globalTable: GlobalTable<GK, GV>, keySelector: (key: K, value: V) => GK, joiner: (value: V, tableValue: GV | null, key: K) => VR, named?: Named): Stream<K, VR>;
  leftJoin(other: unknown, second: unknown, third?: unknown, fourth?: unknown): Stream<K, unknown> {
    return this.joinWith(other, second, third, fourth, true);
  }

  /**
   * As the windowed `join`, but keeps the records of both streams (`KStream#outerJoin`): a
   * record of either side that finds no partner is forwarded joined with null once its
   * window has closed (a left record at `t + after + grace`, a right one at
   * `t + before + grace`), with its own timestamp. A null-key record of either side is
   * forwarded at once joined with null (KIP-962); null values are dropped.
   */
  outerJoin<VO, VR>(other: Stream<K, VO>, joiner: (value: V | null, otherValue: VO | null, key: K) => VR, windows: JoinWindows, streamJoined: StreamJoined<K, V, VO> = {}): Stream<K, VR> {
    if (!(other instanceof Stream)) throw new TopologyError('outerJoin joins two streams; a table join is join or leftJoin');
    return this.streamJoin(other, joiner, windows, streamJoined, { leftOuter: true, rightOuter: true });
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

  /**
   * Runs a fixed-key processor (`KStream#processValues`) with access to `stores`: it forwards
   * values, each under the key of the record it processes, so the partitioning stays and the
   * stream is not marked for repartitioning (as `process` marks it).
   */
  processValues<V2>(factory: FixedKeyProcessorFactory<K, V, V2>, options: Named & { readonly stores?: readonly string[] } = {}): Stream<K, V2> {
    const node = this.builder.addProcessor(
      'KSTREAM-PROCESSVALUES',
      [this.node],
      options.stores ?? [],
      (ctx, [input]) => input!.pipe(customProcessor(ctx, fixedKeyProcessor(factory) as CustomProcessorFactory<unknown, unknown, unknown, unknown>)),
      options.name,
    );
    return new Stream<K, V2>(this.builder, node.name, this.sourceTopics, this.keyChanged, undefined);
  }

  /** @internal Adds a one-input processor and returns the stream of its output. */
  unary<K2, V2>(prefix: string, named: Named, operator: RecordOperator<K, V, K2, V2>, keyChanged: boolean, serdes: Serdes<K2, V2> | undefined, stores: readonly string[] = []): Stream<K2, V2> {
    const op = operator as unknown as OperatorFunction<AnyRecord, AnyRecord>;
    const node = this.builder.addProcessor(prefix, [this.node], stores, (_ctx, [input]) => input!.pipe(op), named.name);
    return new Stream<K2, V2>(this.builder, node.name, this.sourceTopics, this.keyChanged || keyChanged, serdes);
  }

  /** @internal Sinks to and sources from `<app>-<name>-repartition` once per name, for joins. */
  repartitionForJoin(name: string, serdes: Serdes<K, V> | undefined): Stream<K, V> {
    let repartitioned = this.joinRepartitions.get(name);
    if (!repartitioned) this.joinRepartitions.set(name, (repartitioned = this.through(name, serdes)));
    return repartitioned;
  }

  private joinWith(other: unknown, second: unknown, third: unknown, fourth: unknown, leftJoin: boolean): Stream<K, unknown> {
    type Joiner = (value: V, otherValue: unknown, key: K) => unknown;
    if (other instanceof Stream) {
      return this.streamJoin(other as Stream<K, unknown>, second as Joiner, third, (fourth ?? {}) as StreamJoined<K, V, unknown>, { leftOuter: leftJoin, rightOuter: false });
    }
    if (other instanceof Table) return this.tableJoin(other as Table<K, unknown>, second as Joiner, (third ?? {}) as Joined<K, V>, leftJoin);
    if (other instanceof GlobalTable) return this.globalTableJoin(other, second as (key: K, value: V) => unknown, third as Joiner, (fourth ?? {}) as Named, leftJoin);
    throw new TopologyError('a join needs a Stream (with JoinWindows), a Table or a GlobalTable');
  }

  private streamJoin<VO, VR>(other: Stream<K, VO>, joiner: (value: V, otherValue: VO, key: K) => VR, windows: unknown, streamJoined: StreamJoined<K, V, VO>, kind: StreamJoinKind): Stream<K, VR> {
    if (!(windows instanceof JoinWindows)) throw new TopologyError('a stream-stream join needs JoinWindows (JoinWindows.ofTimeDifferenceWithNoGrace(…))');
    this.sameTopology(other.builder);
    const name = streamJoined.name;
    const left = this.keyChanged ? this.repartitionForJoin(name ? `${name}-left` : this.node, streamJoined.serdes) : this;
    const right = other.keyChanged ? other.repartitionForJoin(name ? `${name}-right` : other.node, streamJoined.otherSerdes) : other;
    const sourceTopics = [...new Set([...left.sourceTopics, ...right.sourceTopics])];
    this.builder.requireCoPartitioned(sourceTopics);
    const node = addStreamStreamJoin(
      this.builder,
      { left: left.node, right: right.node },
      joiner as StreamJoiner<unknown, unknown, unknown, unknown>,
      windows,
      streamJoined as StreamJoined<unknown, unknown, unknown>,
      kind,
    );
    return new Stream<K, VR>(this.builder, node, sourceTopics, false, undefined);
  }

  /** The join node reads the table's stores, so it runs in the table's task (`KSTREAM-JOIN` / `KSTREAM-LEFTJOIN`). */
  private tableJoin<VT, VR>(table: Table<K, VT>, joiner: (value: V, tableValue: VT | null, key: K) => VR, joined: Joined<K, V>, leftJoin: boolean): Stream<K, VR> {
    this.sameTopology(table.builder);
    if (table.getterStores.length === 0) throw new TopologyError(`table '${table.node}' is not materialized, so it cannot be joined`);
    table.oldValues.materialize();
    const input = this.keyChanged ? this.repartitionForJoin(joined.name ?? this.node, joined.serdes) : this;
    const sourceTopics = [...new Set([...input.sourceTopics, ...table.sourceTopics])];
    this.builder.requireCoPartitioned(sourceTopics);
    const node = this.builder.addProcessor(
      leftJoin ? 'KSTREAM-LEFTJOIN' : 'KSTREAM-JOIN',
      [input.node],
      table.getterStores,
      (ctx, [records]) => records!.pipe(streamTableJoin(ctx, node.name, table.getter(ctx), (key: K) => key, joiner, leftJoin) as unknown as OperatorFunction<AnyRecord, AnyRecord>),
      joined.name,
    );
    return new Stream<K, VR>(this.builder, node.name, sourceTopics, false, undefined);
  }

  /**
   * The global table's store is read, not connected: it belongs to no task, so the join
   * stays in this stream's subtopology (as Kafka Streams describes it, with no stores).
   */
  private globalTableJoin<GK, GV, VR>(
    table: GlobalTable<GK, GV>,
    keySelector: (key: K, value: V) => GK,
    joiner: (value: V, tableValue: GV | null, key: K) => VR,
    named: Named,
    leftJoin: boolean,
  ): Stream<K, VR> {
    const node = this.builder.addProcessor(
      leftJoin ? 'KSTREAM-LEFTJOIN' : 'KSTREAM-JOIN',
      [this.node],
      [],
      (ctx, [records]) => {
        const store = ctx.store<KeyValueStore<GK, ValueAndTimestamp<GV>>>(table.store);
        const lookup = (key: GK) => store.get(key);
        return records!.pipe(streamTableJoin(ctx, node.name, lookup, keySelector, joiner, leftJoin) as unknown as OperatorFunction<AnyRecord, AnyRecord>);
      },
      named.name,
    );
    return new Stream<K, VR>(this.builder, node.name, this.sourceTopics, this.keyChanged, undefined);
  }

  private sameTopology(other: TopologyBuilder): void {
    if (other !== this.builder) throw new TopologyError(`cannot join across topologies ('${this.builder.name}' and '${other.name}')`);
  }

  /**
   * @internal Sink to and source from `<app>-<name>-repartition`, dropping null keys first:
   * they have no partition (Kafka Streams' `<name>-repartition-filter`). Like Kafka Streams,
   * the sink, filter and source are named after a name the user gave, and numbered (in that
   * order) after a generated one.
   */
  through(name: string, serdes: Serdes<K, V> | undefined, partitions?: number): Stream<K, V> {
    const topic = this.builder.addRepartitionTopic(name, partitions);
    const [sinkName, filterName, sourceName] = /^KSTREAM.*-\d{10}$/.test(name)
      ? ['KSTREAM-SINK', 'KSTREAM-FILTER', 'KSTREAM-SOURCE'].map((prefix) => this.builder.nextName(prefix))
      : ['sink', 'filter', 'source'].map((part) => `${name}-repartition-${part}`);
    const withKeys = this.builder.addProcessor('KSTREAM-FILTER', [this.node], [], (_ctx, [input]) => input!.pipe(filterRecords((key) => key !== null && key !== undefined)), filterName);
    const chosen = (serdes ?? this.serdes) as Serdes<unknown, unknown> | undefined;
    this.builder.addSink(withKeys.name, topic, chosen, true, sinkName);
    const source = this.builder.addSource([topic], { serdes: chosen, name: sourceName }, 'KSTREAM-SOURCE', true);
    return new Stream<K, V>(this.builder, source.name, [topic], false, serdes ?? this.serdes);
  }

}
