import type { OperatorFunction } from 'rxjs';
import type { WindowStore } from '../../state/windowStore.ts';
import type { ProcessorContext } from '../processorContext.ts';
import type { StreamRecord } from '../record.ts';
import { recordOperator } from './recordOperator.ts';

/**
 * What a join window store keeps per key and timestamp: every value that arrived with
 * them, oldest first (Kafka Streams' join stores retain duplicates).
 */
export type JoinWindowValues<V> = readonly V[];

/**
 * One side of a stream-stream join (`KStreamJoinWindow`): forwards each record to the
 * side's join processor, then keeps it in the side's window store under its timestamp,
 * so the other side's records can find it. Records with a null key or value are
 * forwarded (the join counts them) but not kept. The store behaves as Kafka Streams'
 * window store: its observed time is the largest timestamp kept through this node, and a
 * record at or before `observed - retention` is not kept (dropped as `expired-window`).
 */
export function joinWindow<K, V>(ctx: ProcessorContext, node: string, storeName: string, retentionMs: number): OperatorFunction<StreamRecord<K, V>, StreamRecord<K, V>> {
  const store = ctx.store<WindowStore<K, JoinWindowValues<V>>>(storeName);
  const time = ctx.processorTime(node);
  return recordOperator((record, emit) => {
    // Forward first: in a self-join the other side must not see the record in this store
    // until this side's join has run, as in Kafka Streams.
    emit(record);
    if (record.key === null || record.key === undefined || record.value === null || record.value === undefined) return;
    const observed = time.observe(record.timestamp);
    if (record.timestamp <= observed - retentionMs) return ctx.recordDropped(node, 'expired-window');
    const kept = store.fetch(record.key, record.timestamp) ?? [];
    store.put(record.key, record.timestamp, [...kept, record.value]);
  });
}

/**
 * The earliest timestamp a join may still see in the store that `windowedNode` fills:
 * Kafka Streams' window stores hide what is at or before their observed time minus
 * retention, even before it is deleted.
 */
export function joinWindowVisibleFrom(ctx: ProcessorContext, windowedNode: string, retentionMs: number): number {
  return ctx.processorTime(windowedNode).current() - retentionMs + 1;
}
