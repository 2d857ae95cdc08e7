import { mergeMap, type OperatorFunction } from 'rxjs';
import { withFields, type StreamRecord } from '../record.ts';

/** Replaces each record with zero or more `[key, value]` pairs, in order (`KStream#flatMap`). */
export function flatMapRecords<K, V, K2, V2>(
  mapper: (key: K, value: V) => Iterable<readonly [K2, V2]>,
): OperatorFunction<StreamRecord<K, V>, StreamRecord<K2, V2>> {
  return mergeMap((record) => [...mapper(record.key, record.value)].map(([key, value]) => withFields<K, V, K2, V2>(record, { key, value })));
}
