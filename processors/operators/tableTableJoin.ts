import type { OperatorFunction } from 'rxjs';
import type { ProcessorContext } from '../processorContext.ts';
import { withFields, type Change, type StreamRecord } from '../record.ts';
import type { ValueGetter } from '../table.ts';
import { recordOperator } from './recordOperator.ts';

/**
 * How one side of a table-table join treats a missing partner:
 * - `inner`: no partner, no result (both sides of an inner join);
 * - `left`: this side is kept, joined with null (this side of a left join);
 * - `right`: this side's updates matter only while the kept side has a value (the other side of a left join);
 * - `outer`: either side is kept (both sides of an outer join).
 */
export type TableJoinSideKind = 'inner' | 'left' | 'right' | 'outer';

/**
 * One side of a table-table join (`KTableKTableInnerJoin`, `…LeftJoin`, `…RightJoin`,
 * `…OuterJoin`): each update of this table looks up the other table's current value for
 * its key and forwards the change of the join result, `Change(join(new, other),
 * join(old, other))`, with timestamp `max(update, other value's timestamp)` (the update's
 * own when the other side has no value). `join` takes this side's value first. A side's
 * update that cannot change the result (see `TableJoinSideKind`) forwards nothing; a
 * deletion on a kept side forwards a deletion. A null key is dropped and counted.
 */
export function tableTableJoin<K, VThis, VOther, VOut>(
  ctx: ProcessorContext,
  node: string,
  kind: TableJoinSideKind,
  other: ValueGetter<K, VOther>,
  join: (value: VThis | null, otherValue: VOther | null, key: K) => VOut,
): OperatorFunction<StreamRecord<K, Change<VThis>>, StreamRecord<K, Change<VOut>>> {
  return recordOperator((record, emit) => {
    if (record.key === null || record.key === undefined) return ctx.recordDropped(node, 'null-key');
    const found = other(record.key);
    const otherValue = found ? found.value : null;
    const { newValue, oldValue } = record.value;
    if (!found && (kind === 'inner' || kind === 'right')) return;
    if (!found && newValue === null && oldValue === null) return;
    // Which of this side's values still produce a result: all of them on the non-kept
    // side of a left join (the kept side has a value), else only present ones unless the
    // other side keeps the result alive (outer join).
    const joins = (value: VThis | null) => kind === 'right' || value !== null || (kind === 'outer' && found !== undefined);
    const change: Change<VOut> = {
      newValue: joins(newValue) ? join(newValue, otherValue, record.key) : null,
      oldValue: joins(oldValue) ? join(oldValue, otherValue, record.key) : null,
    };
    const timestamp = found ? Math.max(record.timestamp, found.timestamp) : record.timestamp;
    emit(withFields<K, Change<VThis>, K, Change<VOut>>(record, { value: change, timestamp }));
  });
}
