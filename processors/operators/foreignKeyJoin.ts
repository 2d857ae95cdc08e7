import { createHash } from 'node:crypto';
import type { OperatorFunction } from 'rxjs';
import type { WindowStore } from '../../state/windowStore.ts';
import { keyId } from '../../state/stateStore.ts';
import type { ProcessorContext } from '../processorContext.ts';
import { withFields, type Change, type StreamRecord } from '../record.ts';
import type { ValueGetter } from '../table.ts';
import { recordOperator } from './recordOperator.ts';

/**
 * What a subscription asks of the foreign side (Kafka Streams' `SubscriptionWrapper.Instruction`):
 * - `delete-no-propagate`: forget the subscription, answer nothing (the row moved to another foreign key);
 * - `delete-and-propagate`: forget it and answer null (the row is gone, or its foreign key became null);
 * - `propagate-null-if-absent`: keep it and answer the foreign value, null if there is none (left joins, a moved row);
 * - `propagate-if-present`: keep it and answer the foreign value only if there is one.
 */
export type SubscriptionInstruction = 'delete-no-propagate' | 'delete-and-propagate' | 'propagate-null-if-absent' | 'propagate-if-present';

/** A row's subscription to its foreign key, sent keyed by the foreign key. */
export interface Subscription<K> {
  readonly instruction: SubscriptionInstruction;
  /** The hash of the row's value when it subscribed (`valueHash`); null for a deleted row. */
  readonly hash: string | null;
  readonly primaryKey: K;
  /** The partition of the row's table: the answer goes back there. */
  readonly primaryPartition: number;
}

/** The foreign side's answer to a subscription, sent keyed by the row's key. */
export interface SubscriptionResponse<VF> {
  /** The hash the subscription carried: the answer is used only if the row's value still has it. */
  readonly hash: string | null;
  readonly foreignValue: VF | null;
  readonly primaryPartition: number;
}

/** A subscription as the foreign side keeps it. */
type Subscriber<K> = Omit<Subscription<K>, 'instruction'>;

/**
 * Where a row's subscription lies among its foreign key's: the subscription store is a window
 * store without retention, keyed by foreign key, whose "time" is a 48-bit hash of the row's key,
 * so one subscription is written alone and a foreign key's subscribers are one range read (Kafka
 * Streams' prefix scan over (foreign key, row key)). Rows whose keys share a hash share a slot.
 */
function slotOf(primaryKey: unknown): number {
  return Number.parseInt(createHash('md5').update(keyId(primaryKey)).digest('hex').slice(0, 12), 16);
}

const ALL_SLOTS = [0, 2 ** 48] as const;

/**
 * The hash a subscription carries of its row's value. Of the value's JSON, which is how a
 * store keeps it: a value read back from the store hashes as the value that was written.
 */
export function valueHash(value: unknown): string | null {
  return value === null || value === undefined ? null : createHash('md5').update(JSON.stringify(value)).digest('hex');
}

/**
 * The row side's subscriptions (`SubscriptionSendProcessorSupplier`): each change of a row
 * subscribes it to its foreign key, unsubscribing it from the old one if that changed, as
 * Kafka Streams' instructions say. An inner join skips a row whose foreign key is null; a left
 * join subscribes it under a null key, so that its answer (null) comes back.
 */
export function subscriptionSend<K, V, KF>(
  ctx: ProcessorContext,
  node: string,
  foreignKey: (value: V, key: K) => KF | null,
  leftJoin: boolean,
): OperatorFunction<StreamRecord<K, Change<V>>, StreamRecord<KF | null, Subscription<K>>> {
  return recordOperator((record, emit) => {
    const { newValue, oldValue } = record.value;
    const hash = valueHash(newValue);
    const send = (key: KF | null, instruction: SubscriptionInstruction) =>
      emit(withFields<K, Change<V>, KF | null, Subscription<K>>(record, { key, value: { instruction, hash, primaryKey: record.key, primaryPartition: record.partition } }));
    const newKey = newValue === null ? null : foreignKey(newValue, record.key);
    if (oldValue === null) {
      if (newValue === null) return;
      if (newKey === null && !leftJoin) return ctx.recordDropped(node, 'null-key');
      return send(newKey, leftJoin ? 'propagate-null-if-absent' : 'propagate-if-present');
    }
    const oldKey = foreignKey(oldValue, record.key);
    const moved = oldKey !== null && (newKey === null || keyId(newKey) !== keyId(oldKey));
    if (leftJoin) {
      if (moved) send(oldKey, 'delete-no-propagate');
      return send(newKey, 'propagate-null-if-absent');
    }
    if (oldKey === null && newKey === null) return ctx.recordDropped(node, 'null-key');
    if (oldKey === null) return send(newKey, 'propagate-if-present');
    if (newKey === null) return send(oldKey, 'delete-and-propagate');
    if (moved) {
      send(oldKey, 'delete-no-propagate');
      return send(newKey, 'propagate-null-if-absent');
    }
    send(newKey, 'propagate-if-present');
  });
}

/**
 * The foreign side keeps the subscriptions it receives (`SubscriptionReceiveProcessorSupplier`),
 * each in its own slot of its foreign key (`slotOf`), and passes each on to be answered.
 * A null foreign key is kept nowhere: only a left join's subscription has one, and it is
 * answered with null at once; any other is dropped.
 */
export function subscriptionReceive<K, KF>(
  ctx: ProcessorContext,
  node: string,
  storeName: string,
): OperatorFunction<StreamRecord<KF | null, Subscription<K>>, StreamRecord<KF | null, Subscription<K>>> {
  const store = ctx.store<WindowStore<KF, ReadonlyArray<Subscriber<K>>>>(storeName);
  return recordOperator((record, emit) => {
    const { instruction, primaryKey, hash, primaryPartition } = record.value;
    if (record.key === null || record.key === undefined) {
      if (instruction !== 'propagate-null-if-absent') return ctx.recordDropped(node, 'null-key');
      return emit(record);
    }
    const slot = slotOf(primaryKey);
    const others = (store.fetch(record.key, slot) ?? []).filter((s) => keyId(s.primaryKey) !== keyId(primaryKey));
    const sharers = instruction.startsWith('delete') ? others : [...others, { primaryKey, hash, primaryPartition }];
    if (sharers.length === 0) store.delete(record.key, slot);
    else store.put(record.key, slot, sharers);
    emit(record);
  });
}

/**
 * Answers a subscription with the foreign table's current value (`SubscriptionJoinProcessorSupplier`),
 * keyed by the row's key, at the later of the subscription's and the foreign value's timestamps.
 */
export function subscriptionJoin<K, KF, VF>(foreign: ValueGetter<KF, VF>): OperatorFunction<StreamRecord<KF | null, Subscription<K>>, StreamRecord<K, SubscriptionResponse<VF>>> {
  return recordOperator((record, emit) => {
    const { instruction, hash, primaryKey, primaryPartition } = record.value;
    const found = record.key === null ? undefined : foreign(record.key);
    const timestamp = found ? Math.max(record.timestamp, found.timestamp) : record.timestamp;
    const answer = (foreignValue: VF | null) =>
      emit(withFields<KF | null, Subscription<K>, K, SubscriptionResponse<VF>>(record, { key: primaryKey, value: { hash, foreignValue, primaryPartition }, timestamp }));
    if (instruction === 'delete-and-propagate') answer(null);
    else if (instruction === 'propagate-null-if-absent') answer(found ? found.value : null);
    else if (instruction === 'propagate-if-present' && found) answer(found.value);
  });
}

/**
 * A change of the foreign table answers every row subscribed to its key
 * (`ForeignTableJoinProcessorSupplier`), in the order of the rows' keys, at the change's
 * timestamp. A null key is dropped and counted.
 */
export function foreignTableJoin<K, KF, VF>(
  ctx: ProcessorContext,
  node: string,
  storeName: string,
): OperatorFunction<StreamRecord<KF, Change<VF>>, StreamRecord<K, SubscriptionResponse<VF>>> {
  const store = ctx.store<WindowStore<KF, ReadonlyArray<Subscriber<K>>>>(storeName);
  return recordOperator((record, emit) => {
    if (record.key === null || record.key === undefined) return ctx.recordDropped(node, 'null-key');
    const subscribers = store
      .fetchRange(record.key, ...ALL_SLOTS)
      .flatMap(([, sharers]) => sharers.map((s) => [keyId(s.primaryKey), s] as const))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    for (const [, { primaryKey, hash, primaryPartition }] of subscribers) {
      emit(withFields<KF, Change<VF>, K, SubscriptionResponse<VF>>(record, { key: primaryKey, value: { hash, foreignValue: record.value.newValue, primaryPartition } }));
    }
  });
}

/**
 * Joins an answer with the row it answers (`ResponseJoinProcessorSupplier`), if the row's
 * value is still the one that subscribed (same hash); a stale answer is dropped. Without a
 * foreign value the result is null (a deletion), except in a left join while the row exists.
 */
export function responseJoin<K, V, VF, VR>(
  rows: ValueGetter<K, V>,
  joiner: (value: V | null, foreignValue: VF | null, key: K) => VR,
  leftJoin: boolean,
): OperatorFunction<StreamRecord<K, SubscriptionResponse<VF>>, StreamRecord<K, VR | null>> {
  return recordOperator((record, emit) => {
    const current = rows(record.key);
    if (record.value.hash !== valueHash(current ? current.value : null)) return;
    const { foreignValue } = record.value;
    const result = foreignValue === null && (!leftJoin || !current) ? null : joiner(current ? current.value : null, foreignValue, record.key);
    emit(withFields<K, SubscriptionResponse<VF>, K, VR | null>(record, { value: result }));
  });
}
