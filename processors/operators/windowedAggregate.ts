import type { OperatorFunction } from 'rxjs';
import type { WindowStore } from '../../state/windowStore.ts';
import type { ProcessorContext } from '../processorContext.ts';
import { withFields, type Change, type StreamRecord, type ValueAndTimestamp, type Windowed } from '../record.ts';
import type { TimeWindows } from '../windows/timeWindows.ts';
import type { FoldStep } from './foldSteps.ts';
import { recordOperator } from './recordOperator.ts';
import { storeTime } from './storeTime.ts';

/**
 * Folds records into each time window that contains them (`KStreamWindowAggregate`).
 * The processor's observed stream time is the largest timestamp it has seen; a window
 * `[start, end)` is closed once `end <= observed - grace`, and a record for a closed
 * window is dropped and counted as late (per window: a hopping record may still count
 * in its younger windows). A null key is dropped. Forwards `Change(new, old)` keyed by
 * `Windowed<K>`, with timestamp = max(input, the window's previous timestamp).
 *
 * When several processors fold into the store (a cogroup), each with its own stream time,
 * one may update a window the store has already expired by the others' later windows:
 * then, as Kafka Streams' store does, the window reads as absent and the update is not
 * kept (`storeTime`), though forwarded. A store of one processor never expires an open window.
 */
export function windowedAggregate<K, V, A>(
  ctx: ProcessorContext,
  node: string,
  storeName: string,
  windows: TimeWindows,
  retention: { readonly ms: number; readonly shared: boolean },
  fold: FoldStep<K, V, A>,
): OperatorFunction<StreamRecord<K, V>, StreamRecord<Windowed<K>, Change<A>>> {
  const store = ctx.store<WindowStore<K, ValueAndTimestamp<A>>>(storeName);
  const time = ctx.processorTime(node);
  const stored = retention.shared ? storeTime(ctx, storeName) : undefined;
  const expired = (start: number) => stored !== undefined && stored.isExpired(start, retention.ms);
  return recordOperator((record, emit) => {
    if (record.key === null || record.key === undefined) return ctx.recordDropped(node, 'null-key');
    const closeTime = time.observe(record.timestamp) - windows.graceMs;
    for (const window of windows.windowsFor(record.timestamp)) {
      if (window.end <= closeTime) {
        ctx.recordDropped(node, 'late');
        continue;
      }
      const old = expired(window.start) ? undefined : store.fetch(record.key, window.start);
      const timestamp = old ? Math.max(record.timestamp, old.timestamp) : record.timestamp;
      const value = fold(record.key, record.value, old);
      stored?.observe(window.start);
      if (!expired(window.start)) store.put(record.key, window.start, { value, timestamp });
      const key: Windowed<K> = { key: record.key, window };
      emit(withFields<K, V, Windowed<K>, Change<A>>(record, { key, value: { newValue: value, oldValue: old?.value ?? null }, timestamp }));
    }
  });
}
