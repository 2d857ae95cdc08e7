import type { CancellationReason, SagaTransitioned } from '../../../index.ts';
import type { OrderEvent } from '../aggregate.ts';

/**
 * How an order ended, in the words the demo and the tests count by: `completed`, or the
 * compensation's cause as the saga names it (`payment failed`, `inventory failed`,
 * `shipping failed`, `shipping timed-out`, …), `cancelled` for a customer's cancellation,
 * and `failed` for a saga whose compensation got stuck. The choreographed flow's Order
 * aggregate ends an order in the same words, from its cancellation's reason.
 */
export type OrderOutcome = string;

/** The saga states an order ends in: completed, compensated, or failed (a compensation stuck). */
const TERMINAL_STATES = new Set(['completed', 'compensated', 'failed']);

/** True for the move that ends a saga instance (an ignored input repeats the state it is in, so it never counts). */
export function isSagaEnd(transition: SagaTransitioned): boolean {
  return transition.from !== transition.to && TERMINAL_STATES.has(transition.to);
}

/** The outcome a saga's ending move stands for. */
export function outcomeOf(transition: SagaTransitioned): OrderOutcome {
  if (transition.to === 'completed') return 'completed';
  if (transition.to === 'failed') return 'failed';
  const cause = transition.cause;
  if (!cause) return 'compensated';
  return cause.kind === 'cancelled' ? 'cancelled' : `${cause.step} ${cause.kind}`;
}

/**
 * A cancellation's reason as an outcome, worded as the saga's causes. A timeout names no
 * step: the order policy only knows the order was not shipped in time.
 */
const OUTCOME_OF_REASON: Readonly<Record<CancellationReason, OrderOutcome>> = {
  CUSTOMER_REQUEST: 'cancelled',
  PAYMENT_FAILED: 'payment failed',
  INVENTORY_UNAVAILABLE: 'inventory failed',
  SHIPPING_FAILED: 'shipping failed',
  STEP_TIMED_OUT: 'timed-out',
  GROUP_CHECKOUT_FAILED: 'group checkout failed',
};

/**
 * The outcome an Order aggregate's event stands for when it ends the order — `completed`
 * for OrderCompleted, its reason's outcome for OrderCancelled — and undefined for the events
 * that do not end it. The aggregate refuses to move an ended order, so each order has one.
 */
export function orderEventOutcome(event: OrderEvent): OrderOutcome | undefined {
  if (event.type === 'OrderCompleted') return 'completed';
  if (event.type === 'OrderCancelled') return OUTCOME_OF_REASON[event.reason];
  return undefined;
}
