import type { OperatorFunction } from 'rxjs';
import type { ProcessorContext } from '../processorContext.ts';
import { withFields, type StreamRecord } from '../record.ts';
import type { ValueGetter } from '../table.ts';
import { recordOperator } from './recordOperator.ts';

/**
 * Joins each stream record with a table's current value (`KStreamKTableJoin`, and
 * `KStreamGlobalKTableJoin` with a key selector): looks up `lookupKey(key, value)` and
 * forwards `joiner(value, tableValue, key)` with the stream record's key and timestamp.
 * Without a table value an inner join forwards nothing and a left join calls the joiner
 * with null. A record with a null value is dropped and counted. One whose lookup key (the
 * record key for a table, the selected key for a global table) is null is dropped and
 * counted by an inner join, and joined with null by a left join (KIP-962, Kafka Streams
 * 3.7+). Table updates reach only the table: they never trigger output here.
 */
export function streamTableJoin<K, V, KT, VT, VOut>(
  ctx: ProcessorContext,
  node: string,
  table: ValueGetter<KT, VT>,
  lookupKey: (key: K, value: V) => KT | null | undefined,
  joiner: (value: V, tableValue: VT | null, key: K) => VOut,
  leftJoin: boolean,
): OperatorFunction<StreamRecord<K, V>, StreamRecord<K, VOut>> {
  return recordOperator((record, emit) => {
    if (record.value === null || record.value === undefined) return ctx.recordDropped(node, 'null-value');
    const key = lookupKey(record.key, record.value);
    if (key === null || key === undefined) {
      if (leftJoin) emit(withFields<K, V, K, VOut>(record, { value: joiner(record.value, null, record.key) }));
      else ctx.recordDropped(node, 'null-key');
      return;
    }
    const found = table(key);
    if (!found && !leftJoin) return;
    emit(withFields<K, V, K, VOut>(record, { value: joiner(record.value, found ? found.value : null, record.key) }));
  });
}
