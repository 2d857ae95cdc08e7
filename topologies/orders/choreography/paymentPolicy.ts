import { topology, type PaymentProcessed, type ProcessPayment, type RefundPayment, type TopologyBuilder } from '../../../index.ts';
import { orderAppId, readTopic } from '../orderTopics.ts';
import { stableId } from '../services/serviceBehaviour.ts';
import { cancellations, cancelledBecause, decideWithTable, eachEventOnce, issueCommands, oncePerOrder, triggers, unlessCancelled, withEarlierFact, type Undone } from './policyTopics.ts';

function refund(undone: Undone, paid: PaymentProcessed): RefundPayment {
  return {
    commandId: stableId(undone.eventId, 'refund-payment'),
    sagaId: '',
    orderId: paid.orderId,
    paymentId: paid.paymentId,
    amountMinor: paid.amountMinor,
    currency: paid.currency,
    reason: undone.reason,
    issuedAt: undone.at,
  };
}

/**
 * The payment policy (choreography): charges each order created and not cancelled
 * (`ProcessPayment`), and refunds a charged order (`RefundPayment`), once, when what came
 * after the charge is undone:
 * - the stock could not be reserved (`inventory.stock.reservation-failed`);
 * - a reservation was released (`inventory.stock.released`: the inventory's compensation
 *   of a failed shipment or of a cancellation). Reacting to the release rather than to the
 *   shipping failure keeps the orchestrated saga's order: release, then refund;
 * - the order was cancelled (`orders.order.cancelled`) with no stock reserved;
 * - the charge came after the order was cancelled (a late answer).
 * The first two follow the charge, so they wait for it to be read. An order cancelled and
 * never charged (no PROCESSED payment in the store `charges`) gets no refund.
 */
export function paymentPolicy(): TopologyBuilder {
  const app = topology(orderAppId('order-payment-policy'));
  const charged = readTopic(app, 'payments.payment.processed').filter((_orderId, p) => p.status === 'PROCESSED', { name: 'charged' });
  const charges = charged.toTable({ store: 'charges', name: 'charges' });
  const reservations = readTopic(app, 'inventory.stock.reserved').toTable({ store: 'reservations', name: 'reservations' });
  const { events: cancelledEvents, cancelled } = cancellations(app);

  const charge = unlessCancelled(triggers(app, 'orders.order.created'), cancelled, 'charge').mapValues(
    (order): ProcessPayment => ({
      commandId: stableId(order.eventId, 'process-payment'),
      sagaId: '',
      orderId: order.orderId,
      customerId: order.customerId,
      amountMinor: order.totalMinor,
      currency: order.currency,
      issuedAt: order.createdAt,
    }),
    { name: 'process-payment' },
  );
  issueCommands(charge, 'payments.payment.process');

  const shortOfStock = triggers(app, 'inventory.stock.reservation-failed').mapValues((f): Undone => ({ eventId: f.eventId, reason: 'inventory failed', at: f.failedAt }), { name: 'short-of-stock' });
  const released = triggers(app, 'inventory.stock.released').mapValues((r): Undone => ({ eventId: r.eventId, reason: r.reason ?? 'inventory released', at: r.releasedAt }), { name: 'stock-released' });
  // With stock reserved, the release comes first and its acknowledgement triggers the refund.
  const cancelledUnreserved = decideWithTable(
    eachEventOnce(cancelledEvents, 'orders.order.cancelled'),
    reservations,
    (c, reservation): Undone[] => (reservation === null ? [{ eventId: c.eventId, reason: cancelledBecause(c), at: c.cancelledAt }] : []),
    'cancelled-unreserved',
  );
  const refundStockUndone = withEarlierFact(shortOfStock.merge(released, { name: 'stock-undone' }), charged, (undone, paid) => refund(undone, paid), 'refund-stock-undone');
  const refundCharged = decideWithTable(cancelledUnreserved, charges, (undone, paid) => (paid === null ? [] : [refund(undone, paid)]), 'refund-charged');
  const refundLate = decideWithTable(eachEventOnce(charged, 'payments.payment.processed'), cancelled, (paid, c) => (c === null ? [] : [refund({ eventId: paid.eventId, reason: cancelledBecause(c), at: paid.processedAt }, paid)]), 'refund-late-charge');
  const refunds = refundStockUndone.merge(refundCharged, { name: 'undone' }).merge(refundLate, { name: 'refunds' });
  issueCommands(oncePerOrder(refunds, 'refund'), 'payments.payment.refund');
  return app;
}

export default paymentPolicy();
