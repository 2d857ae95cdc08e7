import { topology, type GuestCheckoutCompleted, type GuestCheckoutFailed, type OrderCreated, type SagaTransitioned, type TopologyBuilder } from '../../index.ts';
import { isSagaEnd } from './load/orderOutcome.ts';
import { orderAppId, orderTopic } from './orderTopics.ts';

/** A group order whose saga just ended, with the move that ended it. */
interface EndedGroupOrder {
  readonly order: OrderCreated & { readonly groupCheckoutId: string };
  readonly ended: SagaTransitioned;
}

/**
 * Guest checkouts (choreography): when the saga of an order that belongs to a group checkout
 * (`groupCheckoutId` set) ends, the guest's outcome is announced for the group checkout's
 * process manager — `checkout.guest.completed` when the order completed,
 * `checkout.guest.failed` (with the saga's cause) when it was compensated or failed. Both are
 * keyed by groupCheckoutId; the guest is the order's customer. Only the move into a terminal
 * state counts (ignored inputs repeat the state and are skipped), so each order announces once.
 */
export function guestCheckoutsTopology(): TopologyBuilder {
  const app = topology(orderAppId('order-guest-checkouts'));
  const created = orderTopic('orders.order.created');
  const transitioned = orderTopic('orders.saga.transitioned');
  // Keyed by order id like the transitions, so the join needs no repartition.
  const groupOrders = app
    .stream(created.name, { serdes: created.serdes })
    .filter((_id, order) => order.groupCheckoutId !== null, { name: 'group-orders' })
    .toTable({ store: 'group-orders' });
  const ended = app
    .stream(transitioned.name, { serdes: transitioned.serdes })
    .filter((_id, t) => isSagaEnd(t), { name: 'saga-ends' })
    .join(groupOrders, (ended, order): EndedGroupOrder => ({ ended, order: order as EndedGroupOrder['order'] }), { name: 'ended-group-order' })
    .selectKey((_id, { order }) => order.groupCheckoutId, { name: 'by-group' });

  const completed = orderTopic('checkout.guest.completed');
  ended
    .filter((_group, { ended }) => ended.to === 'completed', { name: 'guest-completed' })
    .mapValues(({ order, ended }): GuestCheckoutCompleted => ({ eventId: `${order.orderId}:guest-completed`, groupCheckoutId: order.groupCheckoutId, guestId: order.customerId, orderId: order.orderId, completedAt: ended.timestamp }), { name: 'guest-completed-event' })
    .to(completed.name, { serdes: completed.serdes });

  const failed = orderTopic('checkout.guest.failed');
  ended
    .filter((_group, { ended }) => ended.to !== 'completed', { name: 'guest-failed' })
    .mapValues(
      ({ order, ended }): GuestCheckoutFailed => ({
        eventId: `${order.orderId}:guest-failed`,
        groupCheckoutId: order.groupCheckoutId,
        guestId: order.customerId,
        orderId: order.orderId,
        reason: ended.cause ? `order ${ended.to}: ${ended.cause.step} ${ended.cause.kind}` : `order ${ended.to}`,
        failedAt: ended.timestamp,
      }),
      { name: 'guest-failed-event' },
    )
    .to(failed.name, { serdes: failed.serdes });
  return app;
}

export default guestCheckoutsTopology();
