// A topology reads each of its input topics at its own pace, and the facts of one order carry
// the order's own time, so it may read a fact before the one it follows: a shipment before the
// reservation, a payment before the order. Whoever decides on what it has seen then decides
// wrong ("cannot ship an order that is paid"), or not at all (an event for a process not
// started yet is dropped). The resequencer (the Resequencer of Enterprise Integration
// Patterns) holds a fact until the one it follows has passed, then lets both through, in the
// order they happened. It knows the facts only by kind: each kind follows one other, or none.
import type { CancellationReason, KeyValueStore, Stream, TopologyBuilder } from '../../index.ts';
import type { OrderCommand } from './aggregate.ts';

/** How facts follow each other: each fact's kind, and the kind it follows (null: it follows nothing). */
export interface FactOrder<V> {
  kindOf(fact: V): string;
  follows(fact: V): string | null;
}

/** The Order aggregate's facts, as commands: a payment follows the order, stock the payment, the shipment the stock, the completion the shipment. */
const FOLLOWS: Readonly<Record<Exclude<OrderCommand['type'], 'CancelOrder'>, OrderCommand['type'] | null>> = {
  PlaceOrder: null,
  ConfirmPayment: 'PlaceOrder',
  ReserveInventory: 'ConfirmPayment',
  ShipOrder: 'ReserveInventory',
  CompleteOrder: 'ShipOrder',
};

/**
 * A cancellation follows the order, and the step before the one that failed: stock is only
 * asked for once the payment is confirmed, a shipment once the stock is reserved (both flows
 * go payment, inventory, shipping), so the aggregate sees what the cancellation undoes.
 */
const CANCEL_FOLLOWS: Readonly<Partial<Record<CancellationReason, OrderCommand['type']>>> = { INVENTORY_UNAVAILABLE: 'ConfirmPayment', SHIPPING_FAILED: 'ReserveInventory' };

/** The order of the Order aggregate's facts (`FOLLOWS`, `CANCEL_FOLLOWS`). */
export const ORDER_COMMANDS: FactOrder<OrderCommand> = {
  kindOf: (c) => c.type,
  follows: (c) => (c.type === 'CancelOrder' ? (CANCEL_FOLLOWS[c.reason] ?? 'PlaceOrder') : FOLLOWS[c.type]),
};

/** A fact with its record's timestamp, which it keeps while held. */
export interface TimedFact<V> {
  readonly fact: V;
  readonly timestamp: number;
}

/** What the resequencer knows of one order: the kinds of facts that passed, and those held until what they follow passes. */
export interface FactsSeen<V> {
  readonly passed: readonly string[];
  readonly held: readonly TimedFact<V>[];
}

export const NOTHING_SEEN: FactsSeen<never> = { passed: [], held: [] };

/**
 * One fact more: what is known after it, and the facts that pass now, in the order they
 * happened — the fact itself if what it follows has passed (a repeated fact passes again:
 * judging it is the receiver's business), then every held fact this lets through, and so
 * on. A fact whose predecessor never comes stays held.
 */
export function resequence<V>(order: FactOrder<V>, known: FactsSeen<V>, next: TimedFact<V>): { readonly known: FactsSeen<V>; readonly pass: readonly TimedFact<V>[] } {
  const passed = new Set(known.passed);
  const canPass = ({ fact }: TimedFact<V>): boolean => {
    const follows = order.follows(fact);
    return follows === null || passed.has(follows);
  };
  let held = [...known.held, next];
  const pass: TimedFact<V>[] = [];
  for (let i = held.findIndex(canPass); i >= 0; i = held.findIndex(canPass)) {
    pass.push(held[i]!);
    passed.add(order.kindOf(held[i]!.fact));
    held = held.filter((_, j) => j !== i);
  }
  return { known: { passed: [...passed], held }, pass };
}

/**
 * An order's facts (keyed by order id, from co-partitioned inputs: the caller says so with
 * `app.requireCoPartitioned`) in the order they happened (`resequence`), each with its own
 * timestamp; what is known per order is kept in the key-value store `store`. The output is
 * marked as rekeyed (a processor's keys are its own), so what reads it after a repartition
 * topic reads the facts in their order.
 */
export function resequenced<V>(app: TopologyBuilder, facts: Stream<string, V>, order: FactOrder<V>, store: string): Stream<string, V> {
  app.addStore({ name: store, kind: 'keyValue' });
  return facts.process<string, V>(
    (context) => {
      const seen = context.store<KeyValueStore<string, FactsSeen<V>>>(store);
      return {
        process({ key, value, timestamp }) {
          const { known, pass } = resequence(order, seen.get(key) ?? NOTHING_SEEN, { fact: value, timestamp });
          seen.put(key, known);
          for (const { fact, timestamp: at } of pass) context.forward(key, fact, { timestamp: at });
        },
      };
    },
    { name: store, stores: [store] },
  );
}
