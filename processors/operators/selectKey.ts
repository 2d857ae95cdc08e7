import { map, type OperatorFunction } from 'rxjs';
import { withFields, type StreamRecord } from '../record.ts';

/** Sets the key to `selector(key, value)`, keeping the value (`KStream#selectKey`). */
export function selectKey<K, V, K2>(selector: (key: K, value: V) => K2): OperatorFunction<StreamRecord<K, V>, StreamRecord<K2, V>> {
  return map((record) => withFields<K, V, K2, V>(record, { key: selector(record.key, record.value) }));
}
