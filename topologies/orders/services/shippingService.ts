import { topology, type TopologyBuilder, type InitiateShipping, type KeyValueStore, type ShippingFailed, type ShippingInitiated } from '../../../index.ts';
import { orderAppId, orderTopic } from '../orderTopics.ts';
import { serviceBehaviour, type ServiceBehaviour, stableFraction, stableId } from './serviceBehaviour.ts';
import { answerRequests, sendReplies, type Reply } from './serviceReplies.ts';

const initiateShipping = orderTopic('shipping.shipment.initiate');
const initiated = orderTopic('shipping.shipment.initiated');
const failed = orderTopic('shipping.shipment.failed');

const DAY_MS = 24 * 3600_000;

/**
 * The shipping service (simulated): books a shipment on `InitiateShipping` and answers
 * `shipping.shipment.initiated` or `shipping.shipment.failed`. An address in country `ZZ`
 * has no carrier; others fail at `ORDER_SHIPPING_FAILURE_RATE`. A repeated command gets
 * the same answer.
 */
export function shippingService(behaviour: ServiceBehaviour = serviceBehaviour('shipping')): TopologyBuilder {
  const app = topology(orderAppId('order-shipping-service'));
  app.addStore({ name: 'shipments', kind: 'keyValue' });
  const requests = app.stream(initiateShipping.name, { serdes: initiateShipping.serdes });
  const replies = answerRequests<InitiateShipping>(requests, {
    name: 'shipping-service',
    latencyMs: behaviour.latencyMs,
    stores: ['shipments'],
    answer(orderId, request, context) {
      const shipments = context.store<KeyValueStore<string, Reply>>('shipments');
      const known = shipments.get(orderId);
      if (known) return [known];
      const now = context.wallClockTime();
      const noCarrier = request.address.country === 'ZZ';
      const answer: Reply =
        noCarrier || stableFraction(orderId, 'shipping') < behaviour.failureRate
          ? { topic: failed.name, value: { eventId: stableId(request.commandId, 'shipping-failed'), orderId, reason: noCarrier ? `no carrier serves ${request.address.country}` : 'carrier rejected the booking', failedAt: now } satisfies ShippingFailed }
          : {
              topic: initiated.name,
              value: {
                eventId: stableId(request.commandId, 'shipping-initiated'),
                orderId,
                shipmentId: stableId(orderId, 'shipment'),
                carrier: 'DHL',
                trackingNumber: `JD${stableId(orderId, 'tracking').replace(/-/g, '').slice(0, 16).toUpperCase()}`,
                estimatedDeliveryAt: now + 3 * DAY_MS,
                initiatedAt: now,
              } satisfies ShippingInitiated,
            };
      shipments.put(orderId, answer);
      return [answer];
    },
  });
  for (const topic of [initiated, failed]) sendReplies(replies, topic);
  return app;
}

export default shippingService();
