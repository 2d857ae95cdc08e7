import type { OperatorFunction } from 'rxjs';
import type { GroupedStream } from './groupedStream.ts';
import type { Materialized } from './options.ts';
import { slidingWindowAggregate } from './operators/slidingWindowAggregate.ts';
import { windowedAggregate } from './operators/windowedAggregate.ts';
import type { AnyRecord } from './topologyGraph.ts';
import { aggregateStep, countStep, reduceStep, type FoldStep } from './operators/foldSteps.ts';
import { WindowedTable } from './windowedTable.ts';
import { SlidingWindows } from './windows/slidingWindows.ts';
import type { TimeWindows } from './windows/timeWindows.ts';
import { windowStoreRetention } from './windows/windowStoreRetention.ts';

/**
 * A grouped stream cut into tumbling, hopping or sliding windows (`TimeWindowedKStream`).
 * Each aggregation emits an update per record and window; follow it with
 * `suppressUntilWindowCloses()` for one final result per window.
 */
export class TimeWindowedStream<K, V> {
  constructor(
    private readonly grouped: GroupedStream<K, V>,
    private readonly windows: TimeWindows | SlidingWindows,
  ) {}

  /** Counts records per key and window. */
  count(materialized: Materialized = {}): WindowedTable<K, number> {
    return this.fold('KSTREAM-AGGREGATE', materialized, countStep<K, V>());
  }

  /** Combines the values per key and window with `reducer(aggregate, value)`. */
  reduce(reducer: (aggregate: V, value: V) => V, materialized: Materialized = {}): WindowedTable<K, V> {
    return this.fold('KSTREAM-REDUCE', materialized, reduceStep<K, V>(reducer));
  }

  /** Folds the values per key and window into `aggregator(key, value, aggregate)`, from `initializer()`. */
  aggregate<A>(initializer: () => A, aggregator: (key: K, value: V, aggregate: A) => A, materialized: Materialized = {}): WindowedTable<K, A> {
    return this.fold('KSTREAM-AGGREGATE', materialized, aggregateStep(initializer, aggregator));
  }

  private fold<A>(prefix: string, materialized: Materialized, step: FoldStep<K, V, A>): WindowedTable<K, A> {
    const builder = this.grouped.builder;
    const windows = this.windows;
    const storeName = materialized.store ?? builder.nextName(`${prefix}-STATE-STORE`);
    const input = this.grouped.input(storeName);
    builder.addStore({
      name: storeName,
      kind: 'window',
      retentionMs: windowStoreRetention(storeName, windows, materialized),
      // A sliding aggregate also reads the windows before and after a record's own: whole keys for it.
      ...(windows instanceof SlidingWindows ? {} : { readHorizonMs: windows.requiredRetentionMs() }),
      internal: !materialized.store,
    });
    const operator = (ctx: Parameters<typeof windowedAggregate>[0]) =>
      (windows instanceof SlidingWindows ? slidingWindowAggregate(ctx, node.name, storeName, windows, step) : windowedAggregate(ctx, node.name, storeName, windows, step)) as OperatorFunction<AnyRecord, AnyRecord>;
    const node = builder.addProcessor(prefix, [input.node], [storeName], (ctx, [records]) => records!.pipe(operator(ctx)), materialized.name);
    // Suppression emits a window once stream time reaches end + grace, for sliding windows too
    // (whose end is inclusive), as Kafka Streams' buffer does.
    const closeDelayMs = windows.graceMs;
    return new WindowedTable<K, A>(builder, node.name, input.sourceTopics, storeName, closeDelayMs, WindowedTable.windowStoreGetter<K, A>(storeName));
  }
}
