import { merge, type Observable } from 'rxjs';
import type { KeyValueStore } from '../../state/keyValueStore.ts';
import type { ProcessorContext } from '../processorContext.ts';
import { withFields, type Change, type StreamRecord, type ValueAndTimestamp } from '../record.ts';
import { recordOperator } from './recordOperator.ts';

/**
 * The result of a table-table join (`KTableKTableJoinMerger`): the changes of both sides'
 * join processors, in processing order. With a store, the result is materialized there
 * (a null result deletes the key) and each change carries the stored value it replaces.
 */
export function tableJoinMerger<K, V>(
  ctx: ProcessorContext,
  storeName: string | undefined,
  inputs: ReadonlyArray<Observable<StreamRecord<K, Change<V>>>>,
): Observable<StreamRecord<K, Change<V>>> {
  const merged = merge(...inputs);
  if (storeName === undefined) return merged;
  const store = ctx.store<KeyValueStore<K, ValueAndTimestamp<V>>>(storeName);
  return merged.pipe(
    recordOperator<StreamRecord<K, Change<V>>, StreamRecord<K, Change<V>>>((record, emit) => {
      const old = store.get(record.key);
      const { newValue } = record.value;
      if (newValue === null) store.delete(record.key);
      else store.put(record.key, { value: newValue, timestamp: record.timestamp });
      emit(withFields(record, { value: { newValue, oldValue: old?.value ?? null } }));
    }),
  );
}
