// How a choreography policy reads the other services' events and issues its own service's
// commands: the catalogue's topics, keyed by order id, with their Avro serdes.
import { dedupe, enrich, JoinWindows, type OrderCancelled, type Stream, type Table, type TopicValues, type TopologyBuilder } from '../../../index.ts';
import { orderTopic, readTopic, type OrderTopic } from '../orderTopics.ts';

/** The catalogued topics whose records are events: they carry an `eventId`. */
export type EventTopic = { [T in OrderTopic]: TopicValues[T] extends { readonly eventId: string } ? T : never }[OrderTopic];

/**
 * How long a policy remembers the ids of the events it acted on (stream time). A redelivery
 * or a service's repeated answer within it issues no second command; a day covers a
 * worker's crash and an at-least-once replay with room to spare.
 */
export const POLICY_DEDUPE_TTL_MS = 24 * 3600_000;

/**
 * The events that trigger a command, each event id once per order within
 * `POLICY_DEDUPE_TTL_MS`: without it a service answering a repeated command again would
 * make every policy after it repeat its command too, all the way down the flow.
 */
export function eachEventOnce<V extends { readonly eventId: string }>(events: Stream<string, V>, name: string): Stream<string, V> {
  return dedupe(events, (record) => record.value.eventId, POLICY_DEDUPE_TTL_MS, { name: `${name}-once` });
}

/** A trigger topic's events, each once (`eachEventOnce`), named after the topic. */
export function triggers<T extends EventTopic>(app: TopologyBuilder, topic: T): Stream<string, TopicValues[T]> {
  return eachEventOnce(readTopic(app, topic) as Stream<string, TopicValues[T] & { readonly eventId: string }>, topic);
}

/**
 * Each event with the earlier fact of its order that it needs (the order before its payment is
 * reserved, the reservation before it is released on a failed shipment, the charge before it
 * is refunded), whichever of the two the policy reads first. A policy reads each topic at its
 * own pace, so the fact an event follows may be read after it: a lookup in a table of those
 * facts would find nothing, and nothing would happen. A windowed join (`POLICY_DEDUPE_TTL_MS`
 * either way; stores `<name>-this-join-store`, `<name>-other-join-store`) forwards
 * `combine(event, fact)` once both are read, with the later timestamp. Once per pair: a
 * repeated event or fact forwards again, so a command issued from it is deduped downstream.
 */
export function withEarlierFact<V, F, R>(events: Stream<string, V>, facts: Stream<string, F>, combine: (event: V, fact: F) => R, name: string): Stream<string, R> {
  return events.join(facts, (event, fact) => combine(event, fact), JoinWindows.ofTimeDifferenceWithNoGrace(POLICY_DEDUPE_TTL_MS), { name, storeName: name });
}

/** Writes commands to their catalogued topic. */
export function issueCommands<T extends OrderTopic>(commands: Stream<string, TopicValues[T]>, topic: T): void {
  const binding = orderTopic(topic);
  commands.to(binding.name, { serdes: binding.serdes, name: `to-${topic}` });
}

/**
 * The cancellations as they come, and the orders cancelled so far by order id (store
 * `cancelled-orders`), read once from `orders.order.cancelled`.
 */
export function cancellations(app: TopologyBuilder): { readonly events: Stream<string, OrderCancelled>; readonly cancelled: Table<string, OrderCancelled> } {
  const events = readTopic(app, 'orders.order.cancelled');
  return { events, cancelled: events.toTable({ store: 'cancelled-orders', name: 'cancelled-orders' }) };
}

/**
 * Each event with what `decide(event, row)` makes of it and the table's row for its key (as
 * of the event's processing; null when there is none): zero or more values, under the
 * event's key. The stream stays partitioned as it was, so a dedupe after it needs no
 * repartition (unlike `enrich` dropping missing rows).
 */
export function decideWithTable<V, VT, VOut>(events: Stream<string, V>, table: Table<string, VT>, decide: (event: V, row: VT | null) => readonly VOut[], name: string): Stream<string, VOut> {
  return enrich(events, table, decide, { name, missingRow: 'pass' }).flatMapValues((decided) => decided, { name: `${name}-decided` });
}

/**
 * The events of orders not cancelled when the event is processed: a policy takes no step
 * forward for a cancelled order. A cancellation that arrives after the step was taken is
 * the compensations' business.
 */
export function unlessCancelled<V>(events: Stream<string, V>, cancelled: Table<string, OrderCancelled>, name: string): Stream<string, V> {
  return decideWithTable(events, cancelled, (event, cancellation) => (cancellation === null ? [event] : []), `${name}-unless-cancelled`);
}

/** Something that calls for a step to be undone: the event that says so, why, and when (its time). */
export interface Undone {
  readonly eventId: string;
  readonly reason: string;
  readonly at: number;
}

/** Why a cancellation undoes a step, as compensations' reasons read. */
export function cancelledBecause(cancellation: OrderCancelled): string {
  return `order cancelled: ${cancellation.reason}`;
}

/**
 * Each order's first command of one kind within `POLICY_DEDUPE_TTL_MS`: a compensation has
 * several triggers (a failure, a cancellation, a late answer) that may all come, and is
 * issued once.
 */
export function oncePerOrder<V>(commands: Stream<string, V>, name: string): Stream<string, V> {
  return dedupe(commands, () => name, POLICY_DEDUPE_TTL_MS, { name: `${name}-once-per-order` });
}
