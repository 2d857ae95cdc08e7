import type { CogroupInput } from './cogroupedStream.ts';
import { addCogroupAggregate, cogroupStoreName } from './cogroupedStream.ts';
import { aggregateMerge } from './operators/foldSteps.ts';
import { sessionWindowAggregate } from './operators/sessionWindowAggregate.ts';
import type { Materialized } from './options.ts';
import { addSessionStore, sessionWindowedTable } from './sessionWindowedStream.ts';
import { addTimeWindowStore, timeWindowAggregate, timeWindowedTable } from './timeWindowedStream.ts';
import type { TopologyBuilder } from './topologyBuilder.ts';
import type { AnyRecord } from './topologyGraph.ts';
import type { WindowedTable } from './windowedTable.ts';
import type { SessionWindows } from './windows/sessionWindows.ts';
import type { SlidingWindows } from './windows/slidingWindows.ts';
import type { TimeWindows } from './windows/timeWindows.ts';
import type { OperatorFunction } from 'rxjs';

/**
 * A cogroup cut into tumbling, hopping or sliding windows (`TimeWindowedCogroupedKStream`):
 * every stream's values fold per key and window into one window store, an update per record
 * and window, as a windowed aggregate of one stream does.
 */
export class TimeWindowedCogroupedStream<K, A> {
  constructor(
    private readonly builder: TopologyBuilder,
    private readonly inputs: ReadonlyArray<CogroupInput<K, A>>,
    private readonly windows: TimeWindows | SlidingWindows,
  ) {}

  /** Folds every stream's values per key and window, from `initializer()`. */
  aggregate(initializer: () => A, materialized: Materialized = {}): WindowedTable<K, A> {
    const storeName = cogroupStoreName(this.builder, materialized);
    const retention = { ms: addTimeWindowStore(this.builder, storeName, this.windows, materialized, true), shared: true };
    const { node, sourceTopics } = addCogroupAggregate(this.builder, this.inputs, storeName, materialized, initializer, (ctx, agg, step) => timeWindowAggregate(ctx, agg, storeName, this.windows, retention, step));
    return timeWindowedTable<K, A>(this.builder, node, sourceTopics, storeName, this.windows);
  }
}

/**
 * A cogroup cut into per-key sessions (`SessionWindowedCogroupedKStream`): every stream's
 * records extend or merge the key's sessions, as a session aggregate of one stream does.
 */
export class SessionWindowedCogroupedStream<K, A> {
  constructor(
    private readonly builder: TopologyBuilder,
    private readonly inputs: ReadonlyArray<CogroupInput<K, A>>,
    private readonly windows: SessionWindows,
  ) {}

  /**
   * Folds every stream's values per key and session, from `initializer()`; when a record
   * merges sessions, their aggregates combine with `sessionMerger(key, aggregate, other)`.
   */
  aggregate(initializer: () => A, sessionMerger: (key: K, aggregate: A, other: A) => A, materialized: Materialized = {}): WindowedTable<K, A> {
    const storeName = cogroupStoreName(this.builder, materialized);
    const retentionMs = addSessionStore(this.builder, storeName, this.windows, materialized);
    const merge = aggregateMerge(initializer, sessionMerger);
    const { node, sourceTopics } = addCogroupAggregate(
      this.builder,
      this.inputs,
      storeName,
      materialized,
      initializer,
      (ctx, agg, step) => sessionWindowAggregate(ctx, agg, storeName, this.windows, retentionMs, step, merge) as OperatorFunction<AnyRecord, AnyRecord>,
    );
    return sessionWindowedTable<K, A>(this.builder, node, sourceTopics, storeName, this.windows);
  }
}
