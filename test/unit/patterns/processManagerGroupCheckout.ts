import { processManager } from '../../../processors/patterns/processManager/index.ts';
import { groupCheckout } from '../../../topologies/orders/groupCheckout.ts';

export { groupCheckout, type GroupCheckoutState } from '../../../topologies/orders/groupCheckout.ts';
import { TopologyTestDriver } from '../../../runtime/topologyTestDriver.ts';
import { testTopology } from '../processors/stringTopology.ts';
import type {
  GroupCheckoutStarted,
  GuestCheckoutCompleted,
  GuestCheckoutFailed,
  TopicValues,
} from '../../../schemas/generated/types.ts';

/** The order domain's group checkout (topologies/orders/groupCheckout.ts) as the tests drive it: the catalogue's topics, JSON. */
export const TOPICS = {
  started: 'checkout.group.started',
  guestCompleted: 'checkout.guest.completed',
  guestFailed: 'checkout.guest.failed',
  completed: 'checkout.group.completed',
  failed: 'checkout.group.failed',
  timedOut: 'checkout.group.timed-out',
} as const satisfies Record<string, keyof TopicValues>;

/** The group checkout topology: the three inputs into the process manager, its three outputs to their topics. */
export function groupCheckoutTopology(options: { punctuationIntervalMs?: number; retainEndedMs?: number; awaitStartMs?: number } = {}) {
  const app = testTopology('group-checkout');
  const checkout = processManager(app, groupCheckout, {
    name: 'group-checkout',
    start: app.stream<string, GroupCheckoutStarted>(TOPICS.started),
    events: {
      completed: app.stream<string, GuestCheckoutCompleted>(TOPICS.guestCompleted),
      failed: app.stream<string, GuestCheckoutFailed>(TOPICS.guestFailed),
    },
    ...options,
  });
  checkout.output('completed').to(TOPICS.completed);
  checkout.output('failed').to(TOPICS.failed);
  checkout.output('timedOut').to(TOPICS.timedOut);
  return { app, checkout };
}

/** A GroupCheckoutStarted for guests `g1…gN`, each with order `<group>-o<i>`. */
export function started(groupCheckoutId: string, guests: number, deadlineAt: number): GroupCheckoutStarted {
  return {
    eventId: `${groupCheckoutId}:started`,
    groupCheckoutId,
    initiatorCustomerId: `${groupCheckoutId}-c1`,
    guests: Array.from({ length: guests }, (_, i) => ({ guestId: `g${i + 1}`, customerId: `${groupCheckoutId}-c${i + 1}`, orderId: `${groupCheckoutId}-o${i + 1}` })),
    deadlineAt,
    startedAt: 0,
  };
}

export function guestCompleted(groupCheckoutId: string, guestId: string, completedAt: number): GuestCheckoutCompleted {
  return { eventId: `${groupCheckoutId}:${guestId}:completed:${completedAt}`, groupCheckoutId, guestId, orderId: `${groupCheckoutId}-o${guestId.slice(1)}`, completedAt };
}

export function guestFailed(groupCheckoutId: string, guestId: string, failedAt: number, reason = 'card declined'): GuestCheckoutFailed {
  return { eventId: `${groupCheckoutId}:${guestId}:failed:${failedAt}`, groupCheckoutId, guestId, orderId: `${groupCheckoutId}-o${guestId.slice(1)}`, reason, failedAt };
}

/**
 * A new driver holding a copy of every store of `from`, its wall clock at `wallClockTimeMs`:
 * a task moved to another worker, which has only what Redis has.
 */
export function handOff(from: TopologyTestDriver, wallClockTimeMs: number): TopologyTestDriver {
  const to = new TopologyTestDriver(from.topology, { wallClockTimeMs });
  for (const [name, { kind }] of from.topology.stores) {
    if (kind === 'keyValue') for (const [key, value] of from.keyValueStore(name).all()) to.keyValueStore(name).put(key, value);
    else for (const [key, start, value] of from.windowStore(name).fetchAll(-Infinity, Infinity)) to.windowStore(name).put(key, start, value);
  }
  return to;
}
