import { topology, type InventoryReserved, type OrderCreated, type ReleaseInventory, type ReserveInventory, type TopologyBuilder } from '../../../index.ts';
import { orderAppId, readTopic } from '../orderTopics.ts';
import { stableId } from '../services/serviceBehaviour.ts';
import { cancellations, cancelledBecause, decideWithTable, eachEventOnce, issueCommands, oncePerOrder, triggers, unlessCancelled, withEarlierFact, type Undone } from './policyTopics.ts';

function release(undone: Undone, reservation: InventoryReserved): ReleaseInventory {
  return { commandId: stableId(undone.eventId, 'release-inventory'), sagaId: '', orderId: reservation.orderId, reservationId: reservation.reservationId, reason: undone.reason, issuedAt: undone.at };
}

/**
 * The inventory policy (choreography): reserves an order's items (`ReserveInventory`) once
 * its payment is processed (status PROCESSED) unless the order is cancelled — the items
 * come from the order created, which the payment does not carry (whichever of the two is read
 * first) — and releases a reservation (`ReleaseInventory`), once, when the shipment fails
 * (reason `shipping failed`; the shipment follows the reservation, so it waits for it to be
 * read), when the order is cancelled, or when the reservation came after the order was
 * cancelled (a late answer). An order cancelled with no reservation in the store
 * `reservations` releases nothing.
 */
export function inventoryPolicy(): TopologyBuilder {
  const app = topology(orderAppId('order-inventory-policy'));
  const reserved = readTopic(app, 'inventory.stock.reserved');
  const reservations = reserved.toTable({ store: 'reservations', name: 'reservations' });
  const { events: cancelledEvents, cancelled } = cancellations(app);

  const charged = eachEventOnce(readTopic(app, 'payments.payment.processed').filter((_orderId, p) => p.status === 'PROCESSED', { name: 'charged' }), 'payments.payment.processed');
  const toReserve = withEarlierFact(
    charged,
    triggers(app, 'orders.order.created'),
    (payment, order: OrderCreated): ReserveInventory => ({
      commandId: stableId(payment.eventId, 'reserve-inventory'),
      sagaId: '',
      orderId: order.orderId,
      items: order.items.map(({ sku, quantity }) => ({ sku, quantity })),
      issuedAt: payment.processedAt,
    }),
    'reserve-order-items',
  );
  issueCommands(unlessCancelled(toReserve, cancelled, 'reserve'), 'inventory.stock.reserve');

  // As the orchestrated saga words it (`<step> <outcome>`); the refund after the release repeats it.
  const notShipped = triggers(app, 'shipping.shipment.failed').mapValues((f): Undone => ({ eventId: f.eventId, reason: 'shipping failed', at: f.failedAt }), { name: 'not-shipped' });
  const releaseNotShipped = withEarlierFact(notShipped, reserved, (undone, reservation) => release(undone, reservation), 'release-not-shipped');
  const orderCancelled = eachEventOnce(cancelledEvents, 'orders.order.cancelled').mapValues((c): Undone => ({ eventId: c.eventId, reason: cancelledBecause(c), at: c.cancelledAt }), { name: 'order-cancelled' });
  const releaseReserved = decideWithTable(orderCancelled, reservations, (undone, reservation) => (reservation === null ? [] : [release(undone, reservation)]), 'release-reservation');
  const releaseLate = decideWithTable(eachEventOnce(reserved, 'inventory.stock.reserved'), cancelled, (r, c) => (c === null ? [] : [release({ eventId: r.eventId, reason: cancelledBecause(c), at: r.reservedAt }, r)]), 'release-late-reservation');
  const releases = releaseNotShipped.merge(releaseReserved, { name: 'undone' }).merge(releaseLate, { name: 'releases' });
  issueCommands(oncePerOrder(releases, 'release'), 'inventory.stock.release');
  return app;
}

export default inventoryPolicy();
