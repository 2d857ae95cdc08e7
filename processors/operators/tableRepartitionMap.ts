import type { OperatorFunction } from 'rxjs';
import { keyId } from '../../state/stateStore.ts';
import { withFields, type Change, type StreamRecord } from '../record.ts';
import { recordOperator } from './recordOperator.ts';

/**
 * Re-keys a table's updates for `KTable#groupBy` (`KTableRepartitionMap`): each update's old
 * and new values are mapped by `selector(key, value)` to `[newKey, newValue]`. A pair whose
 * selected key or value is null (or whose table value is null) is skipped. When both pairs
 * have the same key, one record `Change(new, old)` carries both, so the aggregate subtracts
 * and adds in one step (KIP-904, Kafka Streams 3.5+); otherwise `Change(null, old)` goes to
 * the old key first, then `Change(new, null)` to the new one. Timestamps and context stay.
 * A table update with a null key cannot happen; it fails the record.
 */
export function tableRepartitionMap<K, V, K2, V2>(
  node: string,
  selector: (key: K, value: V) => readonly [K2, V2],
): OperatorFunction<StreamRecord<K, Change<V>>, StreamRecord<K2, Change<V2>>> {
  return recordOperator((record, emit) => {
    if (record.key === null || record.key === undefined) throw new Error(`'${node}' got a table update with a null key`);
    const select = (value: V | null) => {
      if (value === null || value === undefined) return undefined;
      const [key, selected] = selector(record.key, value);
      return key === null || key === undefined || selected === null || selected === undefined ? undefined : { key, value: selected };
    };
    const newPair = select(record.value.newValue);
    const oldPair = select(record.value.oldValue);
    const forward = (key: K2, change: Change<V2>) => emit(withFields<K, Change<V>, K2, Change<V2>>(record, { key, value: change }));
    if (oldPair && newPair && keyId(oldPair.key) === keyId(newPair.key)) return forward(newPair.key, { newValue: newPair.value, oldValue: oldPair.value });
    if (oldPair) forward(oldPair.key, { newValue: null, oldValue: oldPair.value });
    if (newPair) forward(newPair.key, { newValue: newPair.value, oldValue: null });
  });
}
