import { jsonSerde, processManager, stringSerde, topology, type CancelOrder, type CancellationReason, type OrderCreated, type ProcessDecision, type ProcessManagerDefinition, type Stream, type TopologyBuilder } from '../../../index.ts';
import { resequenced, type FactOrder } from '../factResequencer.ts';
import { orderSagaSettings, type OrderSagaSettings } from '../orderSaga.ts';
import { orderAppId, orderTopic, readTopic } from '../orderTopics.ts';
import { stableId } from '../services/serviceBehaviour.ts';
import { issueCommands } from './policyTopics.ts';

/** The step of the flow that failed. */
export type FailedStep = 'payment' | 'inventory' | 'shipping';

/** What the order policy learns of an order from the services' events and the order service's. */
export type OrderFact =
  | { readonly type: 'failed'; readonly step: FailedStep; readonly eventId: string; readonly at: number }
  | { readonly type: 'refunded'; readonly eventId: string; readonly at: number }
  | { readonly type: 'shipped'; readonly eventId: string; readonly at: number }
  | { readonly type: 'cancelled'; readonly eventId: string; readonly at: number };

/** The order's deadline passed (wall clock `at`). */
export interface OrderTimedOut {
  readonly type: 'timed-out';
  readonly at: number;
}

/** What the order policy knows of one order. */
export interface OrderCancellation {
  /** The first failure; later ones change nothing. */
  readonly failure: Extract<OrderFact, { type: 'failed' }> | null;
  readonly refunded: boolean;
  /** Shipped (no longer cancellable) or cancelled (by this policy or anyone): nothing is left to decide. */
  readonly settled: boolean;
}

/** What one fact makes of an order: what is known after it, and the cancellation it decided, if any. */
export interface CancellationDecision {
  readonly known: OrderCancellation;
  readonly cancel: CancelOrder | null;
}

const REASON: Readonly<Record<FailedStep, CancellationReason>> = { payment: 'PAYMENT_FAILED', inventory: 'INVENTORY_UNAVAILABLE', shipping: 'SHIPPING_FAILED' };

/** Nothing known yet. */
export const NOTHING_KNOWN: OrderCancellation = { failure: null, refunded: false, settled: false };

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
export function decideCancellation(orderId: string, known: OrderCancellation, fact: OrderFact | OrderTimedOut): CancellationDecision {
  const next: OrderCancellation = {
    failure: known.failure ?? (fact.type === 'failed' ? fact : null),
    refunded: known.refunded || fact.type === 'refunded',
    settled: known.settled || fact.type === 'shipped' || fact.type === 'cancelled',
  };
  const { failure } = next;
  const compensated = failure !== null && (failure.step === 'payment' || next.refunded);
  if (next.settled || (!compensated && fact.type !== 'timed-out')) return { known: next, cancel: null };
  const cancel: CancelOrder = {
    commandId: stableId(fact.type === 'timed-out' ? orderId : fact.eventId, 'cancel-order'),
    sagaId: '',
    orderId,
    reason: failure ? REASON[failure.step] : 'STEP_TIMED_OUT',
    detail: compensated ? `${failure.step} failed` : failure ? `${failure.step} failed, not compensated in time` : 'not shipped in time',
    issuedAt: fact.at,
  };
  return { known: { ...next, settled: true }, cancel };
}

/** How long an order may take from its creation to its shipment (wall clock), and how closely that is watched. */
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
  return { deadlineMs: 3 * saga.attempts * saga.stepTimeoutMs, punctuationIntervalMs: Math.min(1_000, Math.max(50, Math.floor(saga.stepTimeoutMs / 4))) };
}

const emitted = ({ known, cancel }: CancellationDecision): ProcessDecision<OrderCancellation, { cancel: CancelOrder }> => ({ state: known, emit: cancel ? [{ type: 'cancel', value: cancel }] : [] });

/**
 * The order policy's process: an instance per order created, ended once the order is
 * settled (shipped or cancelled), timed out `deadlineMs` after its creation was processed.
 */
export function orderCancellation(settings: OrderPolicySettings): ProcessManagerDefinition<string, OrderCreated, { fact: OrderFact }, OrderCancellation, { cancel: CancelOrder }> {
  return {
    start: () => ({ state: NOTHING_KNOWN }),
    deadline: (_order, { wallClockTime }) => wallClockTime + settings.deadlineMs,
    on: { fact: (known, fact, { key }) => emitted(decideCancellation(key, known, fact)) },
    isComplete: (known) => known.settled,
    onTimeout: (known, { key, wallClockTime }) => emitted(decideCancellation(key, known, { type: 'timed-out', at: wallClockTime })).emit ?? [],
  };
}

/** What the order policy reads of an order: its creation, which starts its process, then facts. */
type PolicyInput = { readonly kind: 'created'; readonly order: OrderCreated } | { readonly kind: 'fact'; readonly fact: OrderFact };

/** A fact follows the order's creation: read before it, it would be an event for a process not started yet, and dropped. */
const FACTS_AFTER_CREATION: FactOrder<PolicyInput> = { kindOf: (input) => input.kind, follows: (input) => (input.kind === 'fact' ? 'created' : null) };

/**
 * The order policy (choreography): cancels an order (`CancelOrder` on `orders.order.cancel`,
 * which the order service turns into `orders.order.cancelled`) when its payment failed
 * (PAYMENT_FAILED), when its stock could not be reserved (INVENTORY_UNAVAILABLE) or its
 * shipment failed (SHIPPING_FAILED) and the refund was then acknowledged, or when it is not
 * shipped within `deadlineMs` of its creation (wall clock; STEP_TIMED_OUT): the one place
 * of the choreography that notices a service that never answers. Once per order: repeated
 * or late events change nothing. A process manager `order-cancellation` keeps what it knows
 * per order (ended orders for a day) and the deadlines. Its inputs are read each at its own
 * pace, so a fact read before the order's creation is held (store `order-facts`) until the
 * creation passes, and the process manager reads both in that order through
 * `<app>-order-facts-repartition`.
 */
export function orderPolicy(settings: OrderPolicySettings = orderPolicySettings()): TopologyBuilder {
  const app = topology(orderAppId('order-order-policy'));
  const inputs: string[] = [];
  const read = <T extends Parameters<typeof readTopic>[1]>(topic: T) => {
    inputs.push(orderTopic(topic).name);
    return readTopic(app, topic);
  };
  const payments = read('payments.payment.processed').flatMapValues(
    (p): OrderFact[] => (p.status === 'FAILED' ? [{ type: 'failed', step: 'payment', eventId: p.eventId, at: p.processedAt }] : p.status === 'REFUNDED' ? [{ type: 'refunded', eventId: p.eventId, at: p.processedAt }] : []),
    { name: 'payment-facts' },
  );
  const shortOfStock = read('inventory.stock.reservation-failed').mapValues((f): OrderFact => ({ type: 'failed', step: 'inventory', eventId: f.eventId, at: f.failedAt }), { name: 'inventory-facts' });
  const notShipped = read('shipping.shipment.failed').mapValues((f): OrderFact => ({ type: 'failed', step: 'shipping', eventId: f.eventId, at: f.failedAt }), { name: 'shipping-failures' });
  const shipped = read('shipping.shipment.initiated').mapValues((s): OrderFact => ({ type: 'shipped', eventId: s.eventId, at: s.initiatedAt }), { name: 'shipments' });
  const cancelled = read('orders.order.cancelled').mapValues((c): OrderFact => ({ type: 'cancelled', eventId: c.eventId, at: c.cancelledAt }), { name: 'cancellations' });
  const facts: Stream<string, PolicyInput> = [shortOfStock, notShipped, shipped, cancelled]
    .reduce((all, next) => all.merge(next), payments)
    .mapValues((fact): PolicyInput => ({ kind: 'fact', fact }), { name: 'facts' });
  const created = read('orders.order.created').mapValues((order): PolicyInput => ({ kind: 'created', order }), { name: 'created' });
  // One order's inputs meet in one task of the resequencer, which owns what it knows of the order.
  app.requireCoPartitioned(inputs);
  const inOrder = resequenced(app, created.merge(facts, { name: 'inputs' }), FACTS_AFTER_CREATION, 'order-facts').repartition({ name: 'order-facts', serdes: { key: stringSerde, value: jsonSerde<PolicyInput>() } });
  const policy = processManager(app, orderCancellation(settings), {
    name: 'order-cancellation',
    start: inOrder.flatMapValues((input) => (input.kind === 'created' ? [input.order] : []), { name: 'order-created' }),
    events: { fact: inOrder.flatMapValues((input) => (input.kind === 'fact' ? [input.fact] : []), { name: 'order-fact' }) },
    punctuationIntervalMs: settings.punctuationIntervalMs,
  });
  issueCommands(policy.output('cancel', { name: 'cancel-order' }), 'orders.order.cancel');
  return app;
}

export default orderPolicy();
