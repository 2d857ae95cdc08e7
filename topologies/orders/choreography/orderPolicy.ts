import { DeadlineIndex, topology, type CancelOrder, type CancellationReason, type KeyValueStore, type TopologyBuilder, type WindowStore } from '../../../index.ts';
import { orderSagaSettings, type OrderSagaSettings } from '../orderSaga.ts';
import { orderAppId } from '../orderTopics.ts';
import { stableId } from '../services/serviceBehaviour.ts';
import { issueCommands, readTopic } from './policyTopics.ts';

/** The step of the flow that failed. */
export type FailedStep = 'payment' | 'inventory' | 'shipping';

/** What the order policy learns of an order: from the services' events, the order service's, and its own deadline. */
export type OrderFact =
  | { readonly type: 'placed'; readonly eventId: string; readonly at: number; readonly deadlineAt: number }
  | { readonly type: 'failed'; readonly step: FailedStep; readonly eventId: string; readonly at: number }
  | { readonly type: 'refunded'; readonly eventId: string; readonly at: number }
  | { readonly type: 'shipped'; readonly eventId: string; readonly at: number }
  | { readonly type: 'cancelled'; readonly eventId: string; readonly at: number }
  | { readonly type: 'timed-out'; readonly at: number };

/** What the order policy knows of one order (store `order-cancellations`). */
export interface OrderCancellation {
  /** The first failure; later ones change nothing. */
  readonly failure: Extract<OrderFact, { type: 'failed' }> | null;
  readonly refunded: boolean;
  /** Shipped (no longer cancellable) or cancelled (by this policy or anyone): nothing is left to decide. */
  readonly settled: boolean;
  /** Wall-clock time by which the order must be settled, else it is cancelled; null before it is placed and once settled. */
  readonly deadlineAt: number | null;
  /** The command the latest fact decided; null after every other fact, so it is issued once. */
  readonly cancel: CancelOrder | null;
}

const REASON: Readonly<Record<FailedStep, CancellationReason>> = { payment: 'PAYMENT_FAILED', inventory: 'INVENTORY_UNAVAILABLE', shipping: 'SHIPPING_FAILED' };

/** Nothing known yet. */
export const NOTHING_KNOWN: OrderCancellation = { failure: null, refunded: false, settled: false, deadlineAt: null, cancel: null };

/**
 * One fact folded into what is known of an order. The order is cancelled, once:
 * - as soon as a step failed and what it leaves to undo is undone: at once after a payment
 *   failure (nothing was charged), after the refund otherwise (the refund is the last
 *   compensation: the payment policy refunds only after the stock was released);
 * - when its deadline passes before it is settled (STEP_TIMED_OUT; or the failure's reason
 *   when a step failed but its compensation was not acknowledged in time). The
 *   compensations then follow the cancellation.
 * An order shipped or cancelled by someone else is settled: nothing more is decided. The
 * command id follows the fact that decided it (the order's id for a timeout), so a replay
 * issues the same command.
 */
export function foldOrderFact(orderId: string, fact: OrderFact, known: OrderCancellation): OrderCancellation {
  const next: OrderCancellation = {
    failure: known.failure ?? (fact.type === 'failed' ? fact : null),
    refunded: known.refunded || fact.type === 'refunded',
    settled: known.settled || fact.type === 'shipped' || fact.type === 'cancelled',
    deadlineAt: fact.type === 'placed' && known.deadlineAt === null && !known.settled ? fact.deadlineAt : known.deadlineAt,
    cancel: null,
  };
  if (next.settled) return { ...next, deadlineAt: null };
  const { failure } = next;
  const compensated = failure !== null && (failure.step === 'payment' || next.refunded);
  if (!compensated && fact.type !== 'timed-out') return next;
  const cancel: CancelOrder = {
    commandId: stableId(fact.type === 'timed-out' ? orderId : fact.eventId, 'cancel-order'),
    sagaId: '',
    orderId,
    reason: failure ? REASON[failure.step] : 'STEP_TIMED_OUT',
    detail: compensated ? `${failure.step} failed` : failure ? `${failure.step} failed, not compensated in time` : 'not shipped in time',
    issuedAt: fact.at,
  };
  return { ...next, settled: true, deadlineAt: null, cancel };
}

/** How long an order may take from its creation to its shipment (wall clock). */
export interface OrderPolicySettings {
  readonly deadlineMs: number;
  /** How often due deadlines are looked for: a timeout fires up to this late. */
  readonly punctuationIntervalMs: number;
}

/**
 * The orchestrated saga's patience for the three steps up to the shipment (each attempt's
 * timeout, every attempt), so that both flows give up on a silent service alike.
 */
export function orderPolicySettings(saga: OrderSagaSettings = orderSagaSettings()): OrderPolicySettings {
  const deadlineMs = 3 * saga.attempts * saga.stepTimeoutMs;
  return { deadlineMs, punctuationIntervalMs: Math.min(1_000, Math.max(50, Math.floor(saga.stepTimeoutMs / 4))) };
}

const STATE = 'order-cancellations';
const DEADLINES = 'order-deadlines';

/**
 * The order policy (choreography): cancels an order (`CancelOrder` on `orders.order.cancel`,
 * which the order service turns into `orders.order.cancelled`) when its payment failed
 * (PAYMENT_FAILED), when its stock could not be reserved (INVENTORY_UNAVAILABLE) or its
 * shipment failed (SHIPPING_FAILED) and the refund was then acknowledged, or when it is not
 * shipped within `deadlineMs` of its creation (wall clock; STEP_TIMED_OUT): the one place
 * of the choreography that notices a service that never answers. Once per order: repeated
 * or late events change nothing. Deadlines sit in a deadline index (`order-deadlines`).
 */
export function orderPolicy(settings: OrderPolicySettings = orderPolicySettings()): TopologyBuilder {
  const app = topology(orderAppId('order-order-policy'));
  app.addStore({ name: STATE, kind: 'keyValue' });
  app.addStore({ name: DEADLINES, kind: 'window', internal: true });
  // The deadline is set where the fact is processed (wall clock); a placeholder until then.
  const placed = readTopic(app, 'orders.order.created').mapValues((o): OrderFact => ({ type: 'placed', eventId: o.eventId, at: o.createdAt, deadlineAt: 0 }), { name: 'placed' });
  const payments = readTopic(app, 'payments.payment.processed').flatMapValues(
    (p): OrderFact[] => (p.status === 'FAILED' ? [{ type: 'failed', step: 'payment', eventId: p.eventId, at: p.processedAt }] : p.status === 'REFUNDED' ? [{ type: 'refunded', eventId: p.eventId, at: p.processedAt }] : []),
    { name: 'payment-facts' },
  );
  const shortOfStock = readTopic(app, 'inventory.stock.reservation-failed').mapValues((f): OrderFact => ({ type: 'failed', step: 'inventory', eventId: f.eventId, at: f.failedAt }), { name: 'inventory-facts' });
  const notShipped = readTopic(app, 'shipping.shipment.failed').mapValues((f): OrderFact => ({ type: 'failed', step: 'shipping', eventId: f.eventId, at: f.failedAt }), { name: 'shipping-failures' });
  const shipped = readTopic(app, 'shipping.shipment.initiated').mapValues((s): OrderFact => ({ type: 'shipped', eventId: s.eventId, at: s.initiatedAt }), { name: 'shipments' });
  const cancelled = readTopic(app, 'orders.order.cancelled').mapValues((c): OrderFact => ({ type: 'cancelled', eventId: c.eventId, at: c.cancelledAt }), { name: 'cancellations' });
  const facts = [payments, shortOfStock, notShipped, shipped, cancelled].reduce((all, next) => all.merge(next), placed);
  const cancel = facts.process<string, CancelOrder>(
    (context) => {
      const state = context.store<KeyValueStore<string, OrderCancellation>>(STATE);
      const deadlines = new DeadlineIndex(context.store<WindowStore<string, 'deadline'>>(DEADLINES));
      const apply = (orderId: string, fact: OrderFact, timestamp: number) => {
        const before = state.get(orderId) ?? NOTHING_KNOWN;
        const after = foldOrderFact(orderId, fact, before);
        state.put(orderId, after);
        if (before.deadlineAt !== after.deadlineAt) {
          if (before.deadlineAt !== null) deadlines.remove(orderId, before.deadlineAt);
          if (after.deadlineAt !== null) deadlines.add(orderId, after.deadlineAt, 'deadline');
        }
        if (after.cancel) context.forward(orderId, after.cancel, { timestamp });
      };
      context.schedule(settings.punctuationIntervalMs, 'wall-clock', (now) => {
        for (const [orderId] of deadlines.due(now)) apply(orderId, { type: 'timed-out', at: now }, now);
      });
      return {
        process({ key, value, timestamp }) {
          apply(key, value.type === 'placed' ? { ...value, deadlineAt: context.wallClockTime() + settings.deadlineMs } : value, timestamp);
        },
      };
    },
    { name: 'decide-cancellation', stores: [STATE, DEADLINES] },
  );
  issueCommands(cancel, 'orders.order.cancel');
  return app;
}

export default orderPolicy();
