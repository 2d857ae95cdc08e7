import type { OperatorFunction } from 'rxjs';
import type { GroupedStream } from './groupedStream.ts';
import { EmitStrategy } from './emitStrategy.ts';
import type { Materialized } from './options.ts';
import type { ProcessorContext } from './processorContext.ts';
import type { TopologyBuilder } from './topologyBuilder.ts';
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
    private readonly emit: EmitStrategy = EmitStrategy.onWindowUpdate(),
  ) {}

  /**
   * When the aggregation forwards (`TimeWindowedKStream#emitStrategy`): every update (the
   * default), or with `EmitStrategy.onWindowClose()` each window's final result once, when
   * stream time passes its end plus grace (a sliding window's end is inclusive: one more), every
   * key's windows by start then key.
   */
  emitStrategy(strategy: EmitStrategy): TimeWindowedStream<K, V> {
    return new TimeWindowedStream<K, V>(this.grouped, this.windows, strategy);
  }

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
    const retention = { ms: addTimeWindowStore(builder, storeName, windows, materialized, false), shared: false };
    const node = builder.addProcessor(prefix, [input.node], [storeName], (ctx, [records]) => records!.pipe(timeWindowAggregate(ctx, node.name, storeName, windows, retention, step, this.emit.onClose)), materialized.name);
    return timeWindowedTable<K, A>(builder, node.name, input.sourceTopics, storeName, windows);
  }
}

/**
 * @internal Adds the window store of a time or sliding window aggregate; returns its retention.
 * `shared`: several processors fold into it (a cogroup), each with its own stream time.
 */
export function addTimeWindowStore(builder: TopologyBuilder, storeName: string, windows: TimeWindows | SlidingWindows, materialized: Materialized, shared: boolean): number {
  const retentionMs = windowStoreRetention(storeName, windows, materialized);
  builder.addStore({
    name: storeName,
    kind: 'window',
    retentionMs,
    // How far back a processor reads: a sliding aggregate the windows before and after a
    // record's own (whole keys); a time window aggregate its open windows, or, when processors
    // share the store, whatever the retention keeps, as one may lag the others.
    ...(windows instanceof SlidingWindows ? {} : { readHorizonMs: shared ? retentionMs : windows.requiredRetentionMs() }),
    internal: !materialized.store,
  });
  return retentionMs;
}

/** @internal The aggregate operator of time windows or of sliding windows, folding with `step` into a store of that retention. */
export function timeWindowAggregate<K, V, A>(
  ctx: ProcessorContext,
  node: string,
  storeName: string,
  windows: TimeWindows | SlidingWindows,
  retention: { readonly ms: number; readonly shared: boolean },
  step: FoldStep<K, V, A>,
  emitOnClose = false,
): OperatorFunction<AnyRecord, AnyRecord> {
  const operator = windows instanceof SlidingWindows ? slidingWindowAggregate(ctx, node, storeName, windows, retention.ms, step, emitOnClose) : windowedAggregate(ctx, node, storeName, windows, retention, step, emitOnClose);
  return operator as OperatorFunction<AnyRecord, AnyRecord>;
}

/** @internal The table of a time or sliding window aggregate whose result `node` forwards. */
export function timeWindowedTable<K, A>(builder: TopologyBuilder, node: string, sourceTopics: readonly string[], storeName: string, windows: TimeWindows | SlidingWindows): WindowedTable<K, A> {
  // Suppression emits a window once stream time reaches end + grace, for sliding windows too
  // (whose end is inclusive), as Kafka Streams' buffer does.
  return new WindowedTable<K, A>(builder, node, sourceTopics, storeName, windows.graceMs, WindowedTable.windowStoreGetter<K, A>(storeName));
}
