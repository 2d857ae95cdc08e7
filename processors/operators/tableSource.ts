import type { OperatorFunction } from 'rxjs';
import type { KeyValueStore } from '../../state/keyValueStore.ts';
import type { ProcessorContext } from '../processorContext.ts';
import { withFields, type Change, type StreamRecord, type ValueAndTimestamp } from '../record.ts';
import { recordOperator } from './recordOperator.ts';

/**
 * Materializes a changelog into a store (`KTableSource`): a value upserts its key, a
 * null value deletes it; forwards `Change(new, old)` with the input's timestamp (a
 * tombstone for an absent key too, as Kafka Streams does without caching).
 * A record with a null key is dropped and counted.
 */
export function tableSource<K, V>(ctx: ProcessorContext, storeName: string): OperatorFunction<StreamRecord<K, V | null>, StreamRecord<K, Change<V>>> {
  const store = ctx.store<KeyValueStore<K, ValueAndTimestamp<V>>>(storeName);
  return recordOperator((record, emit) => {
    if (record.key === null || record.key === undefined) return ctx.recordDropped(storeName, 'null-key');
    const old = store.get(record.key);
    if (record.value === null || record.value === undefined) store.delete(record.key);
    else store.put(record.key, { value: record.value, timestamp: record.timestamp });
    emit(withFields<K, V | null, K, Change<V>>(record, { value: { newValue: record.value ?? null, oldValue: old?.value ?? null } }));
  });
}
