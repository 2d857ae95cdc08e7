import type { OperatorFunction } from 'rxjs';
import type { WindowStore } from '../../state/windowStore.ts';
import type { ProcessorContext } from '../processorContext.ts';
import type { Change, StreamRecord, Windowed } from '../record.ts';
import { recordOperator } from './recordOperator.ts';
import { buffered, released, type Buffered } from './suppressionBuffer.ts';

/**
 * Holds back a windowed table's updates and emits exactly one final result per window
 * when it closes (`suppress(Suppressed.untilWindowCloses(unbounded()))`): the buffer
 * keeps the latest update per window (its change as it came: a filter downstream sees the
 * old value of that update, not of the first one buffered, as in Kafka Streams); once the
 * processor's observed stream time reaches `window end + closeDelayMs` (the grace, or what closes the table's windows: see
 * `WindowedTable.closeDelayMs`), the window's result is forwarded with its own timestamp,
 * in window-end order. A final tombstone (a session merged away) is not forwarded. The
 * buffer is a store, so it survives a partition moving to another worker.
 */
export function suppressUntilWindowCloses<K, A>(
  ctx: ProcessorContext,
  node: string,
  bufferStore: string,
  closeDelayMs: number,
): OperatorFunction<StreamRecord<Windowed<K>, Change<A>>, StreamRecord<Windowed<K>, Change<A>>> {
  const buffer = ctx.store<WindowStore<Windowed<K>, Buffered<Windowed<K>, A>>>(bufferStore);
  const time = ctx.processorTime(node);
  return recordOperator((record, emit) => {
    const observed = time.observe(record.timestamp);
    buffer.put(record.key, record.key.window.end, buffered(record));
    for (const [key, windowEnd, entry] of buffer.fetchAll(Number.MIN_SAFE_INTEGER, observed - closeDelayMs)) {
      buffer.delete(key, windowEnd);
      if (entry.change.newValue !== null) emit(released(entry));
    }
  });
}
