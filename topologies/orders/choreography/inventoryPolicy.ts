import { enrich, topology, type InventoryReserved, type OrderCreated, type ReleaseInventory, type ReserveInventory, type TopologyBuilder } from '../../../index.ts';
import { orderAppId } from '../orderTopics.ts';
import { stableId } from '../services/serviceBehaviour.ts';
import { eachEventOnce, issueCommands, ordersTable, readTopic, triggers } from './policyTopics.ts';

/**
 * The inventory policy (choreography): reserves an order's items (`ReserveInventory`) once
 * its payment is processed (status PROCESSED; the items come from the orders table, the
 * payment does not carry them), and releases the reservation (`ReleaseInventory`, reason
 * `shipping failed`) when the shipment fails. A shipment failure of an order with no
 * reservation in the store `reservations` releases nothing.
 */
export function inventoryPolicy(): TopologyBuilder {
  const app = topology(orderAppId('order-inventory-policy'));
  const orders = ordersTable(app);
  const reservations = readTopic(app, 'inventory.stock.reserved').toTable({ store: 'reservations' });

  const charged = eachEventOnce(readTopic(app, 'payments.payment.processed').filter((_orderId, p) => p.status === 'PROCESSED', { name: 'charged' }), 'payments.payment.processed');
  const reserve = enrich(
    charged,
    orders,
    (payment, order: OrderCreated): ReserveInventory => ({
      commandId: stableId(payment.eventId, 'reserve-inventory'),
      sagaId: '',
      orderId: order.orderId,
      items: order.items.map(({ sku, quantity }) => ({ sku, quantity })),
      issuedAt: payment.processedAt,
    }),
    { name: 'reserve-order-items', missingRow: 'drop' },
  );
  issueCommands(reserve, 'inventory.stock.reserve');

  const release = enrich(
    triggers(app, 'shipping.shipment.failed'),
    reservations,
    (failure, reservation: InventoryReserved): ReleaseInventory => ({
      commandId: stableId(failure.eventId, 'release-inventory'),
      sagaId: '',
      orderId: reservation.orderId,
      reservationId: reservation.reservationId,
      // As the orchestrated saga words it (`<step> <outcome>`); the refund after the release repeats it.
      reason: 'shipping failed',
      issuedAt: failure.failedAt,
    }),
    { name: 'release-reservation', missingRow: 'drop' },
  );
  issueCommands(release, 'inventory.stock.release');
  return app;
}

export default inventoryPolicy();
