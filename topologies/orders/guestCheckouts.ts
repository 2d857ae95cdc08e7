import { JoinWindows, jsonSerde, stringSerde, topology, type GuestCheckoutCompleted, type GuestCheckoutFailed, type OrderCreated, type Stream, type TopologyBuilder } from '../../index.ts';
import { ORDER_AGGREGATE, type OrderEvent, type OrderFlow } from './aggregate.ts';
import { isSagaEnd } from './load/orderOutcome.ts';
import { orderAppId, orderTopic, readTopic } from './orderTopics.ts';

const DAY_MS = 24 * 3600_000;

/** How an order ended, whichever flow ran it: completed or not, and why not. */
interface OrderEnd {
  readonly completed: boolean;
  /** Why the order did not complete, for the guest's failure (`order compensated: payment failed`); empty when it did. */
  readonly reason: string;
}

/** A group order that just ended, with how and when (the end's event time). */
interface EndedGroupOrder {
  readonly order: OrderCreated & { readonly groupCheckoutId: string };
  readonly ended: OrderEnd;
  readonly at: number;
}

/** The orchestrated flow's order ends: the saga's moves into a terminal state (ignored inputs repeat the state and are skipped). */
function sagaEnds(app: TopologyBuilder): Stream<string, OrderEnd> {
  return readTopic(app, 'orders.saga.transitioned').flatMapValues(
    (t): OrderEnd[] => (isSagaEnd(t) ? [{ completed: t.to === 'completed', reason: t.cause ? `order ${t.to}: ${t.cause.step} ${t.cause.kind}` : `order ${t.to}` }] : []),
    { name: 'saga-ends' },
  );
}

/** The choreographed flow's order ends: the Order aggregate's OrderCompleted and OrderCancelled (it ends an order once). */
function aggregateEnds(app: TopologyBuilder): Stream<string, OrderEnd> {
  return app
    .stream<string, OrderEvent>(ORDER_AGGREGATE.events, { serdes: { key: stringSerde, value: jsonSerde<OrderEvent>() } })
    .flatMapValues(
      (e): OrderEnd[] =>
        e.type === 'OrderCompleted' ? [{ completed: true, reason: '' }] : e.type === 'OrderCancelled' ? [{ completed: false, reason: `order cancelled: ${e.reason}${e.detail ? ` (${e.detail})` : ''}` }] : [],
      { name: 'order-ends' },
    );
}

/**
 * Guest checkouts (choreography): when an order that belongs to a group checkout
 * (`groupCheckoutId` set) ends, the guest's outcome is announced for the group checkout's
 * process manager — `checkout.guest.completed` when the order completed,
 * `checkout.guest.failed` (with the cause) when it did not. Both are keyed by
 * groupCheckoutId; the guest is the order's customer. Where an order's end is read depends
 * on the flow: the saga's move into a terminal state (`orchestrated`, the default), or the
 * Order aggregate's OrderCompleted / OrderCancelled (`choreographed`, which has no saga).
 * Either ends an order once, so each order announces once; an end read before its order
 * waits for it (a windowed join of a day either way, stores `group-orders-*-join-store`).
 */
export function guestCheckoutsTopology({ flow }: { readonly flow: OrderFlow } = { flow: 'orchestrated' }): TopologyBuilder {
  const app = topology(orderAppId('order-guest-checkouts'));
  // Keyed by order id like the ends, so the join needs no repartition.
  const groupOrders = readTopic(app, 'orders.order.created').filter((_id, order) => order.groupCheckoutId !== null, { name: 'group-orders' });
  // The order is read at its own pace, maybe after its end: a windowed join pairs the two whichever comes first.
  const ended = (flow === 'orchestrated' ? sagaEnds(app) : aggregateEnds(app))
    .join(groupOrders, (ended, order) => ({ ended, order: order as EndedGroupOrder['order'] }), JoinWindows.ofTimeDifferenceWithNoGrace(DAY_MS), { name: 'ended-group-order', storeName: 'group-orders' })
    // Rekeyed to the group, with the end's time (a saga move's record carries its `timestamp`).
    .process<string, EndedGroupOrder>((context) => ({ process: ({ value, timestamp }) => context.forward(value.order.groupCheckoutId, { ...value, at: timestamp }) }), { name: 'by-group' });

  const completed = orderTopic('checkout.guest.completed');
  ended
    .filter((_group, { ended }) => ended.completed, { name: 'guest-completed' })
    .mapValues(({ order, at }): GuestCheckoutCompleted => ({ eventId: `${order.orderId}:guest-completed`, groupCheckoutId: order.groupCheckoutId, guestId: order.customerId, orderId: order.orderId, completedAt: at }), { name: 'guest-completed-event' })
    .to(completed.name, { serdes: completed.serdes });

  const failed = orderTopic('checkout.guest.failed');
  ended
    .filter((_group, { ended }) => !ended.completed, { name: 'guest-failed' })
    .mapValues(
      ({ order, ended, at }): GuestCheckoutFailed => ({ eventId: `${order.orderId}:guest-failed`, groupCheckoutId: order.groupCheckoutId, guestId: order.customerId, orderId: order.orderId, reason: ended.reason, failedAt: at }),
      { name: 'guest-failed-event' },
    )
    .to(failed.name, { serdes: failed.serdes });
  return app;
}

export default guestCheckoutsTopology();
