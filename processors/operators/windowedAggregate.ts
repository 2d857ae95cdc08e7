import type { OperatorFunction } from 'rxjs';
import type { WindowStore } from '../../state/windowStore.ts';
import type { ProcessorContext } from '../processorContext.ts';
import { withFields, type Change, type StreamRecord, type TimeWindow, type ValueAndTimestamp, type Windowed } from '../record.ts';
import type { TimeWindows } from '../windows/timeWindows.ts';
import { oldAggregate, type FoldStep } from './foldSteps.ts';
import { recordOperator } from './recordOperator.ts';
import { storeTime } from './storeTime.ts';
import { windowCloseEmission } from './windowCloseEmission.ts';

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
 *
 * With `emitOnClose` (`EmitStrategy.onWindowClose()`) no update is forwarded: after each record,
 * the windows stream time has closed since the last emission are forwarded once each, every key's,
 * by window start then key, as `Change(aggregate, null)` with the aggregate's timestamp; a
 * window the store has expired meanwhile (a retention close to size + grace) is not, as in Kafka Streams.
 */
export function windowedAggregate<K, V, A>(
  ctx: ProcessorContext,
  node: string,
  storeName: string,
  windows: TimeWindows,
  retention: { readonly ms: number; readonly shared: boolean },
  fold: FoldStep<K, V, A>,
  emitOnClose = false,
): OperatorFunction<StreamRecord<K, V>, StreamRecord<Windowed<K>, Change<A>>> {
  const store = ctx.store<WindowStore<K, ValueAndTimestamp<A>>>(storeName);
  const time = ctx.processorTime(node);
  // The store's own expiry matters where windows are read that this processor did not just
  // keep open: another processor's (a shared store) or closed ones (emission on close).
  const stored = retention.shared || emitOnClose ? storeTime(ctx, storeName) : undefined;
  const expired = (start: number) => stored !== undefined && stored.isExpired(start, retention.ms);
  const emission = emitOnClose ? windowCloseEmission(ctx, storeName) : undefined;
  const windowAt = (start: number): TimeWindow => ({ start, end: start + windows.sizeMs });

  /** Emits, once each, the windows stream time closed since the last emission (`KStreamWindowAggregate`'s emitRange…). */
  const emitClosed = (record: StreamRecord<K, V>, closeTime: number, emit: (out: StreamRecord<Windowed<K>, Change<A>>) => void) => {
    if (!emission!.due(closeTime)) return;
    const upper = closeTime - windows.sizeMs;
    if (upper < 0) return;
    const last = emission!.last();
    const lower = last === undefined ? 0 : Math.max(0, last - windows.sizeMs) + 1;
    const starts = (t: number) => windows.windowsFor(t).map((w) => w.start).join();
    // Nothing to emit unless the range reaches a window the last emission did not.
    if (last !== undefined && starts(upper) === starts(lower - 1)) return;
    for (const [key, start, entry] of store.fetchAll(lower, upper).filter(([, start]) => !expired(start))) {
      emit(withFields<K, V, Windowed<K>, Change<A>>(record, { key: { key, window: windowAt(start) }, value: { newValue: entry.value, oldValue: null }, timestamp: entry.timestamp }));
    }
    emission!.emittedUpTo(closeTime);
  };

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
      if (!emission) emit(withFields<K, V, Windowed<K>, Change<A>>(record, { key, value: { newValue: value, oldValue: oldAggregate(fold, old) }, timestamp }));
    }
    if (emission) emitClosed(record, closeTime, emit);
  });
}
