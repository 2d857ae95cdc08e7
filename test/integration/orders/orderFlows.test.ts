import assert from 'node:assert/strict';
import type { NotificationSent, ShippingInitiated } from '../../../index.ts';
import { ORDER_TOPOLOGIES } from '../../../runtime/demo/orderWorkers.ts';
import { OrderGenerator, type OrderMix, type PlannedOrder } from '../../../topologies/orders/load/orderGenerator.ts';
import type { CustomerOrders, DailyRevenue } from '../../../topologies/orders/orderProjections.ts';
import type { OrderSummary } from '../../../topologies/orders/projections/orderSummary.ts';
import { OrderSystemRun } from './orderSystemRun.ts';

const PLAIN: OrderMix = { declined: 0, outOfStock: 0, noCarrier: 0, customerCancels: 0, groups: 0 };
let seed = 1;

/** One generated order of a category of the mix (the data rules make it fail where asked). */
function planOrder(mix: Partial<OrderMix> = {}): PlannedOrder {
  const generator = new OrderGenerator({ mix: { ...PLAIN, ...mix }, failureRates: { payment: 0, inventory: 0, shipping: 0 }, seed: seed++, groupDeadlineMs: 60_000 });
  return generator.next(Date.now()).orders[0]!;
}

async function place(run: OrderSystemRun, { order }: PlannedOrder): Promise<void> {
  await run.send([{ topic: 'orders.order.created', key: order.orderId, value: order }]);
}

/** The saga's moves as `event → state`, e.g. `failed → compensating:payment`. */
function movesOf(run: OrderSystemRun, orderId: string): string[] {
  return run.moves(orderId).map((t) => `${t.event} → ${t.to}`);
}

/** The commands the saga sent about one order, by topic, with the cancellation's reason. */
function commandsOf(run: OrderSystemRun, orderId: string) {
  return {
    charges: run.recordsOf('payments.payment.process', orderId).length,
    reservations: run.recordsOf('inventory.stock.reserve', orderId).length,
    shipments: run.recordsOf('shipping.shipment.initiate', orderId).length,
    refunds: run.recordsOf('payments.payment.refund', orderId).length,
    releases: run.recordsOf('inventory.stock.release', orderId).length,
    cancels: run.recordsOf('orders.order.cancel', orderId).filter((r) => r.value.sagaId !== '').map((r) => r.value.reason),
  };
}

/**
 * Asserts the order's commands are `expected`, giving them up to 10 s to show: the follower
 * reads each command topic on its own, so a command sent with the saga's last move can show a
 * moment after it.
 */
async function expectCommands(run: OrderSystemRun, orderId: string, expected: ReturnType<typeof commandsOf>): Promise<void> {
  const deadline = Date.now() + 10_000;
  let commands = commandsOf(run, orderId);
  while (JSON.stringify(commands) !== JSON.stringify(expected) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
    commands = commandsOf(run, orderId);
  }
  assert.deepEqual(commands, expected);
}

const TO_COMPLETION = ['started → running:payment', 'succeeded → running:inventory', 'succeeded → running:shipping', 'succeeded → running:notification', 'succeeded → completed'];

describe('order flows end to end (all order topologies as exactly-once worker processes)', function () {
  this.timeout(240_000);
  let run: OrderSystemRun;

  before(async () => {
    run = await OrderSystemRun.start({ label: 'flows' });
  });
  after(async () => {
    await run?.stop();
  });

  it('completes an order: payment, inventory, shipping, notification; the projections show it completed and count its revenue', async () => {
    const planned = planOrder();
    await place(run, planned);
    const { orderId, customerId, totalMinor, createdAt } = planned.order;
    assert.equal(await run.outcome(orderId), 'completed');
    assert.deepEqual(movesOf(run, orderId), TO_COMPLETION);
    await expectCommands(run, orderId, { charges: 1, reservations: 1, shipments: 1, refunds: 0, releases: 0, cancels: [] });
    const summary = await run.waitFor(async () => (await run.tableStore<OrderSummary>('order-projections', 'order-summaries')).get(orderId)?.status === 'COMPLETED' && (await run.tableStore<OrderSummary>('order-projections', 'order-summaries')).get(orderId), 30_000, 'the summary to show the order completed');
    assert.deepEqual([summary.customerId, summary.totalMinor, summary.sagaState, summary.cause], [customerId, totalMinor, 'completed', null]);
    const customer = (await run.tableStore<CustomerOrders>('order-projections', 'orders-by-customer')).get(customerId);
    assert.deepEqual(customer, { orderCount: 1, recentOrderIds: [orderId] });
    const day = createdAt - (createdAt % 86_400_000);
    const revenue = await run.waitFor(async () => (await run.windowStore<DailyRevenue>('order-projections', 'revenue-per-day')).get(`EUR@${day}`), 30_000, 'the day’s revenue');
    assert.deepEqual(revenue, { orders: 1, amountMinor: totalMinor });
  });

  it('cancels an order whose payment is declined, with nothing to undo', async () => {
    const planned = planOrder({ declined: 1 });
    await place(run, planned);
    const { orderId } = planned.order;
    assert.equal(await run.outcome(orderId), 'payment failed');
    assert.deepEqual(movesOf(run, orderId), ['started → running:payment', 'failed → compensated']);
    await expectCommands(run, orderId, { charges: 1, reservations: 0, shipments: 0, refunds: 0, releases: 0, cancels: ['PAYMENT_FAILED'] });
    const cancelled = await run.waitFor(() => run.recordsOf('orders.order.cancelled', orderId)[0], 30_000, 'the order service to announce the cancellation');
    assert.equal(cancelled.value.reason, 'PAYMENT_FAILED');
  });

  it('refunds the payment, then cancels, when the stock is short', async () => {
    const planned = planOrder({ outOfStock: 1 });
    await place(run, planned);
    const { orderId } = planned.order;
    assert.equal(await run.outcome(orderId), 'inventory failed');
    assert.deepEqual(movesOf(run, orderId), ['started → running:payment', 'succeeded → running:inventory', 'failed → compensating:payment', 'compensation-acknowledged → compensated']);
    await expectCommands(run, orderId, { charges: 1, reservations: 1, shipments: 0, refunds: 1, releases: 0, cancels: ['INVENTORY_UNAVAILABLE'] });
  });

  it('releases the stock, then refunds, then cancels, when no carrier ships', async () => {
    const planned = planOrder({ noCarrier: 1 });
    await place(run, planned);
    const { orderId } = planned.order;
    assert.equal(await run.outcome(orderId), 'shipping failed');
    assert.deepEqual(movesOf(run, orderId), [
      'started → running:payment',
      'succeeded → running:inventory',
      'succeeded → running:shipping',
      'failed → compensating:inventory',
      'compensation-acknowledged → compensating:payment',
      'compensation-acknowledged → compensated',
    ]);
    await expectCommands(run, orderId, { charges: 1, reservations: 1, shipments: 1, refunds: 1, releases: 1, cancels: ['SHIPPING_FAILED'] });
    assert.equal(run.recordsOf('inventory.stock.released', orderId).length, 1);
  });

  it('fails a group checkout on its first failing guest and notifies the initiator; guests’ outcomes come from their orders’ sagas', async () => {
    // A group with at least one declined guest and one that completes.
    let batch;
    for (let s = 1; ; s++) {
      batch = new OrderGenerator({ mix: { ...PLAIN, declined: 0.5, groups: 1 }, failureRates: { payment: 0, inventory: 0, shipping: 0 }, seed: 1_000 + s, groupDeadlineMs: 120_000 }).next(Date.now());
      const outcomes = batch.orders.map((o) => o.expected);
      if (outcomes.includes('payment failed') && outcomes.includes('completed')) break;
    }
    const group = batch.group!;
    const declined = batch.orders.filter((o) => o.expected === 'payment failed').map((o) => o.order.customerId);
    await run.producer.sendPlanned([batch]);
    const failed = await run.waitFor(() => run.recordsOf('checkout.group.failed', group.groupCheckoutId)[0], 60_000, 'the group checkout to fail');
    assert.ok(declined.includes(failed.value.failedGuestId), `${failed.value.failedGuestId} is not a declined guest`);
    for (const { order, expected } of batch.orders) assert.equal(await run.outcome(order.orderId), expected);
    const guestFailures = run.recordsOf('checkout.guest.failed', group.groupCheckoutId).map((r) => r.value.guestId);
    assert.deepEqual(guestFailures.sort(), [...declined].sort());
    await run.waitFor(
      () => run.recordsOf('notifications.notification.sent', group.initiatorCustomerId).some((r) => r.value.kind === 'GROUP_CHECKOUT_FAILED' && r.value.groupCheckoutId === group.groupCheckoutId),
      30_000,
      'the initiator’s notice',
    );
    assert.deepEqual(run.recordsOf('checkout.group.completed', group.groupCheckoutId), []);
  });
});

describe('order flows when the inventory and shipping services do not answer (all other topologies running)', function () {
  this.timeout(240_000);
  const STEP_TIMEOUT_MS = 8_000;
  let run: OrderSystemRun;

  before(async () => {
    run = await OrderSystemRun.start({
      label: 'silent-services',
      topologies: ORDER_TOPOLOGIES.filter((t) => !t.endsWith('inventoryService.ts') && !t.endsWith('shippingService.ts')),
      env: { ORDER_SAGA_STEP_TIMEOUT_MS: String(STEP_TIMEOUT_MS), ORDER_SAGA_ATTEMPTS: '1' },
    });
  });
  after(async () => {
    await run?.stop();
  });

  const awaiting = (orderId: string, step: 'inventory' | 'shipping') => run.waitFor(() => run.moves(orderId).some((t) => t.to === `running:${step}`), 60_000, `${orderId} to await ${step}`);
  const customerCancels = (orderId: string) => run.send([{ topic: 'orders.order.cancel', key: orderId, value: { commandId: `${orderId}:cancel`, sagaId: '', orderId, reason: 'CUSTOMER_REQUEST', detail: 'changed my mind', issuedAt: Date.now() } }]);
  /** Places a plain order and waits until its saga awaits the stock (which never comes by itself). */
  const placedAwaitingStock = async () => {
    const planned = planOrder();
    await place(run, planned);
    await awaiting(planned.order.orderId, 'inventory');
    return planned.order;
  };
  /** The inventory service's answer, by hand: the stock is reserved. */
  const reserve = (orderId: string) =>
    run.send([{ topic: 'inventory.stock.reserved', key: orderId, value: { eventId: `${orderId}:reserved`, orderId, reservationId: `${orderId}:reservation`, items: [], expiresAt: null, reservedAt: Date.now() } }]);
  /** The shipping service's answer, by hand: the shipment is on its way. */
  const ship = (orderId: string) => {
    const shipped: ShippingInitiated = { eventId: `${orderId}:shipped`, orderId, shipmentId: `${orderId}:shipment`, carrier: 'DHL', trackingNumber: null, estimatedDeliveryAt: null, initiatedAt: Date.now() };
    return run.send([{ topic: 'shipping.shipment.initiated', key: orderId, value: shipped }]);
  };

  it('counts a step with no reply before its timeout as failed: refunds, cancels', async () => {
    const planned = planOrder();
    await place(run, planned);
    const { orderId } = planned.order;
    assert.equal(await run.outcome(orderId), 'inventory timed-out');
    assert.deepEqual(movesOf(run, orderId), ['started → running:payment', 'succeeded → running:inventory', 'timed-out → compensating:payment', 'compensation-acknowledged → compensated']);
    await expectCommands(run, orderId, { charges: 1, reservations: 1, shipments: 0, refunds: 1, releases: 0, cancels: ['STEP_TIMED_OUT'] });
  });

  it('ignores a reply that comes out of order and a repeated one, and goes on with the reply it awaits', async () => {
    const { orderId, customerId } = await placedAwaitingStock();
    await reserve(orderId);
    await awaiting(orderId, 'shipping');
    const notice: NotificationSent = { eventId: `${orderId}:early`, notificationId: `${orderId}:early`, customerId, orderId, groupCheckoutId: null, channel: 'EMAIL', kind: 'ORDER_SHIPPED', sentAt: Date.now() };
    const payment = run.recordsOf('payments.payment.processed', orderId)[0]!;
    await run.send([{ topic: 'notifications.notification.sent', key: customerId, value: notice }]);
    await run.send([{ topic: 'payments.payment.processed', key: orderId, value: payment.value }]);
    const ignored = await run.waitFor(() => {
      const events = run.recordsOf('orders.saga.transitioned', orderId).filter((r) => r.value.from === r.value.to).map((r) => r.value.event);
      return events.length >= 2 && events;
    }, 30_000, 'both replies to be ignored');
    assert.deepEqual(ignored.sort(), ['duplicate-reply', 'unexpected-reply']);
    assert.ok(run.moves(orderId).at(-1)!.to === 'running:shipping', 'the ignored replies moved the saga');
    await ship(orderId);
    assert.equal(await run.outcome(orderId), 'completed');
    assert.deepEqual(movesOf(run, orderId), TO_COMPLETION);
  });

  it('compensates an order its customer cancels mid-saga (CancelOrder while the stock is awaited), then cancels it', async () => {
    const { orderId } = await placedAwaitingStock();
    await customerCancels(orderId);
    assert.equal(await run.outcome(orderId), 'cancelled');
    // The reservation's outcome is awaited first; none comes, so only the payment is undone.
    assert.deepEqual(movesOf(run, orderId), ['started → running:payment', 'succeeded → running:inventory', 'cancelled → cancelling:inventory', 'timed-out → compensating:payment', 'compensation-acknowledged → compensated']);
    await expectCommands(run, orderId, { charges: 1, reservations: 1, shipments: 0, refunds: 1, releases: 0, cancels: ['CUSTOMER_REQUEST'] });
    const announced = await run.waitFor(() => run.recordsOf('orders.order.cancelled', orderId)[0], 30_000, 'the order service to announce the cancellation');
    assert.equal(announced.value.reason, 'CUSTOMER_REQUEST');
  });

  it('ignores a customer’s cancellation once shipping was asked for (the pivot): the order ships and completes, and the order service never cancels it', async () => {
    const { orderId } = await placedAwaitingStock();
    await reserve(orderId);
    await awaiting(orderId, 'shipping');
    await customerCancels(orderId);
    await run.waitFor(() => run.recordsOf('orders.saga.transitioned', orderId).some((r) => r.value.event === 'late-cancel'), 30_000, 'the saga to ignore the late cancellation');
    await ship(orderId);
    assert.equal(await run.outcome(orderId), 'completed');
    await expectCommands(run, orderId, { charges: 1, reservations: 1, shipments: 1, refunds: 0, releases: 0, cancels: [] });
    const order = await run.waitFor(
      async () => (await run.tableStore<OrderSummary>('order-projections', 'order-summaries')).get(orderId)?.status === 'COMPLETED',
      30_000,
      'the summary to show the order completed',
    );
    assert.ok(order);
    assert.deepEqual(run.recordsOf('orders.order.cancelled', orderId), []);
  });
});
