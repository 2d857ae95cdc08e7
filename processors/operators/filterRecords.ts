import { filter, type OperatorFunction } from 'rxjs';
import type { StreamRecord } from '../record.ts';

/** Keeps the records for which `predicate(key, value)` holds (`KStream#filter`); `keep: false` inverts it (`filterNot`). */
export function filterRecords<K, V>(predicate: (key: K, value: V) => boolean, keep = true): OperatorFunction<StreamRecord<K, V>, StreamRecord<K, V>> {
  return filter((record) => predicate(record.key, record.value) === keep);
}
