import { mergeMap, type OperatorFunction } from 'rxjs';
import { withFields, type StreamRecord } from '../record.ts';

/** Replaces each record with one record per value of `mapper(value, key)`, keeping the key (`KStream#flatMapValues`). */
export function flatMapValues<K, V, V2>(mapper: (value: V, key: K) => Iterable<V2>): OperatorFunction<StreamRecord<K, V>, StreamRecord<K, V2>> {
  return mergeMap((record) => [...mapper(record.value, record.key)].map((value) => withFields<K, V, K, V2>(record, { value })));
}
