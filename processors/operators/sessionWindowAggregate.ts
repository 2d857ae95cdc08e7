import type { OperatorFunction } from 'rxjs';
import type { SessionStore } from '../../state/sessionStore.ts';
import type { ProcessorContext } from '../processorContext.ts';
import { withFields, type Change, type StreamRecord, type TimeWindow, type Windowed } from '../record.ts';
import type { SessionWindows } from '../windows/sessionWindows.ts';
import type { FoldStep, MergeStep } from './foldSteps.ts';
import { recordOperator } from './recordOperator.ts';
import { storeTime } from './storeTime.ts';

/**
 * Folds records into per-key sessions (`KStreamSessionWindowAggregate`), kept in a session
 * store as plain aggregates. For each record at `t`, in order:
 * 1. A null key is dropped and counted (a null value is aggregated, as in Kafka Streams).
 * 2. The processor's observed stream time advances; sessions close at
 *    `closeTime = observed - inactivityGap - grace`.
 * 3. The key's sessions that end at or after `t - gap` and start at or before `t + gap`
 *    (gap edges inclusive) are merged with `[t, t]`: their aggregates are combined by the
 *    merger in order of time, starting from the initializer, and the window spans them all.
 *    Sessions the store has already expired (end at or before its observed time minus
 *    `gap + grace`) are not found, as in Kafka Streams' stores.
 * 4. If the merged session ends before `closeTime`, the record is late: dropped and counted.
 * 5. Otherwise, unless the merged window is `[t, t]` itself, every merged session is
 *    removed and retracted: a tombstone `Change(null, old)` keyed by its old window, with
 *    its end as timestamp. Then the record's value is folded in, the merged session is
 *    stored and `Change(aggregate, null)` is forwarded keyed by `Windowed<K>` with the
 *    window `[start, end]`, timestamp = its end (the session's largest timestamp).
 * A session ending exactly at `closeTime` is forwarded but not stored, since the store has
 * already expired that time, exactly as Kafka Streams does.
 */
export function sessionWindowAggregate<K, V, A>(
  ctx: ProcessorContext,
  node: string,
  storeName: string,
  windows: SessionWindows,
  /** The store's retention: what lies at or before its observed time minus this is hidden. */
  retentionMs: number,
  add: FoldStep<K, V, A>,
  merge: MergeStep<K, A>,
): OperatorFunction<StreamRecord<K, V>, StreamRecord<Windowed<K>, Change<A>>> {
  const store = ctx.store<SessionStore<K, A>>(storeName);
  const time = ctx.processorTime(node);
  const stored = storeTime(ctx, storeName);
  const gap = windows.inactivityGapMs;
  return recordOperator((record, emit) => {
    if (record.key === null || record.key === undefined) return ctx.recordDropped(node, 'null-key');
    const key = record.key;
    const t = record.timestamp;
    const closeTime = time.observe(t) - windows.closeDelayMs();
    // Never asks for sessions the retention hides: the store loads keys only from there.
    const found = store
      .findSessions(key, Math.max(t - gap, stored.current() - retentionMs), t + gap)
      .filter(([session]) => !stored.isExpired(session.end, retentionMs))
      .sort(([a], [b]) => a.end - b.end || a.start - b.start);

    let merged: TimeWindow = { start: t, end: t };
    let aggregate: { value: A } | undefined;
    for (const [session, value] of found) {
      aggregate = { value: merge(key, aggregate, value) };
      merged = { start: Math.min(merged.start, session.start), end: Math.max(merged.end, session.end) };
    }
    if (merged.end < closeTime) return ctx.recordDropped(node, 'late');

    const forward = (window: TimeWindow, change: Change<A>) =>
      emit(withFields<K, V, Windowed<K>, Change<A>>(record, { key: { key, window }, value: change, timestamp: window.end }));
    if (merged.start !== t || merged.end !== t) {
      for (const [session, value] of found) {
        store.remove(key, session);
        forward(session, { newValue: null, oldValue: value });
      }
    }
    const value = add(key, record.value, aggregate);
    stored.observe(merged.end);
    if (!stored.isExpired(merged.end, retentionMs)) store.put(key, merged, value);
    forward(merged, { newValue: value, oldValue: null });
  });
}
