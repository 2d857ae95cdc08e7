import { processManager, type ProcessManagerDefinition } from '../../../processors/patterns/processManager/index.ts';
import { TopologyTestDriver } from '../../../runtime/topologyTestDriver.ts';
import { testTopology } from '../processors/stringTopology.ts';
import type {
  GroupCheckoutCompleted,
  GroupCheckoutFailed,
  GroupCheckoutStarted,
  GroupCheckoutTimedOut,
  GuestCheckoutCompleted,
  GuestCheckoutFailed,
  TopicValues,
} from '../../../schemas/generated/types.ts';

/** The group checkout of issue 7, as the tests drive it: the catalogue's topics and shapes. */
export const TOPICS = {
  started: 'checkout.group.started',
  guestCompleted: 'checkout.guest.completed',
  guestFailed: 'checkout.guest.failed',
  completed: 'checkout.group.completed',
  failed: 'checkout.group.failed',
  timedOut: 'checkout.group.timed-out',
} as const satisfies Record<string, keyof TopicValues>;

export interface GroupCheckoutState {
  readonly started: GroupCheckoutStarted;
  /** Order id per guest that completed. */
  readonly completed: Readonly<Record<string, string>>;
  readonly failed: boolean;
}

type GuestReplies = { completed: GuestCheckoutCompleted; failed: GuestCheckoutFailed };
type GroupOutcomes = { completed: GroupCheckoutCompleted; failed: GroupCheckoutFailed; timedOut: GroupCheckoutTimedOut };

const allCompleted = (state: GroupCheckoutState) => state.started.guests.every((guest) => guest.guestId in state.completed);
const isGuest = (state: GroupCheckoutState, guestId: string) => state.started.guests.some((guest) => guest.guestId === guestId);

/** Complete when every guest completed; fail on the first failure; time out at `deadlineAt`. Replies from strangers or repeated ones change nothing. */
export const groupCheckout: ProcessManagerDefinition<string, GroupCheckoutStarted, GuestReplies, GroupCheckoutState, GroupOutcomes> = {
  start: (started) => ({ state: { started, completed: {}, failed: false } }),
  deadline: (started) => started.deadlineAt,
  on: {
    completed: (state, reply) => {
      if (!isGuest(state, reply.guestId) || reply.guestId in state.completed) return { state };
      const next = { ...state, completed: { ...state.completed, [reply.guestId]: reply.orderId } };
      if (!allCompleted(next)) return { state: next };
      const { groupCheckoutId, guests } = state.started;
      const event = { eventId: `${groupCheckoutId}:completed`, groupCheckoutId, orderIds: guests.map((g) => next.completed[g.guestId]!), completedAt: reply.completedAt };
      return { state: next, emit: [{ type: 'completed', value: event }] };
    },
    failed: (state, reply) => {
      if (!isGuest(state, reply.guestId)) return { state };
      const { groupCheckoutId } = state.started;
      const event = { eventId: `${groupCheckoutId}:failed`, groupCheckoutId, failedGuestId: reply.guestId, reason: reply.reason, failedAt: reply.failedAt };
      return { state: { ...state, failed: true }, emit: [{ type: 'failed', value: event }] };
    },
  },
  isComplete: (state) => state.failed || allCompleted(state),
  onTimeout: (state, { wallClockTime }) => {
    const { groupCheckoutId, guests } = state.started;
    const pendingGuestIds = guests.map((g) => g.guestId).filter((id) => !(id in state.completed));
    return [{ type: 'timedOut', value: { eventId: `${groupCheckoutId}:timed-out`, groupCheckoutId, pendingGuestIds, timedOutAt: wallClockTime } }];
  },
};

/** The group checkout topology: the three inputs into the process manager, its three outputs to their topics. */
export function groupCheckoutTopology(options: { punctuationIntervalMs?: number; retainEndedMs?: number } = {}) {
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
