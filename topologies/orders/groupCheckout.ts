import {
  processManager,
  topology,
  type GroupCheckoutCompleted,
  type GroupCheckoutFailed,
  type GroupCheckoutStarted,
  type GroupCheckoutTimedOut,
  type GuestCheckoutCompleted,
  type GuestCheckoutFailed,
  type ProcessManagerDefinition,
  type SendNotification,
  type TopologyBuilder,
} from '../../index.ts';
import { orderAppId, orderTopic, readTopic } from './orderTopics.ts';

const DAY_MS = 24 * 3600_000;

/** What the group checkout keeps per group. */
export interface GroupCheckoutState {
  readonly started: GroupCheckoutStarted;
  /** Order id per guest that completed. */
  readonly completed: Readonly<Record<string, string>>;
  readonly failed: boolean;
}

type GuestReplies = { completed: GuestCheckoutCompleted; failed: GuestCheckoutFailed };
type GroupOutcomes = { completed: GroupCheckoutCompleted; failed: GroupCheckoutFailed; timedOut: GroupCheckoutTimedOut; notify: SendNotification };

const allCompleted = (state: GroupCheckoutState) => state.started.guests.every((guest) => guest.guestId in state.completed);
const isGuest = (state: GroupCheckoutState, guestId: string) => state.started.guests.some((guest) => guest.guestId === guestId);

function notice(started: GroupCheckoutStarted, kind: SendNotification['kind'], at: number): SendNotification {
  const { groupCheckoutId, initiatorCustomerId } = started;
  return { commandId: `${groupCheckoutId}:notify:${kind}`, customerId: initiatorCustomerId, orderId: null, groupCheckoutId, kind, issuedAt: at };
}

/**
 * The group checkout (a process manager): N guests check out together. The group completes
 * when every guest's checkout completed, fails on the first guest that failed (the
 * initiator is notified; later replies change nothing), and times out at `deadlineAt`
 * (wall clock) with the guests still pending. Replies from strangers or repeated ones
 * change nothing.
 */
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
      return { state: next, emit: [{ type: 'completed', value: event }, { type: 'notify', value: notice(state.started, 'GROUP_CHECKOUT_COMPLETED', reply.completedAt) }] };
    },
    failed: (state, reply) => {
      if (!isGuest(state, reply.guestId)) return { state };
      const { groupCheckoutId } = state.started;
      const event = { eventId: `${groupCheckoutId}:failed`, groupCheckoutId, failedGuestId: reply.guestId, reason: reply.reason, failedAt: reply.failedAt };
      return { state: { ...state, failed: true }, emit: [{ type: 'failed', value: event }, { type: 'notify', value: notice(state.started, 'GROUP_CHECKOUT_FAILED', reply.failedAt) }] };
    },
  },
  isComplete: (state) => state.failed || allCompleted(state),
  onTimeout: (state, { wallClockTime }) => {
    const { groupCheckoutId, guests } = state.started;
    const pendingGuestIds = guests.map((g) => g.guestId).filter((id) => !(id in state.completed));
    return [{ type: 'timedOut', value: { eventId: `${groupCheckoutId}:timed-out`, groupCheckoutId, pendingGuestIds, timedOutAt: wallClockTime } }];
  },
};

/**
 * The group checkout topology: guests' outcomes in, the group's outcome and the initiator's
 * notification out. Each input is read at its own pace, so a guest's outcome can be read
 * before its group's start: it waits for the start a day (as a guest checkout waits a day
 * for its order), then counts as `unknown-instance`.
 */
export function groupCheckoutTopology(
  options: { readonly punctuationIntervalMs?: number; readonly retainEndedMs?: number; readonly awaitStartMs?: number } = {},
): TopologyBuilder {
  const app = topology(orderAppId('order-group-checkout'));
  const checkout = processManager(app, groupCheckout, {
    name: 'group-checkout',
    start: readTopic(app, 'checkout.group.started'),
    events: { completed: readTopic(app, 'checkout.guest.completed'), failed: readTopic(app, 'checkout.guest.failed') },
    awaitStartMs: DAY_MS,
    ...options,
  });
  const write = <T extends 'checkout.group.completed' | 'checkout.group.failed' | 'checkout.group.timed-out'>(type: keyof GroupOutcomes, name: T) =>
    checkout.output(type).to(orderTopic(name).name, { serdes: orderTopic(name).serdes as never });
  write('completed', 'checkout.group.completed');
  write('failed', 'checkout.group.failed');
  write('timedOut', 'checkout.group.timed-out');
  const send = orderTopic('notifications.notification.send');
  checkout
    .output('notify')
    .selectKey((_group, command) => command.customerId, { name: 'notify-initiator' })
    .to(send.name, { serdes: send.serdes });
  return app;
}

export default groupCheckoutTopology();
