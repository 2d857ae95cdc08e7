import assert from 'node:assert/strict';
import { stateAsOf, rebuild, type AggregateSnapshot, type HistoryEntry } from '../../../index.ts';
import { orderAggregate, ORDER_AGGREGATE, type OrderEvent, type OrderState } from '../../../topologies/orders/aggregate.ts';
import type { PlannedBatch } from '../../../topologies/orders/load/orderGenerator.ts';
import { isSagaEnd } from '../../../topologies/orders/load/orderOutcome.ts';
import { OutcomeTracker } from '../../../topologies/orders/load/outcomeTracker.ts';
import type { CustomerOrders } from '../../../topologies/orders/orderProjections.ts';
import { OrderSystemRun } from './orderSystemRun.ts';

/** How many orders the run places (env ORDER_TEST_ORDERS; 10 000 unless told). */
const ORDERS = Number(process.env.ORDER_TEST_ORDERS ?? 10_000);

describe(`${ORDERS} generated orders with mixed failures, end to end`, function () {
  this.timeout(600_000);
  let run: OrderSystemRun;
  const tracker = new OutcomeTracker();
  const batches: PlannedBatch[] = [];

  before(async () => {
    // The orders are placed at once, so the last ones wait behind the first: no step may time out
    // while it waits (timeouts are the flows' test), else outcomes would depend on the machine's speed.
    run = await OrderSystemRun.start({ label: 'generated', partitions: 4, env: { ORDER_SAGA_STEP_TIMEOUT_MS: '3600000' } });
    const mix = { declined: 0.05, outOfStock: 0.05, noCarrier: 0.03, customerCancels: 0.02, groups: 0.05 };
    // Cancellations go out as their sagas are seen running.
    batches.push(...(await run.placeGenerated(tracker, 'orchestrated', { orders: ORDERS, mix, seed: 7 }, 480_000)));
  });
  after(async () => {
    await run?.stop();
  });

  it('ends every order in exactly one terminal state, the one its data asked for, and every group checkout as its guests did', () => {
    assert.deepEqual(tracker.reconcile(), []);
    const snapshot = tracker.snapshot();
    assert.equal(snapshot.produced, batches.reduce((n, b) => n + b.orders.length, 0));
    assert.ok(snapshot.cancellationsAccepted > 0 && snapshot.cancellationsAccepted === snapshot.ended['cancelled'] && (snapshot.ended['payment failed'] ?? 0) > 0 && (snapshot.ended['shipping failed'] ?? 0) > 0, JSON.stringify(snapshot));
  });

  it('emits no compensation twice (by command id)', () => {
    for (const topic of ['payments.payment.refund', 'inventory.stock.release', 'orders.order.cancel'] as const) {
      const ids = run.recordsOf(topic).map((r) => r.value.commandId);
      assert.equal(new Set(ids).size, ids.length, `${topic} holds a command twice`);
    }
    const orders = batches.flatMap((b) => b.orders);
    const compensated = orders.filter((o) => tracker.outcomeOf(o.order.orderId) !== 'completed').length;
    assert.equal(run.recordsOf('orders.order.cancel').filter((r) => r.value.sagaId !== '').length, compensated);
  });

  it('has projections that agree with the events: status = saga outcome, orders per customer = orders created, revenue per day = completed orders’ totals', async () => {
    const orders = batches.flatMap((b) => b.orders.map((o) => o.order));
    const summaries = await run.summariesShowing(orders, (id) => tracker.outcomeOf(id));
    assert.equal(summaries.size, orders.length);

    const perCustomer = new Map<string, number>();
    for (const o of orders) perCustomer.set(o.customerId, (perCustomer.get(o.customerId) ?? 0) + 1);
    const customers = await run.waitFor(
      async () => {
        const read = await run.tableStore<CustomerOrders>('order-projections', 'orders-by-customer');
        return [...perCustomer].every(([id, n]) => read.get(id)?.orderCount === n) && read;
      },
      60_000,
      'orders per customer to count every order',
    );
    assert.deepEqual(new Map([...customers].map(([id, c]) => [id, c.orderCount])), perCustomer);

    // Revenue counts a completion on the day of its event time, which the saga's completing move carries.
    const completions = run
      .recordsOf('orders.saga.transitioned')
      .filter(({ value: t }) => isSagaEnd(t) && t.to === 'completed')
      .map(({ value: t }) => [t.sagaId, t.timestamp] as const);
    const { expected, actual } = await run.revenueOf(completions, orders);
    assert.deepEqual(actual, expected);
  });

  it('rebuilds each Order aggregate from its history to its live state, and answers the temporal query for a past point', async () => {
    const orders = batches.flatMap((b) => b.orders.map((o) => o.order));
    // The aggregate reads the services' events at its own pace: wait until it holds every order
    // and its store has stopped changing, then compare live and rebuilt states.
    let previous = '';
    const states = await run.waitFor(
      async () => {
        const read = await run.keyValueStore<AggregateSnapshot<OrderState>>('order-aggregate', ORDER_AGGREGATE.stores.state);
        const digest = JSON.stringify([...read].sort(([a], [b]) => (a < b ? -1 : 1)));
        const settled = digest === previous && orders.every((o) => read.has(o.orderId));
        previous = digest;
        if (!settled) await new Promise((r) => setTimeout(r, 2_000));
        return settled && read;
      },
      180_000,
      'every Order aggregate to hold its order and stop changing',
    );
    const histories = await run.keyValueStore<HistoryEntry<OrderEvent>[]>('order-aggregate', ORDER_AGGREGATE.stores.history);
    assert.equal(states.size, orders.length);
    for (const { orderId, customerId, totalMinor, createdAt } of orders) {
      const live = states.get(orderId)!;
      const history = histories.get(orderId)!;
      assert.deepEqual(history.map((e) => e.version), history.map((_, i) => i + 1));
      assert.deepEqual(rebuild(orderAggregate, history.map((e) => e.event)), live.state);
      assert.equal(live.version, history.length);
      // As of version 1 the order was just placed; before its creation it did not exist.
      assert.deepEqual(stateAsOf(orderAggregate, history, { version: 1 }), { ...orderAggregate.initial, status: 'pending', customerId, currency: 'EUR', totalMinor });
      assert.deepEqual(stateAsOf(orderAggregate, history, { timestamp: createdAt - 1 }), orderAggregate.initial);
    }
  });

  // The saga alone decides a customer's cancellation (until it asks for the shipment), and the
  // order service cancels only when the saga tells it: the two cannot disagree on an order.
  it('never accepts a customer’s cancellation that the order’s saga no longer takes', () => {
    assert.deepEqual(tracker.cancellationsTooLate(), []);
  });
});
