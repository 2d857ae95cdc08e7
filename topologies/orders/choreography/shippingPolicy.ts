import { enrich, topology, type InitiateShipping, type OrderCreated, type TopologyBuilder } from '../../../index.ts';
import { orderAppId } from '../orderTopics.ts';
import { stableId } from '../services/serviceBehaviour.ts';
import { cancellations, issueCommands, ordersTable, triggers, unlessCancelled } from './policyTopics.ts';

/**
 * The shipping policy (choreography): books the shipment (`InitiateShipping`) of each order
 * whose stock is reserved, unless it is cancelled, to the address the order was created
 * with (orders table).
 */
export function shippingPolicy(): TopologyBuilder {
  const app = topology(orderAppId('order-shipping-policy'));
  const orders = ordersTable(app);
  const { cancelled } = cancellations(app);
  const ship = enrich(
    unlessCancelled(triggers(app, 'inventory.stock.reserved'), cancelled, 'ship'),
    orders,
    (reserved, order: OrderCreated): InitiateShipping => ({
      commandId: stableId(reserved.eventId, 'initiate-shipping'),
      sagaId: '',
      orderId: order.orderId,
      reservationId: reserved.reservationId,
      address: order.shippingAddress,
      issuedAt: reserved.reservedAt,
    }),
    { name: 'ship-to-address', missingRow: 'drop' },
  );
  issueCommands(ship, 'shipping.shipment.initiate');
  return app;
}

export default shippingPolicy();
