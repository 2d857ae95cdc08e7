import { enrich, topology, type NotificationKind, type OrderCreated, type SendNotification, type TopologyBuilder } from '../../../index.ts';
import { orderAppId } from '../orderTopics.ts';
import { stableId } from '../services/serviceBehaviour.ts';
import { issueCommands, ordersTable, triggers } from './policyTopics.ts';

/** An event the customer is told about. */
interface News {
  readonly eventId: string;
  readonly kind: NotificationKind;
  readonly at: number;
}

/**
 * The notification policy (choreography): tells the customer (`SendNotification`, keyed by
 * customer id, as the notification service's topics are) that the order shipped
 * (ORDER_SHIPPED, on `shipping.shipment.initiated`) or was cancelled (ORDER_CANCELLED, on
 * `orders.order.cancelled`, whatever the reason). The customer comes from the orders table.
 */
export function notificationPolicy(): TopologyBuilder {
  const app = topology(orderAppId('order-notification-policy'));
  const orders = ordersTable(app);
  const shipped = triggers(app, 'shipping.shipment.initiated').mapValues((s): News => ({ eventId: s.eventId, kind: 'ORDER_SHIPPED', at: s.initiatedAt }), { name: 'shipped' });
  const cancelled = triggers(app, 'orders.order.cancelled').mapValues((c): News => ({ eventId: c.eventId, kind: 'ORDER_CANCELLED', at: c.cancelledAt }), { name: 'cancelled' });
  const notify = enrich(
    shipped.merge(cancelled, { name: 'news' }),
    orders,
    (news, order: OrderCreated): SendNotification => ({
      commandId: stableId(news.eventId, 'send-notification'),
      customerId: order.customerId,
      orderId: order.orderId,
      groupCheckoutId: order.groupCheckoutId,
      kind: news.kind,
      issuedAt: news.at,
    }),
    { name: 'notify-customer', missingRow: 'drop' },
  );
  issueCommands(
    notify.selectKey((_orderId, command) => command.customerId, { name: 'by-customer' }),
    'notifications.notification.send',
  );
  return app;
}

export default notificationPolicy();
