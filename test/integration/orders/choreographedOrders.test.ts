import assert from 'node:assert/strict';
import { isDeepStrictEqual } from 'node:util';
import { ORDER_FLOW_TOPOLOGIES } from '../../../runtime/demo/orderWorkers.ts';
import type { PlannedBatch, PlannedOrder } from '../../../topologies/orders/load/orderGenerator.ts';
import { OutcomeTracker } from '../../../topologies/orders/load/outcomeTracker.ts';
import { OrderSystemRun } from './orderSystemRun.ts';

/** How many orders the run places (env ORDER_TEST_CHOREOGRAPHED_ORDERS; 300 unless told). */
const ORDERS = Number(process.env.ORDER_TEST_CHOREOGRAPHED_ORDERS ?? 300);

/** What happened to one order, as the topics tell it: how the aggregate ended it, what was undone, what the customer was told. */
interface Story {
  /** The Order aggregate's ending events: `OrderCompleted`, `OrderCancelled <reason> [<compensations>]`. */
  readonly ends: readonly string[];
  /** The order service's announcements (`orders.order.cancelled`), by reason. */
  readonly cancelled: readonly string[];
  /** The refund and release commands, by reason: each issued once, when something is to undo. */
  readonly refunds: readonly string[];
  readonly releases: readonly string[];
  /** What the services did about them: the amounts refunded, and how many releases, counted once per event. */
  readonly refunded: readonly number[];
  readonly released: number;
  /** The notifications sent to the customer about the order, by kind. */
  readonly notices: readonly string[];
}

/** Each event once, by id (a service answers a repeated command again with the same event). */
function distinct<E extends { readonly eventId: string }>(events: readonly E[]): E[] {
  return [...new Map(events.map((e) => [e.eventId, e])).values()];
}

function storyOf(run: OrderSystemRun, { order }: PlannedOrder): Story {
  const { orderId } = order;
  const payments = distinct(run.recordsOf('payments.payment.processed', orderId).map((r) => r.value));
  return {
    ends: run
      .recordsOf('orders.order.events', orderId)
      .map(({ value: e }) => (e.type === 'OrderCancelled' ? `${e.type} ${e.reason} [${e.compensations.join(', ')}]` : e.type))
      .filter((e) => e.startsWith('OrderCompleted') || e.startsWith('OrderCancelled')),
    cancelled: run.recordsOf('orders.order.cancelled', orderId).map((r) => r.value.reason),
    refunds: run.recordsOf('payments.payment.refund', orderId).map((r) => r.value.reason),
    releases: run.recordsOf('inventory.stock.release', orderId).map((r) => r.value.reason),
    refunded: payments.filter((p) => p.status === 'REFUNDED').map((p) => p.amountMinor),
    released: distinct(run.recordsOf('inventory.stock.released', orderId).map((r) => r.value)).length,
    notices: run
      .recordsOf('notifications.notification.sent', order.customerId)
      .filter((r) => r.value.orderId === orderId)
      .map((r) => r.value.kind)
      .sort(),
  };
}

/**
 * The story an order must have, by how it ended (the reference): a failed step cancels it with
 * that step's reason after undoing, once each, what came before it (the policies chain the
 * compensations: release, then refund on the release, then cancel on the refund); a customer's
 * cancellation undoes what was done by then — refunds what was charged, releases what was
 * reserved — whenever that was (a charge or a reservation that comes after it is undone when it
 * comes). What was done is read from the services' own events.
 */
function expectedStory(run: OrderSystemRun, planned: PlannedOrder, outcome: string, ends: readonly string[]): Story {
  const { orderId, totalMinor } = planned.order;
  const charged = run.recordsOf('payments.payment.processed', orderId).find((r) => r.value.status === 'PROCESSED')?.value.amountMinor;
  const reserved = run.recordsOf('inventory.stock.reserved', orderId).length > 0;
  const shipped = run.recordsOf('shipping.shipment.initiated', orderId).length > 0;
  const nothing = { refunds: [], releases: [], refunded: [], released: 0 };
  switch (outcome) {
    case 'completed':
      return { ends: ['OrderCompleted'], cancelled: [], ...nothing, notices: ['ORDER_SHIPPED'] };
    case 'payment failed':
      return { ends: ['OrderCancelled PAYMENT_FAILED []'], cancelled: ['PAYMENT_FAILED'], ...nothing, notices: ['ORDER_CANCELLED'] };
    case 'inventory failed':
      return { ends: ['OrderCancelled INVENTORY_UNAVAILABLE [refund-payment]'], cancelled: ['INVENTORY_UNAVAILABLE'], ...nothing, refunds: ['inventory failed'], refunded: [totalMinor], notices: ['ORDER_CANCELLED'] };
    case 'shipping failed':
      return {
        ends: ['OrderCancelled SHIPPING_FAILED [release-inventory, refund-payment]'],
        cancelled: ['SHIPPING_FAILED'],
        refunds: ['shipping failed'],
        releases: ['shipping failed'],
        refunded: [totalMinor],
        released: 1,
        notices: ['ORDER_CANCELLED'],
      };
    case 'cancelled': {
      const why = 'order cancelled: CUSTOMER_REQUEST';
      return {
        // What the aggregate lists depends on what it had seen; what was undone, on what was done.
        ends: ends.length === 1 && ends[0]!.startsWith('OrderCancelled CUSTOMER_REQUEST') ? ends : ['OrderCancelled CUSTOMER_REQUEST …'],
        cancelled: ['CUSTOMER_REQUEST'],
        refunds: charged === undefined ? [] : [why],
        releases: reserved ? [why] : [],
        refunded: charged === undefined ? [] : [charged],
        released: reserved ? 1 : 0,
        // A shipment booked before the cancellation reached the shipping policy is on its way (docs/patterns/choreography.md).
        notices: shipped ? ['ORDER_CANCELLED', 'ORDER_SHIPPED'] : ['ORDER_CANCELLED'],
      };
    }
    default:
      throw new Error(`${orderId} ended ${outcome}, which no order of this run may`);
  }
}

/** What the Order aggregate may refuse of an order its customer cancelled: the cancellation, once shipped, or what came after it. */
const REFUSED_AROUND_A_CANCELLATION = [
  'cannot cancel an order that is shipped',
  'cannot cancel an order that is completed',
  'cannot confirm payment of a cancelled order',
  'cannot reserve stock for a cancelled order',
  'cannot ship a cancelled order',
  'cannot complete a cancelled order',
];

describe(`${ORDERS} generated orders through the choreographed flow, end to end (the policies, the services and the Order aggregate as exactly-once worker processes; no saga)`, function () {
  this.timeout(300_000);
  let run: OrderSystemRun;
  const tracker = new OutcomeTracker();
  const batches: PlannedBatch[] = [];
  const orders = () => batches.flatMap((b) => b.orders);

  before(async () => {
    // The orders are placed at once: no order may reach the order policy's deadline while it waits
    // behind the others (3 × attempts × the saga's step timeout), else outcomes would depend on the machine's speed.
    run = await OrderSystemRun.start({ label: 'choreographed', topologies: ORDER_FLOW_TOPOLOGIES.choreographed, env: { ORDER_SAGA_STEP_TIMEOUT_MS: '3600000' } });
    const mix = { declined: 0.1, outOfStock: 0.1, noCarrier: 0.1, customerCancels: 0.15, groups: 0.1 };
    // The tracker is fed from the Order aggregate's events, as the demo's `--flow choreographed` is; a
    // customer's cancellation goes out once the aggregate has placed the order.
    batches.push(...(await run.placeGenerated(tracker, 'choreographed', { orders: ORDERS, mix, seed: 11 }, 240_000)));
  });
  after(async () => {
    await run?.stop();
  });

  it('ends every order once, in the Order aggregate’s OrderCompleted or its OrderCancelled with the reason its data asked for — CUSTOMER_REQUEST where the customer’s cancellation came before the shipment — and every group checkout as its guests’ orders did', () => {
    assert.deepEqual(tracker.reconcile(), []);
    const { produced, ended, cancellationsSent } = tracker.snapshot();
    assert.equal(produced, orders().length);
    for (const outcome of ['completed', 'payment failed', 'inventory failed', 'shipping failed', 'cancelled']) assert.ok((ended[outcome] ?? 0) > 0, `no order ended ${outcome}: ${JSON.stringify(ended)}`);
    assert.ok(cancellationsSent > 0);
  });

  it('undoes what was done before the failure or the cancellation, each once — the stock released where reserved, the payment refunded where charged — cancels once, tells the customer once, and undoes nothing of a completed order', async () => {
    const mismatches = () =>
      orders().flatMap((planned) => {
        const actual = storyOf(run, planned);
        const expected = expectedStory(run, planned, tracker.outcomeOf(planned.order.orderId)!, actual.ends);
        return isDeepStrictEqual(actual, expected) ? [] : [{ orderId: planned.order.orderId, outcome: tracker.outcomeOf(planned.order.orderId), actual, expected }];
      });
    // The compensations of a customer's cancellation follow it, and the follower reads each topic on
    // its own: give them time to show, then hold every order to its story exactly.
    await run.waitFor(() => mismatches().length === 0, 60_000, 'every order’s compensations and notices').catch(() => undefined);
    assert.deepEqual(mismatches().slice(0, 3), []);
  });

  it('refuses no fact of an order its customer did not cancel (each reaches the aggregate after the one it follows), and of the others only what came too late around the cancellation', () => {
    const cancelling = new Set(orders().filter((o) => o.cancel).map((o) => o.order.orderId));
    const refused = run.recordsOf('orders.order.rejections').map((r) => ({ orderId: r.key, reason: r.value.reason }));
    assert.deepEqual(refused.filter((r) => !cancelling.has(r.orderId)), []);
    assert.deepEqual(refused.filter((r) => !REFUSED_AROUND_A_CANCELLATION.includes(r.reason)), []);
  });

  it('has projections that follow the Order aggregate, as there is no saga: status = its outcome, revenue per day = the completed orders’ totals on the day of their completion', async () => {
    const placed = orders().map((o) => o.order);
    const summaries = await run.summariesShowing(placed, (id) => tracker.outcomeOf(id));
    assert.equal(summaries.size, placed.length);
    for (const o of placed) {
      const summary = summaries.get(o.orderId)!;
      if (summary.status === 'COMPLETED') assert.equal(summary.cause, null, o.orderId);
      else assert.match(summary.cause ?? '', /^(customer request|payment failed|inventory unavailable|shipping failed|step timed out|group checkout failed)/, o.orderId);
    }

    const completions = run.recordsOf('orders.order.events').filter((r) => r.value.type === 'OrderCompleted').map((r) => [r.key, r.timestamp] as const);
    const { expected, actual } = await run.revenueOf(completions, placed);
    assert.deepEqual(actual, expected);
  });
});
