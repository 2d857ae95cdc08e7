import type { OperatorFunction } from 'rxjs';
import { CogroupedStream } from './cogroupedStream.ts';
import type { Grouped, Materialized } from './options.ts';
import { aggregateByKey } from './operators/aggregateByKey.ts';
import type { Stream } from './stream.ts';
import { Table } from './table.ts';
import type { AnyRecord } from './topologyGraph.ts';
import { aggregateStep, countStep, reduceStep, type FoldStep } from './operators/foldSteps.ts';
import { SessionWindowedStream } from './sessionWindowedStream.ts';
import { TimeWindowedStream } from './timeWindowedStream.ts';
import { SessionWindows } from './windows/sessionWindows.ts';
import type { SlidingWindows } from './windows/slidingWindows.ts';
import type { TimeWindows } from './windows/timeWindows.ts';

/**
 * A stream grouped by key, ready to aggregate (`KGroupedStream`). If the keys may have
 * changed since the input was partitioned, the aggregation first repartitions through
 * `<app>-<grouped name or store name>-repartition`.
 */
export class GroupedStream<K, V> {
  /** The repartitioned input, shared by every aggregation when the grouping is named, as in Kafka Streams. */
  private named: Stream<K, V> | undefined;

  constructor(
    private readonly stream: Stream<K, V>,
    private readonly grouped: Grouped<K, V>,
    private readonly repartitionRequired: boolean,
  ) {}

  /** Counts records per key. Null keys and values are dropped. */
  count(materialized: Materialized = {}): Table<K, number> {
    return this.fold('KSTREAM-AGGREGATE', materialized, countStep<K, V>());
  }

  /** Combines the values of each key with `reducer(aggregate, value)`; the first value is the start. */
  reduce(reducer: (aggregate: V, value: V) => V, materialized: Materialized = {}): Table<K, V> {
    return this.fold('KSTREAM-REDUCE', materialized, reduceStep<K, V>(reducer));
  }

  /** Folds the values of each key into `aggregator(key, value, aggregate)`, starting from `initializer()`. */
  aggregate<A>(initializer: () => A, aggregator: (key: K, value: V, aggregate: A) => A, materialized: Materialized = {}): Table<K, A> {
    return this.fold('KSTREAM-AGGREGATE', materialized, aggregateStep(initializer, aggregator));
  }

  /** Aggregates per time window: tumbling or hopping (`TimeWindows`), or sliding (`SlidingWindows`). */
  windowedBy(windows: TimeWindows | SlidingWindows): TimeWindowedStream<K, V>;
  /** Aggregates per session: records of a key at most the inactivity gap apart (`SessionWindows`). */
  windowedBy(windows: SessionWindows): SessionWindowedStream<K, V>;
  windowedBy(windows: TimeWindows | SlidingWindows | SessionWindows): TimeWindowedStream<K, V> | SessionWindowedStream<K, V> {
    if (windows instanceof SessionWindows) return new SessionWindowedStream<K, V>(this, windows);
    return new TimeWindowedStream<K, V>(this, windows);
  }

  /**
   * @internal The stream to aggregate, repartitioned if needed; the topic is named after the
   * grouping, and then shared by the grouping's aggregations, or else after each one's store.
   */
  input(storeName: string): Stream<K, V> {
    if (!this.repartitionRequired) return this.stream;
    if (this.grouped.name === undefined) return this.stream.through(storeName, this.grouped.serdes);
    return (this.named ??= this.stream.through(this.grouped.name, this.grouped.serdes));
  }

  /** @internal */
  get builder() {
    return this.stream.builder;
  }

  /** @internal Whether aggregating goes through a repartition topic first. */
  get repartitions(): boolean {
    return this.repartitionRequired;
  }

  /** @internal The grouping's name, if given: it names the repartition topic. */
  get name(): string | undefined {
    return this.grouped.name;
  }

  /**
   * Starts a cogroup (`KGroupedStream#cogroup`): this stream's values fold into a shared
   * aggregate with `aggregator(key, value, aggregate)`; add other grouped streams with
   * `cogroup(grouped, aggregator)`, then `aggregate(initializer)` (or window it first).
   */
  cogroup<A>(aggregator: (key: K, value: V, aggregate: A) => A): CogroupedStream<K, A> {
    return new CogroupedStream<K, A>(this.builder, [{ grouped: this, aggregator }]);
  }

  private fold<A>(prefix: string, materialized: Materialized, step: FoldStep<K, V, A>): Table<K, A> {
    const storeName = materialized.store ?? this.builder.nextName(`${prefix}-STATE-STORE`);
    const input = this.input(storeName);
    this.builder.addStore({ name: storeName, kind: 'keyValue', internal: !materialized.store });
    const node = this.builder.addProcessor(
      prefix,
      [input.node],
      [storeName],
      (ctx, [records]) => records!.pipe(aggregateByKey(ctx, node.name, storeName, step) as OperatorFunction<AnyRecord, AnyRecord>),
      materialized.name,
    );
    return new Table<K, A>(this.builder, node.name, input.sourceTopics, storeName, undefined);
  }
}
