import { tap, type OperatorFunction } from 'rxjs';
import type { StreamRecord } from '../record.ts';

/** Calls `action(key, value)` for each record and forwards it unchanged (`KStream#peek`). */
export function peekRecords<K, V>(action: (key: K, value: V) => void): OperatorFunction<StreamRecord<K, V>, StreamRecord<K, V>> {
  return tap((record) => action(record.key, record.value));
}
