import { enrich, topology, type PaymentProcessed, type ProcessPayment, type RefundPayment, type TopologyBuilder } from '../../../index.ts';
import { orderAppId } from '../orderTopics.ts';
import { stableId } from '../services/serviceBehaviour.ts';
import { issueCommands, readTopic, triggers } from './policyTopics.ts';

/** Something undone after the charge, which the charge must follow: why, and when. */
interface Undone {
  readonly eventId: string;
  readonly reason: string;
  readonly at: number;
}

/**
 * The payment policy (choreography): charges each order created (`ProcessPayment`), and
 * refunds a charged order (`RefundPayment`) once the steps after the charge are undone —
 * when the stock could not be reserved (`inventory.stock.reservation-failed`), or when a
 * reservation was released (`inventory.stock.released`, the inventory's compensation of a
 * failed shipment). Reacting to the release rather than to the shipping failure itself
 * keeps the orchestrated saga's order: release, then refund. An order never charged (the
 * store `charges` has no PROCESSED payment for it) gets no refund.
 */
export function paymentPolicy(): TopologyBuilder {
  const app = topology(orderAppId('order-payment-policy'));
  const charges = readTopic(app, 'payments.payment.processed')
    .filter((_orderId, p) => p.status === 'PROCESSED', { name: 'charged' })
    .toTable({ store: 'charges' });

  const charge = triggers(app, 'orders.order.created').mapValues(
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
  const refund = enrich(
    shortOfStock.merge(released, { name: 'undone' }),
    charges,
    (undone, paid: PaymentProcessed): RefundPayment => ({
      commandId: stableId(undone.eventId, 'refund-payment'),
      sagaId: '',
      orderId: paid.orderId,
      paymentId: paid.paymentId,
      amountMinor: paid.amountMinor,
      currency: paid.currency,
      reason: undone.reason,
      issuedAt: undone.at,
    }),
    { name: 'refund-charged', missingRow: 'drop' },
  );
  issueCommands(refund, 'payments.payment.refund');
  return app;
}

export default paymentPolicy();
