import type { OperatorFunction } from 'rxjs';
import type { KeyValueStore } from '../../state/keyValueStore.ts';
import type { ProcessorContext } from '../processorContext.ts';
import { withFields, type Change, type StreamRecord, type ValueAndTimestamp } from '../record.ts';
import type { FoldStep } from './foldSteps.ts';
import { recordOperator } from './recordOperator.ts';

/** How a grouped table's aggregate takes a value in (`add`, as a stream aggregate does) and gives one back (`subtract`). */
export interface TableFoldSteps<K, V, A> {
  readonly add: FoldStep<K, V, A>;
  readonly subtract: (key: K, value: V, aggregate: A) => A;
}

/**
 * Aggregates a re-keyed table (`KTableAggregate`, `KTableReduce`) in `storeName`. For each
 * `Change(new, old)`: the old value is subtracted from the key's aggregate (if both exist),
 * then the new value is added (a missing or null aggregate starts from the initializer, or
 * from the value itself for a reduce). A null result deletes the key. Forwards
 * `Change(aggregate, previous aggregate)` with timestamp = max(input, the previous
 * aggregate's timestamp). A count that drops to 0 stays 0, as in Kafka Streams.
 */
export function tableAggregate<K, V, A>(
  ctx: ProcessorContext,
  node: string,
  storeName: string,
  steps: TableFoldSteps<K, V, A>,
): OperatorFunction<StreamRecord<K, Change<V>>, StreamRecord<K, Change<A>>> {
  const store = ctx.store<KeyValueStore<K, ValueAndTimestamp<A>>>(storeName);
  return recordOperator((record, emit) => {
    const key = record.key;
    if (key === null || key === undefined) throw new Error(`'${node}' got a record with a null key; KTABLE-SELECT never forwards one`);
    const { newValue, oldValue } = record.value;
    const old = store.get(key);
    let aggregate: A | null = old ? old.value : null;
    if (oldValue !== null && old) aggregate = steps.subtract(key, oldValue, old.value);
    if (newValue !== null) aggregate = steps.add(key, newValue, aggregate === null || aggregate === undefined ? undefined : { value: aggregate });
    const timestamp = old ? Math.max(record.timestamp, old.timestamp) : record.timestamp;
    if (aggregate === null || aggregate === undefined) store.delete(key);
    else store.put(key, { value: aggregate, timestamp });
    emit(withFields<K, Change<V>, K, Change<A>>(record, { value: { newValue: aggregate ?? null, oldValue: old ? old.value : null }, timestamp }));
  });
}
