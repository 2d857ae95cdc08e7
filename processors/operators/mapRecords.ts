import { map, type OperatorFunction } from 'rxjs';
import { withFields, type StreamRecord } from '../record.ts';

/** Replaces key and value with `mapper(key, value)` (`KStream#map`); timestamp and headers stay. */
export function mapRecords<K, V, K2, V2>(mapper: (key: K, value: V) => readonly [K2, V2]): OperatorFunction<StreamRecord<K, V>, StreamRecord<K2, V2>> {
  return map((record) => {
    const [key, value] = mapper(record.key, record.value);
    return withFields<K, V, K2, V2>(record, { key, value });
  });
}
