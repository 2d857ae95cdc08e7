import { topology, type CancelOrder, type CancellationReason, type TopologyBuilder } from '../../../index.ts';
import { orderAppId } from '../orderTopics.ts';
import { stableId } from '../services/serviceBehaviour.ts';
import { issueCommands, readTopic } from './policyTopics.ts';

/** The step of the flow that failed. */
export type FailedStep = 'payment' | 'inventory' | 'shipping';

/** What the order policy learns of an order from the services' events. */
export type OrderFact =
  | { readonly type: 'failed'; readonly step: FailedStep; readonly eventId: string; readonly at: number }
  | { readonly type: 'refunded'; readonly eventId: string; readonly at: number };

/** What the order policy knows of one order (store `order-cancellations`). */
export interface OrderCancellation {
  /** The first failure; later ones change nothing. */
  readonly failure: Extract<OrderFact, { type: 'failed' }> | null;
  readonly refunded: Extract<OrderFact, { type: 'refunded' }> | null;
  readonly cancelled: boolean;
  /** The command the latest fact decided; null after every other fact, so it is issued once. */
  readonly cancel: CancelOrder | null;
}

const REASON: Readonly<Record<FailedStep, CancellationReason>> = { payment: 'PAYMENT_FAILED', inventory: 'INVENTORY_UNAVAILABLE', shipping: 'SHIPPING_FAILED' };

/** Nothing known yet. */
export const NOTHING_KNOWN: OrderCancellation = { failure: null, refunded: null, cancelled: false, cancel: null };

/**
 * One fact folded into what is known of an order. The order is cancelled, once, as soon as
 * a step failed and what it leaves to undo is undone: at once after a payment failure
 * (nothing was charged), after the refund otherwise (the refund is the last compensation:
 * the payment policy refunds only after the stock was released). Its command id follows
 * the fact that decided it, so a replay issues the same command.
 */
export function foldOrderFact(orderId: string, fact: OrderFact, known: OrderCancellation): OrderCancellation {
  const next: OrderCancellation = {
    failure: known.failure ?? (fact.type === 'failed' ? fact : null),
    refunded: known.refunded ?? (fact.type === 'refunded' ? fact : null),
    cancelled: known.cancelled,
    cancel: null,
  };
  const { failure } = next;
  if (next.cancelled || failure === null || (failure.step !== 'payment' && next.refunded === null)) return next;
  const cancel: CancelOrder = {
    commandId: stableId(fact.eventId, 'cancel-order'),
    sagaId: '',
    orderId,
    reason: REASON[failure.step],
    detail: `${failure.step} failed`,
    issuedAt: fact.at,
  };
  return { ...next, cancelled: true, cancel };
}

/**
 * The order policy (choreography): cancels an order (`CancelOrder` on `orders.order.cancel`,
 * which the order service turns into `orders.order.cancelled`) when its payment failed
 * (PAYMENT_FAILED), or when its stock could not be reserved (INVENTORY_UNAVAILABLE) or its
 * shipment failed (SHIPPING_FAILED) and the refund was then acknowledged. Once per order:
 * repeated or late events change nothing.
 */
export function orderPolicy(): TopologyBuilder {
  const app = topology(orderAppId('order-order-policy'));
  const payments = readTopic(app, 'payments.payment.processed').flatMapValues(
    (p): OrderFact[] => (p.status === 'FAILED' ? [{ type: 'failed', step: 'payment', eventId: p.eventId, at: p.processedAt }] : p.status === 'REFUNDED' ? [{ type: 'refunded', eventId: p.eventId, at: p.processedAt }] : []),
    { name: 'payment-facts' },
  );
  const shortOfStock = readTopic(app, 'inventory.stock.reservation-failed').mapValues((f): OrderFact => ({ type: 'failed', step: 'inventory', eventId: f.eventId, at: f.failedAt }), { name: 'inventory-facts' });
  const notShipped = readTopic(app, 'shipping.shipment.failed').mapValues((f): OrderFact => ({ type: 'failed', step: 'shipping', eventId: f.eventId, at: f.failedAt }), { name: 'shipping-facts' });
  const cancel = payments
    .merge(shortOfStock, { name: 'failures' })
    .merge(notShipped, { name: 'facts' })
    .groupByKey()
    .aggregate(() => NOTHING_KNOWN, foldOrderFact, { store: 'order-cancellations', name: 'fold-order-facts' })
    .toStream({ name: 'order-cancellation-changes' })
    .flatMapValues((known) => (known?.cancel ? [known.cancel] : []), { name: 'cancel-order' });
  issueCommands(cancel, 'orders.order.cancel');
  return app;
}

export default orderPolicy();
