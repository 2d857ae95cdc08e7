// The Order aggregate's facts come from six topics, and a task reads each at its own pace: a
// shipment can be read before the reservation it follows, a payment before the order. The
// aggregate decides against what it has seen, so it would refuse such a fact as out of order
// ("cannot ship an order that is paid") and the order would never complete. The resequencer
// (the Resequencer of Enterprise Integration Patterns) holds a fact until the one it follows
// has passed, then lets both through, in the order they happened.
import type { KeyValueStore, Stream, TopologyBuilder } from '../../index.ts';
import type { OrderCommand } from './aggregate.ts';

type FactType = OrderCommand['type'];

/** The fact each fact follows: a payment follows the order, stock follows the payment, …; a cancellation, the order. */
export const FOLLOWS: Readonly<Record<FactType, FactType | null>> = {
  PlaceOrder: null,
  ConfirmPayment: 'PlaceOrder',
  ReserveInventory: 'ConfirmPayment',
  ShipOrder: 'ReserveInventory',
  CompleteOrder: 'ShipOrder',
  CancelOrder: 'PlaceOrder',
};

/** A fact with its record's timestamp, which it keeps while held. */
export interface TimedFact {
  readonly fact: OrderCommand;
  readonly timestamp: number;
}

/** What the resequencer knows of one order: the kinds of facts that passed, and those held until what they follow passes. */
export interface FactsSeen {
  readonly passed: readonly FactType[];
  readonly held: readonly TimedFact[];
}

export const NOTHING_SEEN: FactsSeen = { passed: [], held: [] };

/**
 * One fact more: what is known after it, and the facts that pass now, in the order they
 * happened — the fact itself if what it follows has passed (a repeated fact passes again:
 * judging it is the aggregate's business), then every held fact this lets through, and so
 * on. A fact whose predecessor never comes stays held.
 */
export function resequence(known: FactsSeen, next: TimedFact): { readonly known: FactsSeen; readonly pass: readonly TimedFact[] } {
  const passed = new Set(known.passed);
  let held = [...known.held, next];
  const pass: TimedFact[] = [];
  for (let i = held.findIndex(canPass); i >= 0; i = held.findIndex(canPass)) {
    const { fact } = held[i]!;
    pass.push(held[i]!);
    passed.add(fact.type);
    held = held.filter((_, j) => j !== i);
  }
  return { known: { passed: [...passed], held }, pass };

  function canPass({ fact }: TimedFact): boolean {
    const follows = FOLLOWS[fact.type];
    return follows === null || passed.has(follows);
  }
}

/**
 * An order's facts (keyed by order id, co-partitioned) in the order they happened
 * (`resequence`), each with its own timestamp; what is known per order is kept in the
 * key-value store `store`. The output is marked as rekeyed (a processor's keys are its
 * own), so an aggregate after it reads it through a repartition topic: that topic holds the
 * facts in their order.
 */
export function resequenced(app: TopologyBuilder, facts: Stream<string, OrderCommand>, store: string): Stream<string, OrderCommand> {
  app.addStore({ name: store, kind: 'keyValue' });
  return facts.process<string, OrderCommand>(
    (context) => {
      const seen = context.store<KeyValueStore<string, FactsSeen>>(store);
      return {
        process({ key, value, timestamp }) {
          const { known, pass } = resequence(seen.get(key) ?? NOTHING_SEEN, { fact: value, timestamp });
          seen.put(key, known);
          for (const { fact, timestamp: at } of pass) context.forward(key, fact, { timestamp: at });
        },
      };
    },
    { name: store, stores: [store] },
  );
}
