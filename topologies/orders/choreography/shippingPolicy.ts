import { topology, type InitiateShipping, type OrderCreated, type TopologyBuilder } from '../../../index.ts';
import { orderAppId } from '../orderTopics.ts';
import { stableId } from '../services/serviceBehaviour.ts';
import { cancellations, issueCommands, triggers, unlessCancelled, withEarlierFact } from './policyTopics.ts';

/**
 * The shipping policy (choreography): books the shipment (`InitiateShipping`) of each order
 * whose stock is reserved, unless it is cancelled, to the address the order was created
 * with (whichever of the reservation and the order is read first).
 */
export function shippingPolicy(): TopologyBuilder {
  const app = topology(orderAppId('order-shipping-policy'));
  const { cancelled } = cancellations(app);
  const toShip = withEarlierFact(
    triggers(app, 'inventory.stock.reserved'),
    triggers(app, 'orders.order.created'),
    (reserved, order: OrderCreated): InitiateShipping => ({
      commandId: stableId(reserved.eventId, 'initiate-shipping'),
      sagaId: '',
      orderId: order.orderId,
      reservationId: reserved.reservationId,
      address: order.shippingAddress,
      issuedAt: reserved.reservedAt,
    }),
    'ship-to-address',
  );
  issueCommands(unlessCancelled(toShip, cancelled, 'ship'), 'shipping.shipment.initiate');
  return app;
}

export default shippingPolicy();
