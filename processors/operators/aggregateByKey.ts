import type { OperatorFunction } from 'rxjs';
import type { KeyValueStore } from '../../state/keyValueStore.ts';
import type { ProcessorContext } from '../processorContext.ts';
import { withFields, type Change, type StreamRecord, type ValueAndTimestamp } from '../record.ts';
import { oldAggregate, type FoldStep } from './foldSteps.ts';
import { recordOperator } from './recordOperator.ts';

/**
 * Folds each key's records into an aggregate kept in `storeName` (`KStreamAggregate`).
 * A record with a null key or null value is dropped and counted. The first record of a
 * key is folded with `previous` undefined (an aggregate starts from its initializer, a
 * reduce from the value itself). Forwards `Change(new, old)` for every update, with
 * timestamp = max(input timestamp, the aggregate's previous timestamp).
 */
export function aggregateByKey<K, V, A>(
  ctx: ProcessorContext,
  node: string,
  storeName: string,
  fold: FoldStep<K, V, A>,
): OperatorFunction<StreamRecord<K, V>, StreamRecord<K, Change<A>>> {
  const store = ctx.store<KeyValueStore<K, ValueAndTimestamp<A>>>(storeName);
  return recordOperator((record, emit) => {
    if (record.key === null || record.key === undefined) return ctx.recordDropped(node, 'null-key');
    if (record.value === null || record.value === undefined) return ctx.recordDropped(node, 'null-value');
    const old = store.get(record.key);
    const timestamp = old ? Math.max(record.timestamp, old.timestamp) : record.timestamp;
    const value = fold(record.key, record.value, old);
    store.put(record.key, { value, timestamp });
    emit(withFields<K, V, K, Change<A>>(record, { value: { newValue: value, oldValue: oldAggregate(fold, old) }, timestamp }));
  });
}
