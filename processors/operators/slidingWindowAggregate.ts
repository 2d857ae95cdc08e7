import type { OperatorFunction } from 'rxjs';
import type { WindowStore } from '../../state/windowStore.ts';
import type { ProcessorContext } from '../processorContext.ts';
import { withFields, type Change, type StreamRecord, type TimeWindow, type ValueAndTimestamp, type Windowed } from '../record.ts';
import type { SlidingWindows } from '../windows/slidingWindows.ts';
import { oldAggregate, type FoldStep } from './foldSteps.ts';
import { recordOperator } from './recordOperator.ts';
import { storeTime } from './storeTime.ts';
import { windowCloseEmission } from './windowCloseEmission.ts';

/**
 * Folds records into sliding windows (`KStreamSlidingWindowAggregate`), kept in a window
 * store by window start as `{ value, timestamp }` (timestamp = the window's largest record
 * timestamp). Windows are `[start, start + d]`, both ends inclusive (`d` = time difference).
 * For each record at `t`, in order:
 * 1. A null key or null value is dropped and counted.
 * 2. The processor's observed stream time advances; `closeTime = observed - grace`. If even
 *    the record's right window is closed (`t + 1 + d <= closeTime`) it is dropped as late.
 * 3. The key's windows starting in `[t - 2d, t + 1]` are read (those the store has already
 *    expired, start at or before its observed time minus `2d + grace`, are not seen, as in
 *    Kafka Streams). From the latest start back: every window that contains `t` is updated;
 *    the window ending at `t` is the record's left window; the latest window ending before
 *    `t` gives the previous record's timestamp and the aggregate of the records before `t`.
 * 4. The windows the record newly defines are created, none of them empty: the previous
 *    record's right window `[prev + 1, prev + 1 + d]` if `t` falls in it, the record's left
 *    window `[t - d, t]` (from the aggregate of the earlier records it holds), and the
 *    record's right window `[t + 1, t + 1 + d]` when later records fall in it (a copy of
 *    the aggregate of those records; the record itself is not in it).
 * Records before `d` (whose left window would start before 0) share `[0, d]` instead.
 * Each update forwards `Change(new, old)` keyed by `Windowed<K>`, timestamp = the window's
 * largest timestamp; an update of a window that has closed (`end < closeTime`) is dropped
 * and counted as late instead. With `emitOnClose` no update is forwarded: after a record
 * (neither late nor early, as in Kafka Streams), the windows closed since the last emission
 * and not expired are forwarded once each, every key's, by start then key.
 */
export function slidingWindowAggregate<K, V, A>(
  ctx: ProcessorContext,
  node: string,
  storeName: string,
  windows: SlidingWindows,
  /** The store's retention: what lies at or before its observed time minus this is hidden. */
  retentionMs: number,
  fold: FoldStep<K, V, A>,
  emitOnClose = false,
): OperatorFunction<StreamRecord<K, V>, StreamRecord<Windowed<K>, Change<A>>> {
  const store = ctx.store<WindowStore<K, ValueAndTimestamp<A>>>(storeName);
  const time = ctx.processorTime(node);
  const stored = storeTime(ctx, storeName);
  const d = windows.timeDifferenceMs;
  const windowAt = (start: number): TimeWindow => ({ start, end: start + d });
  const emission = emitOnClose ? windowCloseEmission(ctx, storeName) : undefined;

  /** Emits, once each, the windows stream time closed since the last emission (`KStreamSlidingWindowAggregate`'s emitRange…). */
  const emitClosed = (record: StreamRecord<K, V>, closeTime: number, emit: (out: StreamRecord<Windowed<K>, Change<A>>) => void) => {
    if (!emission!.due(closeTime)) return;
    // Ends are inclusive: a window has closed once its end is below the close time.
    const upper = closeTime - d - 1;
    if (upper < 0) return;
    const last = emission!.last();
    const lower = last === undefined ? 0 : Math.max(0, last - d);
    for (const [key, start, entry] of store.fetchAll(lower, upper).filter(([, start]) => !stored.isExpired(start, retentionMs))) {
      emit(withFields<K, V, Windowed<K>, Change<A>>(record, { key: { key, window: windowAt(start) }, value: { newValue: entry.value, oldValue: null }, timestamp: entry.timestamp }));
    }
    emission!.emittedUpTo(closeTime);
  };

  return recordOperator((record, emit) => {
    if (record.key === null || record.key === undefined) return ctx.recordDropped(node, 'null-key');
    if (record.value === null || record.value === undefined) return ctx.recordDropped(node, 'null-value');
    const key = record.key;
    const t = record.timestamp;
    const closeTime = time.observe(t) - windows.graceMs;
    if (t + 1 + d <= closeTime) return ctx.recordDropped(node, 'late');

    const forward = (window: TimeWindow, change: Change<A>, timestamp: number) => {
      if (!emission) emit(withFields<K, V, Windowed<K>, Change<A>>(record, { key: { key, window }, value: change, timestamp }));
    };
    const put = (window: TimeWindow, entry: ValueAndTimestamp<A>) => {
      stored.observe(window.start);
      if (!stored.isExpired(window.start, retentionMs)) store.put(key, window.start, entry);
    };
    /** Folds the record into a window (`previous` undefined: a new window, from the initializer). */
    const update = (window: TimeWindow, previous: ValueAndTimestamp<A> | undefined) => {
      if (window.end < closeTime) return ctx.recordDropped(node, 'late');
      const value = fold(key, record.value, previous && { value: previous.value });
      const timestamp = previous ? Math.max(t, previous.timestamp) : t;
      put(window, { value, timestamp });
      forward(window, { newValue: value, oldValue: oldAggregate(fold, previous) }, timestamp);
    };
    /** The record's right window holds the records after it: a copy of `after`, the aggregate of a window holding only those. */
    const createRightWindow = (after: ValueAndTimestamp<A>) => {
      const window = windowAt(t + 1);
      put(window, after);
      forward(window, { newValue: after.value, oldValue: null }, after.timestamp);
    };

    const visible = store.fetchRange(key, Math.max(0, t - 2 * d), t + 1).filter(([start]) => !stored.isExpired(start, retentionMs));
    const starts = new Set(visible.map(([start]) => start));
    let previousTimestamp: number | undefined;
    let rightAggregate: ValueAndTimestamp<A> | undefined;
    let rightCreated = false;

    if (t < d) {
      // An early record: windows that would start before 0 are all `[0, d]`.
      let combined: ValueAndTimestamp<A> | undefined;
      for (const [start, entry] of visible) {
        if (start === 0) {
          combined = entry;
          // If [0, d] already holds a record at or after t, that record made the right windows needed.
          if (entry.timestamp < t) previousTimestamp = entry.timestamp;
        } else if (start <= t) {
          rightAggregate = entry;
          update(windowAt(start), entry);
        } else {
          rightCreated = true; // start === t + 1
        }
      }
      // Without a window holding only later records, [0, d] can serve: it holds nothing before t then.
      if (!rightAggregate && combined && combined.timestamp > t) rightAggregate = combined;
      if (!rightCreated && rightAggregate && rightAggregate.timestamp > t) createRightWindow(rightAggregate);
      if (previousTimestamp !== undefined && !starts.has(previousTimestamp + 1)) update(windowAt(previousTimestamp + 1), undefined);
      update(windowAt(0), combined);
      return;
    }

    // The windows of a record at or after d; one at a time already seen stops early (Kafka Streams' processReverse).
    const aggregateInOrder = () => {
      let leftAggregate: ValueAndTimestamp<A> | undefined;
      let leftCreated = false;
      for (const [start, entry] of [...visible].reverse()) {
        const end = start + d;
        if (start === t + 1) {
          rightCreated = true;
        } else if (end > t) {
          rightAggregate ??= entry;
          update(windowAt(start), entry);
        } else if (end === t) {
          leftCreated = true;
          update(windowAt(start), entry);
          // A record at t already made every window a record at t makes.
          if (entry.timestamp >= t) return;
          previousTimestamp = entry.timestamp;
        } else {
          leftAggregate = entry;
          previousTimestamp = entry.timestamp;
          break;
        }
      }
      if (previousTimestamp !== undefined) {
        const start = previousTimestamp + 1;
        if (!starts.has(start) && start + d >= t) update(windowAt(start), undefined);
      }
      if (!leftCreated) {
        // The left window holds the previous records' aggregate if the previous record is in it.
        const earlier = previousTimestamp !== undefined && t - d <= previousTimestamp ? leftAggregate : undefined;
        update(windowAt(t - d), earlier && { value: earlier.value, timestamp: t });
      }
      if (!rightCreated && rightAggregate && rightAggregate.timestamp > t) createRightWindow(rightAggregate);
    };
    aggregateInOrder();
    // As in Kafka Streams, only such a record emits closed windows: not an early one, nor a late one.
    if (emission) emitClosed(record, closeTime, emit);
  });
}
