import type { OperatorFunction } from 'rxjs';
import type { GroupedStream } from './groupedStream.ts';
import type { Materialized } from './options.ts';
import type { TopologyBuilder } from './topologyBuilder.ts';
import { aggregateMerge, aggregateStep, countMerge, countStep, reduceMerge, reduceStep, type FoldStep, type MergeStep } from './operators/foldSteps.ts';
import { sessionWindowAggregate } from './operators/sessionWindowAggregate.ts';
import type { AnyRecord } from './topologyGraph.ts';
import { WindowedTable } from './windowedTable.ts';
import type { SessionWindows } from './windows/sessionWindows.ts';
import { windowStoreRetention } from './windows/windowStoreRetention.ts';

/**
 * A grouped stream cut into per-key sessions (`SessionWindowedKStream`). Each aggregation
 * keeps one aggregate per session in a session store and forwards every change keyed by
 * `Windowed<K>` with the session's `[start, end]` (both inclusive) and timestamp = its end.
 * When a record merges sessions, each merged session is first retracted with a tombstone,
 * then the merged session is forwarded. Follow it with `suppressUntilWindowCloses()` for one
 * final result per session. Null keys and late records are dropped and counted.
 */
export class SessionWindowedStream<K, V> {
  constructor(
    private readonly grouped: GroupedStream<K, V>,
    private readonly windows: SessionWindows,
  ) {}

  /** Counts records per key and session; merged sessions' counts add up. */
  count(materialized: Materialized = {}): WindowedTable<K, number> {
    return this.fold('KSTREAM-AGGREGATE', materialized, countStep<K, V>(), countMerge<K>());
  }

  /** Combines the values per key and session with `reducer(aggregate, value)`; merged sessions combine with it too, older first. */
  reduce(reducer: (aggregate: V, value: V) => V, materialized: Materialized = {}): WindowedTable<K, V> {
    return this.fold('KSTREAM-REDUCE', materialized, reduceStep<K, V>(reducer), reduceMerge<K, V>(reducer));
  }

  /**
   * Folds the values per key and session into `aggregator(key, value, aggregate)`, from
   * `initializer()`. When a record merges sessions, the new aggregate starts from
   * `initializer()`, absorbs each merged session's aggregate with
   * `sessionMerger(key, aggregate, sessionAggregate)` (older first), then the record's value.
   */
  aggregate<A>(
    initializer: () => A,
    aggregator: (key: K, value: V, aggregate: A) => A,
    sessionMerger: (key: K, aggregate: A, other: A) => A,
    materialized: Materialized = {},
  ): WindowedTable<K, A> {
    return this.fold('KSTREAM-AGGREGATE', materialized, aggregateStep(initializer, aggregator), aggregateMerge(initializer, sessionMerger));
  }

  private fold<A>(prefix: string, materialized: Materialized, add: FoldStep<K, V, A>, merge: MergeStep<K, A>): WindowedTable<K, A> {
    const builder = this.grouped.builder;
    const storeName = materialized.store ?? builder.nextName(`${prefix}-STATE-STORE`);
    const input = this.grouped.input(storeName);
    const retentionMs = addSessionStore(builder, storeName, this.windows, materialized);
    const node = builder.addProcessor(
      prefix,
      [input.node],
      [storeName],
      (ctx, [records]) => records!.pipe(sessionWindowAggregate(ctx, node.name, storeName, this.windows, retentionMs, add, merge) as OperatorFunction<AnyRecord, AnyRecord>),
      materialized.name,
    );
    return sessionWindowedTable<K, A>(builder, node.name, input.sourceTopics, storeName, this.windows);
  }
}

/** @internal Adds the session store of a session aggregate; returns its retention. */
export function addSessionStore(builder: TopologyBuilder, storeName: string, windows: SessionWindows, materialized: Materialized): number {
  const retentionMs = windowStoreRetention(storeName, windows, materialized);
  builder.addStore({
    name: storeName,
    kind: 'session',
    retentionMs,
    // The aggregate never reads sessions its retention hides (sessionWindowAggregate).
    readHorizonMs: retentionMs,
    internal: !materialized.store,
  });
  return retentionMs;
}

/** @internal The table of a session aggregate whose result `node` forwards. */
export function sessionWindowedTable<K, A>(builder: TopologyBuilder, node: string, sourceTopics: readonly string[], storeName: string, windows: SessionWindows): WindowedTable<K, A> {
  return new WindowedTable<K, A>(builder, node, sourceTopics, storeName, windows.closeDelayMs(), WindowedTable.sessionStoreGetter<K, A>(storeName));
}
