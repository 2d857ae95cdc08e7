import type { OrderCreated, SagaTransitioned } from '../../../index.ts';
import { statusAfter, type OrderEvent } from '../aggregate.ts';

/** Where an order stands, as its saga (or, in the choreographed flow, its Order aggregate) says: running until one of the three outcomes. */
export type OrderStatus = 'RUNNING' | 'COMPLETED' | 'COMPENSATED' | 'FAILED';

/** One line of an order's status timeline. */
export interface TimelineEntry {
  /** Event time (epoch ms). */
  readonly at: number;
  /** What happened, e.g. `payment PROCESSED`, `saga running:payment → running:inventory`. */
  readonly event: string;
}

/** The order summary projection's row, per order id. */
export interface OrderSummary {
  readonly orderId: string;
  readonly customerId: string;
  readonly currency: string;
  readonly totalMinor: number;
  readonly itemCount: number;
  readonly status: OrderStatus;
  /**
   * The saga's state (`running:inventory`, `compensating:payment`, `completed`, …); `new` before
   * it starts. In the choreographed flow, which has no saga, the Order aggregate's status
   * (`pending`, `paid`, …, `completed`, `cancelled`, `compensated`).
   */
  readonly sagaState: string;
  /**
   * Why the order was compensated (`payment failed`, `shipping timed-out`, `cancelled during
   * inventory`; choreographed: the cancellation's reason, `payment failed (card declined)`); null otherwise.
   */
  readonly cause: string | null;
  readonly placedAt: number | null;
  readonly updatedAt: number;
  /** Everything that happened to the order, oldest first, at most `TIMELINE_LIMIT` lines (the latest). */
  readonly timeline: readonly TimelineEntry[];
}

/** Bounds a row's size however chatty an order's history (retries, duplicates). */
export const TIMELINE_LIMIT = 50;

/** What the projection folds into a summary: the order itself, its saga's moves (or its Order aggregate's events), and the services' events. */
export type SummaryEvent =
  | { readonly kind: 'placed'; readonly order: OrderCreated }
  | { readonly kind: 'saga'; readonly transition: SagaTransitioned }
  | { readonly kind: 'order'; readonly at: number; readonly event: OrderEvent }
  | { readonly kind: 'fact'; readonly at: number; readonly event: string };

export const EMPTY_SUMMARY: OrderSummary = {
  orderId: '',
  customerId: '',
  currency: '',
  totalMinor: 0,
  itemCount: 0,
  status: 'RUNNING',
  sagaState: 'new',
  cause: null,
  placedAt: null,
  updatedAt: 0,
  timeline: [],
};

/** The summary after one more event of its order. Pure: the projection is rebuilt by replaying the events. */
export function applySummaryEvent(orderId: string, event: SummaryEvent, summary: OrderSummary): OrderSummary {
  switch (event.kind) {
    case 'placed': {
      const { order } = event;
      return withLine(
        { ...summary, orderId, customerId: order.customerId, currency: order.currency, totalMinor: order.totalMinor, itemCount: order.items.length, placedAt: order.createdAt },
        order.createdAt,
        `placed ${order.items.length} item(s), ${order.totalMinor} ${order.currency}`,
      );
    }
    case 'saga': {
      const { transition } = event;
      const moved = { ...summary, orderId, sagaState: transition.to, status: statusOf(transition.to), cause: transition.cause ? causeText(transition.cause) : summary.cause };
      return withLine(moved, transition.timestamp, `saga ${transition.event}${transition.step ? ` (${transition.step})` : ''}: ${transition.from} → ${transition.to}`);
    }
    case 'order': {
      const state = statusAfter(event.event);
      const status: OrderStatus = state === 'completed' ? 'COMPLETED' : state === 'cancelled' || state === 'compensated' ? 'COMPENSATED' : 'RUNNING';
      const cause = event.event.type === 'OrderCancelled' ? `${event.event.reason.toLowerCase().replace(/_/g, ' ')}${event.event.detail ? ` (${event.event.detail})` : ''}` : summary.cause;
      return withLine({ ...summary, orderId, sagaState: state, status, cause }, event.at, `order ${event.event.type}: ${summary.sagaState} → ${state}`);
    }
    case 'fact':
      return withLine({ ...summary, orderId }, event.at, event.event);
  }
}

function statusOf(sagaState: string): OrderStatus {
  if (sagaState === 'completed') return 'COMPLETED';
  if (sagaState === 'compensated') return 'COMPENSATED';
  if (sagaState === 'failed') return 'FAILED';
  return 'RUNNING';
}

function causeText(cause: NonNullable<SagaTransitioned['cause']>): string {
  return cause.kind === 'cancelled' ? `cancelled during ${cause.step}` : `${cause.step} ${cause.kind}`;
}

function withLine(summary: OrderSummary, at: number, event: string): OrderSummary {
  const timeline = [...summary.timeline, { at, event }].slice(-TIMELINE_LIMIT);
  return { ...summary, timeline, updatedAt: Math.max(summary.updatedAt, at) };
}
