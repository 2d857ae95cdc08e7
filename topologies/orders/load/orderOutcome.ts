import type { SagaTransitioned } from '../../../index.ts';

/**
 * How an order ended, in the words the demo and the tests count by: `completed`, or the
 * compensation's cause as the saga names it (`payment failed`, `inventory failed`,
 * `shipping failed`, `shipping timed-out`, …), `cancelled` for a customer's cancellation,
 * and `failed` for a saga whose compensation got stuck.
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
