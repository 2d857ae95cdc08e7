import { topology, type NotificationKind, type OrderCreated, type SendNotification, type TopologyBuilder } from '../../../index.ts';
import { orderAppId } from '../orderTopics.ts';
import { stableId } from '../services/serviceBehaviour.ts';
import { issueCommands, triggers, withEarlierFact } from './policyTopics.ts';

/** An event the customer is told about. */
interface News {
  readonly eventId: string;
  readonly kind: NotificationKind;
  readonly at: number;
}

/** Which news a notification policy tells. */
export interface NotificationPolicyOptions {
  /** Its application id (before the topic prefix). */
  readonly name: string;
  /** Whether it tells of shipments too: the orchestrated saga sends that notice itself. */
  readonly shipments: boolean;
}

/**
 * The notification policy (choreography): tells the customer (`SendNotification`, keyed by
 * customer id, as the notification service's topics are) that the order shipped
 * (ORDER_SHIPPED, on `shipping.shipment.initiated`) or was cancelled (ORDER_CANCELLED, on
 * `orders.order.cancelled`, whatever the reason). The customer comes from the order created
 * (whichever of the news and the order is read first).
 * With `shipments: false` it is the orchestrated flow's cancellation notices.
 */
export function notificationPolicy(options: NotificationPolicyOptions = { name: 'order-notification-policy', shipments: true }): TopologyBuilder {
  const app = topology(orderAppId(options.name));
  const cancelled = triggers(app, 'orders.order.cancelled').mapValues((c): News => ({ eventId: c.eventId, kind: 'ORDER_CANCELLED', at: c.cancelledAt }), { name: 'cancelled' });
  const news = options.shipments
    ? triggers(app, 'shipping.shipment.initiated').mapValues((s): News => ({ eventId: s.eventId, kind: 'ORDER_SHIPPED', at: s.initiatedAt }), { name: 'shipped' }).merge(cancelled, { name: 'news' })
    : cancelled;
  const notify = withEarlierFact(
    news,
    triggers(app, 'orders.order.created'),
    (news, order: OrderCreated): SendNotification => ({
      commandId: stableId(news.eventId, 'send-notification'),
      customerId: order.customerId,
      orderId: order.orderId,
      groupCheckoutId: order.groupCheckoutId,
      kind: news.kind,
      issuedAt: news.at,
    }),
    'notify-customer',
  );
  issueCommands(
    notify.selectKey((_orderId, command) => command.customerId, { name: 'by-customer' }),
    'notifications.notification.send',
  );
  return app;
}

export default notificationPolicy();
