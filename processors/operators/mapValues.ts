import { map, type OperatorFunction } from 'rxjs';
import { withFields, type StreamRecord } from '../record.ts';

/** Replaces the value with `mapper(value, key)`; the key, and so the partitioning, stays (`KStream#mapValues`). */
export function mapValues<K, V, V2>(mapper: (value: V, key: K) => V2): OperatorFunction<StreamRecord<K, V>, StreamRecord<K, V2>> {
  return map((record) => withFields<K, V, K, V2>(record, { value: mapper(record.value, record.key) }));
}
