import type { OperatorFunction } from 'rxjs';
import type { WindowStore } from '../../state/windowStore.ts';
import type { ProcessorContext } from '../processorContext.ts';
import type { Change, StreamRecord } from '../record.ts';
import { recordOperator } from './recordOperator.ts';
import { buffered, released, type Buffered } from './suppressionBuffer.ts';

/**
 * Rate-limits a table's updates (`suppress(Suppressed.untilTimeLimit(limit, unbounded()))`):
 * an update of a key waits in the buffer, replaced by the key's later updates, until the
 * processor's observed stream time is `limitMs` past the time the key entered the buffer (not
 * its latest update: Kafka Streams' buffer does not reset it); then the latest update is
 * forwarded with its own timestamp and context, tombstones included, in the order the keys
 * entered, then by key. The buffer is a window store by entry time, so it survives a partition
 * moving to another worker.
 */
export function suppressUntilTimeLimit<K, V>(
  ctx: ProcessorContext,
  node: string,
  bufferStore: string,
  limitMs: number,
): OperatorFunction<StreamRecord<K, Change<V>>, StreamRecord<K, Change<V>>> {
  const buffer = ctx.store<WindowStore<K, Buffered<K, V>>>(bufferStore);
  const time = ctx.processorTime(node);
  return recordOperator((record, emit) => {
    const observed = time.observe(record.timestamp);
    // A key has one entry, at the time it entered.
    const [waiting] = buffer.fetchRange(record.key, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
    buffer.put(record.key, waiting ? waiting[0] : record.timestamp, buffered(record));
    for (const [key, entered, entry] of buffer.fetchAll(Number.MIN_SAFE_INTEGER, observed - limitMs)) {
      buffer.delete(key, entered);
      emit(released(entry));
    }
  });
}
