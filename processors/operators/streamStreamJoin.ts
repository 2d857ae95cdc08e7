import type { OperatorFunction } from 'rxjs';
import { keyId } from '../../state/stateStore.ts';
import type { WindowStore } from '../../state/windowStore.ts';
import type { ProcessorContext } from '../processorContext.ts';
import { withFields, type StreamRecord } from '../record.ts';
import type { JoinWindows } from '../windows/joinWindows.ts';
import { joinWindowVisibleFrom, type JoinWindowValues } from './joinWindow.ts';
import { recordOperator } from './recordOperator.ts';

/** Which input of a stream-stream join a processor serves: the stream `join` was called on (left) or the other (right). */
export type JoinSide = 'left' | 'right';

/**
 * What a left or outer join's shared store keeps per record key and timestamp (the window
 * start): the records of each side that found no partner yet, oldest first. Keyed by the
 * record key, so every read a record makes is of its own key.
 */
export interface WaitingRecords<VL, VR> {
  readonly left: readonly VL[];
  readonly right: readonly VR[];
}

/** A stream-stream joiner in (left, right) order; `null` stands for "no partner" in left and outer joins. */
export type StreamJoiner<K, VL, VR, VOut> = (left: VL | null, right: VR | null, key: K) => VOut;

/** What one side's join processor needs to know about the join. */
export interface StreamStreamJoinSide {
  readonly side: JoinSide;
  /** This processor's name: drops are counted under it. */
  readonly node: string;
  /** The name under which both sides keep the join's shared stream time. */
  readonly sharedTimeNode: string;
  /** The other side's window store, and the node that fills it (its observed time bounds what is still visible). */
  readonly otherStore: string;
  readonly otherWindowedNode: string;
  readonly windows: JoinWindows;
  /** Whether this side's records that find no partner are emitted, joined with null. */
  readonly outer: boolean;
  /** The shared store of records waiting for their window to close; present in left and outer joins, on both sides. */
  readonly outerStore: string | undefined;
}

/**
 * One side of a stream-stream join (`KStreamKStreamJoin`). For each record, in order:
 * 1. The join's shared stream time (the largest timestamp either side has seen) advances.
 *    A record with a null value is then dropped and counted, and so is one with a null key,
 *    except on an outer side (the left of a left join, both sides of an outer join): there a
 *    null-key record is forwarded at once joined with null, with its own timestamp (KIP-962,
 *    Kafka Streams 3.7+), and closes no waiting record.
 * 2. If the record is at the shared stream time, waiting unmatched records whose window has
 *    closed (left: `t + after + grace < stream time`, right: `t + before + grace < stream
 *    time`) are emitted joined with null, with their own timestamps, exactly as Kafka Streams
 *    4.1 does it (`emitNonJoinedOuterRecords`), save its wall-clock throttle:
 *    - nothing is looked at while the join's "earliest waiting time" plus this side's look-ahead
 *      (left: after, right: before) plus grace is at or after stream time;
 *    - else the waiting records are walked by timestamp, right before left, then by key; a
 *      closed one is emitted and forgotten, an open one marks its side open, and the walk
 *      stops once both sides are; the earliest waiting time becomes the timestamp of the last
 *      record walked (so a record still open behind it may wait for a later emission);
 *    - a record starting to wait lowers the earliest waiting time to its timestamp.
 *    The earliest waiting time is kept with the task's state, as the shared stream time is.
 * 3. The other side's records of the same key within the window (left: `[t - before,
 *    t + after]`, right: `[t - after, t + before]`, clamped at 0, and still retained) are
 *    joined, by timestamp; each result has timestamp `max(t, partner's t)`. A partner that
 *    was waiting as unmatched stops waiting.
 * 4. An outer side's record that found no partner waits in the shared store until its
 *    window closes; if its window already ended (`t + after < stream time` for a left
 *    record) it is emitted joined with null at once, with its own timestamp.
 * Outputs keep the context (headers, offset) of the record being processed.
 */
export function streamStreamJoin<K, VThis, VOther, VL, VR, VOut>(
  ctx: ProcessorContext,
  options: StreamStreamJoinSide,
  joiner: StreamJoiner<K, VL, VR, VOut>,
): OperatorFunction<StreamRecord<K, VThis>, StreamRecord<K, VOut>> {
  const { side, node, windows } = options;
  const other = ctx.store<WindowStore<K, JoinWindowValues<VOther>>>(options.otherStore);
  const waiting = options.outerStore === undefined ? undefined : ctx.store<WindowStore<K, WaitingRecords<VL, VR>>>(options.outerStore);
  const time = ctx.processorTime(options.sharedTimeNode);
  const retentionMs = windows.retentionMs();
  // Seen from this side: how far back and forward its window reaches into the other side.
  const lookBack = side === 'left' ? windows.beforeMs : windows.afterMs;
  const lookAhead = side === 'left' ? windows.afterMs : windows.beforeMs;
  const join = (mine: VThis | null, theirs: VOther | null, key: K): VOut =>
    side === 'left' ? joiner(mine as VL | null, theirs as VR | null, key) : joiner(theirs as VL | null, mine as VR | null, key);

  // Kafka Streams' TimeTracker.minTime; -1 stands for its Long.MAX_VALUE (no waiting record known).
  const earliestWaiting = ctx.processorTime(`${options.sharedTimeNode}#earliest-waiting`);
  const lowerEarliestWaiting = (timestamp: number) => {
    const earliest = earliestWaiting.current();
    earliestWaiting.set(earliest < 0 ? timestamp : Math.min(earliest, timestamp));
  };

  /** Emits, and forgets, the waiting records whose windows closed at `streamTime` (Kafka Streams' `emitNonJoinedOuterRecords`). */
  const emitClosed = (store: WindowStore<K, WaitingRecords<VL, VR>>, record: StreamRecord<K, VThis>, streamTime: number, emit: (out: StreamRecord<K, VOut>) => void) => {
    const earliest = earliestWaiting.current();
    if (earliest >= 0 && earliest + lookAhead + windows.graceMs >= streamTime) return;
    earliestWaiting.set(-1);
    // Kafka Streams' order: by timestamp, right records before left ones, then by key.
    const waitingNow = store.fetchAll(Number.MIN_SAFE_INTEGER, streamTime).flatMap(([key, timestamp, entry]) => [
      ...(entry.right.length ? [{ key, id: keyId(key), timestamp, side: 'right' as const, values: entry.right as ReadonlyArray<VL | VR> }] : []),
      ...(entry.left.length ? [{ key, id: keyId(key), timestamp, side: 'left' as const, values: entry.left as ReadonlyArray<VL | VR> }] : []),
    ]);
    waitingNow.sort((a, b) => a.timestamp - b.timestamp || (a.side === b.side ? 0 : a.side === 'right' ? -1 : 1) || compare(a.id, b.id));
    let leftOpen = false;
    let rightOpen = false;
    for (const { key, timestamp, side: waitingSide, values } of waitingNow) {
      if (leftOpen && rightOpen) break;
      earliestWaiting.set(timestamp);
      const waitMs = waitingSide === 'left' ? windows.afterMs : windows.beforeMs;
      if (timestamp + waitMs + windows.graceMs >= streamTime) {
        if (waitingSide === 'left') leftOpen = true;
        else rightOpen = true;
        continue;
      }
      for (const value of values) {
        const out = waitingSide === 'left' ? joiner(value as VL, null, key) : joiner(null, value as VR, key);
        emit(withFields<K, VThis, K, VOut>(record, { key, value: out, timestamp }));
      }
      stopWaiting(store, key, timestamp, waitingSide);
    }
  };

  return recordOperator((record, emit) => {
    const streamTime = time.observe(record.timestamp);
    const nullValue = record.value === null || record.value === undefined;
    if (record.key === null || record.key === undefined) {
      // KIP-962: an outer side keeps a null-key record, joined with null at once (it can never
      // find a partner); it closes no waiting records.
      if (options.outer && !nullValue) return emit(withFields<K, VThis, K, VOut>(record, { value: join(record.value, null, record.key) }));
      return ctx.recordDropped(node, 'null-key');
    }
    if (nullValue) return ctx.recordDropped(node, 'null-value');
    if (waiting && record.timestamp === streamTime) emitClosed(waiting, record, streamTime, emit);

    const from = Math.max(0, record.timestamp - lookBack, joinWindowVisibleFrom(ctx, options.otherWindowedNode, retentionMs));
    const to = Math.max(0, record.timestamp + lookAhead);
    const partners = from <= to ? other.fetchRange(record.key, from, to) : [];
    for (const [timestamp, values] of partners) {
      if (waiting) stopWaiting(waiting, record.key, timestamp, side === 'left' ? 'right' : 'left');
      for (const value of values) emit(withFields<K, VThis, K, VOut>(record, { value: join(record.value, value, record.key), timestamp: Math.max(record.timestamp, timestamp) }));
    }
    if (!options.outer || partners.length > 0) return;
    if (!waiting || to < streamTime) {
      emit(withFields<K, VThis, K, VOut>(record, { value: join(record.value, null, record.key) }));
    } else {
      lowerEarliestWaiting(record.timestamp);
      const entry = waiting.fetch(record.key, record.timestamp) ?? { left: [], right: [] };
      const value = record.value as unknown as VL & VR; // VThis is VL on the left side, VR on the right
      waiting.put(record.key, record.timestamp, side === 'left' ? { ...entry, left: [...entry.left, value] } : { ...entry, right: [...entry.right, value] });
    }
  });
}

/** A partner was found: the other side's records at that key and timestamp wait no more. */
function stopWaiting<K, VL, VR>(store: WindowStore<K, WaitingRecords<VL, VR>>, key: K, timestamp: number, side: 'left' | 'right'): void {
  const entry = store.fetch(key, timestamp);
  if (!entry || entry[side].length === 0) return;
  const rest = side === 'left' ? { ...entry, left: [] } : { ...entry, right: [] };
  if (rest.left.length === 0 && rest.right.length === 0) store.delete(key, timestamp);
  else store.put(key, timestamp, rest);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
