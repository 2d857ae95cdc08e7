import { jsonSerde, stringSerde, TimeWindows, topology, type OrderCreated, type Stream, type TopologyBuilder } from '../../index.ts';
import { ORDER_AGGREGATE, type OrderEvent, type OrderFlow } from './aggregate.ts';
import { orderAppId, readTopic } from './orderTopics.ts';
import { applySummaryEvent, EMPTY_SUMMARY, type SummaryEvent } from './projections/orderSummary.ts';

/** The projections' stores, which the query endpoint reads. */
export const PROJECTION_STORES = {
  /** Order id → `OrderSummary`: status, cause and timeline. */
  summaries: 'order-summaries',
  /** Customer id → `CustomerOrders`. */
  ordersByCustomer: 'orders-by-customer',
  /** Currency, day window → `DailyRevenue` of the orders completed that day. */
  revenuePerDay: 'revenue-per-day',
} as const;

/** What the orders-per-customer projection keeps per customer. */
export interface CustomerOrders {
  readonly orderCount: number;
  /** The latest orders, oldest first, at most `RECENT_ORDERS`. */
  readonly recentOrderIds: readonly string[];
}

/** The revenue of one day in one currency: the orders completed that day. */
export interface DailyRevenue {
  readonly orders: number;
  readonly amountMinor: number;
}

const RECENT_ORDERS = 100;
const DAY_MS = 24 * 3600_000;
/** Completions may arrive this late (event time) and still count for their day. */
const REVENUE_GRACE_MS = 3600_000;

/** Saga inputs the instance ignored: not part of an order's history. */
const IGNORED = new Set(['duplicate-start', 'duplicate-reply', 'late-reply', 'unexpected-reply', 'unknown-instance', 'late-cancel']);

const json = { key: stringSerde, value: jsonSerde<never>() };

/** Where an order's status moves, and the moment it completed (keyed by order id). */
interface OrderMoves {
  readonly moves: Stream<string, SummaryEvent>;
  readonly completions: Stream<string, true>;
}

function sagaMoves(app: TopologyBuilder): OrderMoves {
  const transitions = readTopic(app, 'orders.saga.transitioned').filter((_id, t) => !IGNORED.has(t.event), { name: 'saga-moves' });
  return {
    moves: transitions.mapValues((transition): SummaryEvent => ({ kind: 'saga', transition })),
    completions: transitions.filter((_id, t) => t.to === 'completed', { name: 'completions' }).mapValues((): true => true, { name: 'completed' }),
  };
}

/** The choreographed flow has no saga: the Order aggregate's events say where an order stands. */
function aggregateMoves(app: TopologyBuilder): OrderMoves {
  const events = app
    .stream<string, OrderEvent>(ORDER_AGGREGATE.events, { serdes: { key: stringSerde, value: jsonSerde<OrderEvent>() } })
    .processValues<SummaryEvent>((context) => ({ process: ({ value, timestamp }) => context.forward({ kind: 'order', at: timestamp, event: value }) }), { name: 'order-moves' });
  const completions = events.filter((_id, e) => e.kind === 'order' && e.event.type === 'OrderCompleted', { name: 'completions' }).mapValues((): true => true, { name: 'completed' });
  return { moves: events, completions };
}

/**
 * The order system's read side, built from its events:
 * - **order summary** per order: totals, status and cause from the saga's transitions (the
 *   Order aggregate's events in the choreographed flow, which has no saga), and a timeline of
 *   everything that happened (the services' events, the cancellation, the notifications,
 *   rekeyed from customer to order through a repartition topic);
 * - **orders per customer**: count and the latest order ids (a `groupBy` on the customer);
 * - **revenue per day** per currency: the totals of the orders completed that day, in
 *   tumbling one-day windows of the completion's event time (one hour of grace).
 */
export function orderProjections({ flow }: { readonly flow: OrderFlow } = { flow: 'orchestrated' }): TopologyBuilder {
  const app = topology(orderAppId('order-projections'));
  const created = readTopic(app, 'orders.order.created');
  const { moves, completions } = flow === 'orchestrated' ? sagaMoves(app) : aggregateMoves(app);

  const facts: Array<Stream<string, SummaryEvent>> = [
    readTopic(app, 'payments.payment.processed').mapValues((p) => fact(p.processedAt, `payment ${p.status.toLowerCase()}${p.failureReason ? `: ${p.failureReason}` : ''}`)),
    readTopic(app, 'inventory.stock.checked').mapValues((c) => fact(c.checkedAt, `inventory checked: ${c.available ? 'available' : 'short'}`)),
    readTopic(app, 'inventory.stock.reserved').mapValues((r) => fact(r.reservedAt, `inventory reserved (${r.items.length} line(s))`)),
    readTopic(app, 'inventory.stock.reservation-failed').mapValues((f) => fact(f.failedAt, `inventory short: ${f.shortSkus.join(', ')}`)),
    readTopic(app, 'inventory.stock.released').mapValues((r) => fact(r.releasedAt, `inventory released (${r.items.length} line(s))`)),
    readTopic(app, 'shipping.shipment.initiated').mapValues((s) => fact(s.initiatedAt, `shipped with ${s.carrier}${s.trackingNumber ? `, tracking ${s.trackingNumber}` : ''}`)),
    readTopic(app, 'shipping.shipment.failed').mapValues((f) => fact(f.failedAt, `shipping failed: ${f.reason}`)),
    readTopic(app, 'orders.order.cancelled').mapValues((c) => fact(c.cancelledAt, `cancelled: ${c.reason.toLowerCase().replace(/_/g, ' ')}`)),
    // Keyed by customer: rekeyed to the order (group checkout notices name none) and repartitioned.
    readTopic(app, 'notifications.notification.sent')
      .flatMap((_customer, n) => (n.orderId === null ? [] : [[n.orderId, fact(n.sentAt, `customer notified: ${n.kind.toLowerCase().replace(/_/g, ' ')}`)] as const]), { name: 'notification-order' })
      .repartition({ name: 'notifications-by-order', serdes: json }),
  ];
  const events = [created.mapValues((order): SummaryEvent => ({ kind: 'placed', order })), moves, ...facts].reduce((all, next) => all.merge(next));
  const summaries = events.groupByKey().aggregate(() => EMPTY_SUMMARY, applySummaryEvent, { store: PROJECTION_STORES.summaries });

  created
    .map((_orderId, order: OrderCreated) => [order.customerId, order.orderId] as const, { name: 'order-customer' })
    .groupByKey({ name: 'orders-by-customer', serdes: json })
    .aggregate<CustomerOrders>(
      () => ({ orderCount: 0, recentOrderIds: [] }),
      (_customer, orderId, orders) => ({ orderCount: orders.orderCount + 1, recentOrderIds: [...orders.recentOrderIds, orderId].slice(-RECENT_ORDERS) }),
      { store: PROJECTION_STORES.ordersByCustomer },
    );

  completions
    .join(summaries, (_t, summary) => ({ currency: summary.currency, amountMinor: summary.totalMinor }), { name: 'completed-order' })
    .groupBy((_orderId, sale) => sale.currency, { name: 'revenue-by-currency', serdes: json })
    .windowedBy(TimeWindows.ofSizeAndGrace(DAY_MS, REVENUE_GRACE_MS))
    .aggregate<DailyRevenue>(() => ({ orders: 0, amountMinor: 0 }), (_currency, sale, day) => ({ orders: day.orders + 1, amountMinor: day.amountMinor + sale.amountMinor }), {
      store: PROJECTION_STORES.revenuePerDay,
    });
  return app;
}

function fact(at: number, event: string): SummaryEvent {
  return { kind: 'fact', at, event };
}

// The order API (commands, and queries over these stores) is served by the workers that run this module.
export { api } from './api.ts';

export default orderProjections();
