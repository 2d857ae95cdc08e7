import { topology, type TopologyBuilder, type NotificationSent, type SendNotification } from '../../../index.ts';
import { orderAppId, orderTopic } from '../orderTopics.ts';
import { serviceBehaviour, type ServiceBehaviour, stableId } from './serviceBehaviour.ts';
import { answerRequests, sendReplies } from './serviceReplies.ts';

const sendNotification = orderTopic('notifications.notification.send');
const sent = orderTopic('notifications.notification.sent');

/**
 * The notification service (simulated): sends each `SendNotification` by e-mail, after
 * `ORDER_NOTIFICATION_LATENCY_MS`, and records it on `notifications.notification.sent`
 * (keyed by customer, like its commands). Its id follows the command's, so a repeated
 * command records the same notification.
 */
export function notificationService(behaviour: ServiceBehaviour = serviceBehaviour('notification')): TopologyBuilder {
  const app = topology(orderAppId('order-notification-service'));
  const requests = app.stream(sendNotification.name, { serdes: sendNotification.serdes });
  const replies = answerRequests<SendNotification>(requests, {
    name: 'notification-service',
    latencyMs: behaviour.latencyMs,
    answer(customerId, request, context) {
      const notification: NotificationSent = {
        eventId: stableId(request.commandId, 'notification-sent'),
        notificationId: stableId(request.commandId, 'notification'),
        customerId,
        orderId: request.orderId,
        groupCheckoutId: request.groupCheckoutId,
        channel: 'EMAIL',
        kind: request.kind,
        sentAt: context.wallClockTime(),
      };
      return [{ topic: sent.name, value: notification }];
    },
  });
  sendReplies(replies, sent);
  return app;
}

export default notificationService();
