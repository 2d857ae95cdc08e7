import assert from 'node:assert/strict';
import { saga } from '../../../processors/patterns/saga/index.ts';
import type { SagaInstance, SagaTransition } from '../../../processors/patterns/saga/index.ts';
import { TopologyError } from '../../../processors/topologyError.ts';
import { TopologyTestDriver } from '../../../runtime/topologyTestDriver.ts';
import type {
  CancellationReason,
  CancelOrder,
  InitiateShipping,
  InventoryReleased,
  InventoryReservationFailed,
  InventoryReserved,
  NotificationSent,
  OrderCancelled,
  OrderCreated,
  PaymentProcessed,
  PaymentStatus,
  ProcessPayment,
  RefundPayment,
  ReleaseInventory,
  ReserveInventory,
  SendNotification,
  ShippingFailed,
  ShippingInitiated,
} from '../../../schemas/generated/types.ts';
import { testTopology } from '../processors/stringTopology.ts';

// The order saga of the reference application, on the real schemas' shapes:
// payment → inventory → shipping → notification; refund and release undo the first two.

interface OrderSagaData {
  readonly order: OrderCreated;
  readonly paymentId: string | null;
  readonly reservationId: string | null;
}

const TIMEOUT = 10_000;
const BACKOFF = 1_000;
const TICK = 1_000;
const DAY = 24 * 3600_000;

const STEPS = ['payment', 'inventory', 'shipping', 'notification'] as const;
type StepName = (typeof STEPS)[number];
const ACTION_TOPIC: Record<StepName, string> = {
  payment: 'payments.payment.process',
  inventory: 'inventory.stock.reserve',
  shipping: 'shipping.shipment.initiate',
  notification: 'notifications.notification.send',
};
const REFUND = 'payments.payment.refund';
const RELEASE = 'inventory.stock.release';
const CANCEL_ORDER = 'orders.order.cancel';
const COMMAND_TOPICS = [...Object.values(ACTION_TOPIC), REFUND, RELEASE, CANCEL_ORDER];

const REASON_BY_STEP: Record<string, CancellationReason> = { payment: 'PAYMENT_FAILED', inventory: 'INVENTORY_UNAVAILABLE', shipping: 'SHIPPING_FAILED' };

function orderSagaTopology() {
  const app = testTopology('orders');
  const created = app.stream<string, OrderCreated>('orders.order.created');
  const payments = app.stream<string, PaymentProcessed>('payments.payment.processed');
  const reserved = app.stream<string, InventoryReserved>('inventory.stock.reserved');
  const reservationFailed = app.stream<string, InventoryReservationFailed>('inventory.stock.reservation-failed');
  const released = app.stream<string, InventoryReleased>('inventory.stock.released');
  const shipped = app.stream<string, ShippingInitiated>('shipping.shipment.initiated');
  const shippingFailed = app.stream<string, ShippingFailed>('shipping.shipment.failed');
  // Notifications are keyed by customer: re-keyed by order, so the saga repartitions them.
  const notified = app
    .stream<string, NotificationSent>('notifications.notification.sent')
    .filter((_customer, n) => n.orderId !== null)
    .selectKey((_customer, n) => n.orderId!);
  const cancelled = app.stream<string, OrderCancelled>('orders.order.cancelled');

  const orderSaga = saga(app, {
    name: 'order-saga',
    start: { stream: created },
    init: (order): OrderSagaData => ({ order, paymentId: null, reservationId: null }),
    steps: (step) => [
      step('payment', {
        action: {
          topic: ACTION_TOPIC.payment,
          build: ({ order }, c) => [order.orderId, { commandId: c.commandId, sagaId: order.orderId, orderId: order.orderId, customerId: order.customerId, amountMinor: order.totalMinor, currency: order.currency, issuedAt: c.timestamp } satisfies ProcessPayment],
        },
        success: { stream: payments, when: (p) => p.status === 'PROCESSED' },
        failure: { stream: payments, when: (p) => p.status === 'FAILED' },
        onSuccess: (data, p) => ({ ...data, paymentId: p.paymentId }),
        timeoutMs: TIMEOUT,
        retry: { attempts: 2, backoffMs: BACKOFF },
        compensation: {
          action: {
            topic: REFUND,
            build: ({ order, paymentId }, c) => [
              order.orderId,
              { commandId: c.commandId, sagaId: order.orderId, orderId: order.orderId, paymentId: paymentId!, amountMinor: order.totalMinor, currency: order.currency, reason: `${c.cause!.step} ${c.cause!.kind}`, issuedAt: c.timestamp } satisfies RefundPayment,
            ],
          },
          acknowledgement: { stream: payments, when: (p) => p.status === 'REFUNDED' },
          timeoutMs: TIMEOUT,
          retry: { attempts: 3, backoffMs: BACKOFF, multiplier: 1 },
        },
      }),
      step('inventory', {
        action: {
          topic: ACTION_TOPIC.inventory,
          build: ({ order }, c) => [order.orderId, { commandId: c.commandId, sagaId: order.orderId, orderId: order.orderId, items: order.items.map(({ sku, quantity }) => ({ sku, quantity })), issuedAt: c.timestamp } satisfies ReserveInventory],
        },
        success: { stream: reserved },
        failure: { stream: reservationFailed },
        onSuccess: (data, r) => ({ ...data, reservationId: r.reservationId }),
        timeoutMs: TIMEOUT,
        compensation: {
          action: {
            topic: RELEASE,
            build: ({ order, reservationId }, c) => [order.orderId, { commandId: c.commandId, sagaId: order.orderId, orderId: order.orderId, reservationId: reservationId!, reason: c.cause!.kind, issuedAt: c.timestamp } satisfies ReleaseInventory],
          },
          acknowledgement: { stream: released },
          timeoutMs: TIMEOUT,
        },
      }),
      step('shipping', {
        action: {
          topic: ACTION_TOPIC.shipping,
          build: ({ order, reservationId }, c) => [order.orderId, { commandId: c.commandId, sagaId: order.orderId, orderId: order.orderId, reservationId: reservationId!, address: order.shippingAddress, issuedAt: c.timestamp } satisfies InitiateShipping],
        },
        success: { stream: shipped },
        failure: { stream: shippingFailed },
        timeoutMs: TIMEOUT,
        pivot: true,
      }),
      step('notification', {
        action: {
          topic: ACTION_TOPIC.notification,
          build: ({ order }, c) => [order.customerId, { commandId: c.commandId, customerId: order.customerId, orderId: order.orderId, groupCheckoutId: null, kind: 'ORDER_SHIPPED', issuedAt: c.timestamp } satisfies SendNotification],
        },
        success: { stream: notified, when: (n) => n.kind === 'ORDER_SHIPPED' },
        timeoutMs: TIMEOUT,
      }),
    ],
    cancel: { stream: cancelled, when: (c) => c.reason === 'CUSTOMER_REQUEST' },
    onCompensated: {
      topic: CANCEL_ORDER,
      build: ({ order }, c) => {
        const cause = c.cause!;
        const reason = cause.kind === 'cancelled' ? 'CUSTOMER_REQUEST' : cause.kind === 'timed-out' ? 'STEP_TIMED_OUT' : REASON_BY_STEP[cause.step]!;
        return [order.orderId, { commandId: c.commandId, sagaId: order.orderId, orderId: order.orderId, reason, detail: `${cause.step} ${cause.kind}`, issuedAt: c.timestamp } satisfies CancelOrder];
      },
    },
    punctuationIntervalMs: TICK,
  });
  orderSaga.transitions.to('orders.saga.transitions');
  return { app, orderSaga };
}

const address = { line1: '1 Main St', line2: null, city: 'Lyon', postalCode: '69001', country: 'FR' };

const created = (id: string): OrderCreated => ({
  eventId: `created-${id}`,
  orderId: id,
  customerId: `customer-${id}`,
  items: [{ sku: 'mug', name: 'Mug', quantity: 2, unitPriceMinor: 1250 }],
  currency: 'EUR',
  totalMinor: 2500,
  shippingAddress: address,
  groupCheckoutId: null,
  createdAt: 0,
});
const payment = (id: string, status: PaymentStatus): PaymentProcessed => ({
  eventId: `payment-${id}-${status}`,
  paymentId: `pay-${id}`,
  orderId: id,
  status,
  amountMinor: status === 'FAILED' ? 0 : 2500,
  currency: 'EUR',
  failureReason: status === 'FAILED' ? 'card declined' : null,
  processedAt: 0,
});

/** The order saga in a test driver, with one method per thing the outside world does. */
class OrderSagaHarness {
  readonly driver: TopologyTestDriver;
  readonly instanceStore: string;

  constructor() {
    const { app, orderSaga } = orderSagaTopology();
    this.driver = new TopologyTestDriver(app, { wallClockTimeMs: 0 });
    this.instanceStore = orderSaga.instanceStore;
  }

  start(id: string, timestamp = 0): void {
    this.driver.inputTopic<string, OrderCreated>('orders.order.created').pipe(id, created(id), timestamp);
  }

  /** The reply of `step`'s service: success or failure. */
  reply(step: StepName, id: string, outcome: 'success' | 'failure'): void {
    const ok = outcome === 'success';
    switch (step) {
      case 'payment':
        return this.payment(id, ok ? 'PROCESSED' : 'FAILED');
      case 'inventory':
        if (ok) return this.pipe<InventoryReserved>('inventory.stock.reserved', id, { eventId: `reserved-${id}`, orderId: id, reservationId: `res-${id}`, items: [{ sku: 'mug', quantity: 2 }], expiresAt: null, reservedAt: 0 });
        return this.pipe<InventoryReservationFailed>('inventory.stock.reservation-failed', id, { eventId: `short-${id}`, orderId: id, shortSkus: ['mug'], reason: 'out of stock', failedAt: 0 });
      case 'shipping':
        if (ok) return this.pipe<ShippingInitiated>('shipping.shipment.initiated', id, { eventId: `shipped-${id}`, orderId: id, shipmentId: `ship-${id}`, carrier: 'DHL', trackingNumber: null, estimatedDeliveryAt: null, initiatedAt: 0 });
        return this.pipe<ShippingFailed>('shipping.shipment.failed', id, { eventId: `no-ship-${id}`, orderId: id, reason: 'no carrier', failedAt: 0 });
      case 'notification':
        assert.ok(ok, 'notifications have no failure reply');
        return this.pipe<NotificationSent>('notifications.notification.sent', `customer-${id}`, {
          eventId: `notified-${id}`,
          notificationId: `n-${id}`,
          customerId: `customer-${id}`,
          orderId: id,
          groupCheckoutId: null,
          channel: 'EMAIL',
          kind: 'ORDER_SHIPPED',
          sentAt: 0,
        });
    }
  }

  payment(id: string, status: PaymentStatus): void {
    this.pipe('payments.payment.processed', id, payment(id, status));
  }

  /** The acknowledgement of a compensation command. */
  acknowledge(topic: string, id: string): void {
    if (topic === REFUND) return this.payment(id, 'REFUNDED');
    assert.equal(topic, RELEASE);
    this.pipe<InventoryReleased>('inventory.stock.released', id, { eventId: `released-${id}`, orderId: id, reservationId: `res-${id}`, items: [{ sku: 'mug', quantity: 2 }], reason: null, releasedAt: 0 });
  }

  cancel(id: string, reason: CancellationReason = 'CUSTOMER_REQUEST'): void {
    this.pipe<OrderCancelled>('orders.order.cancelled', id, { eventId: `cancelled-${id}`, orderId: id, reason, detail: null, cancelledAt: 0 });
  }

  /** Runs `steps` successfully for `id`, from its start. */
  succeed(id: string, steps: readonly StepName[]): void {
    this.start(id);
    for (const step of steps) this.reply(step, id, 'success');
  }

  advance(ms: number): void {
    this.driver.advanceWallClockTime(ms);
  }

  /** The commands sent since the last call, as `[topic, value]`, in the order of their topics' first use by the saga. */
  commands(): Array<[string, Record<string, unknown>]> {
    return COMMAND_TOPICS.flatMap((topic) => this.driver.outputTopic<string, Record<string, unknown>>(topic).readValues().map((v): [string, Record<string, unknown>] => [topic, v]));
  }

  /** The one command sent since the last call, as `[topic, value]`. */
  onlyCommand<V>(): [string, V] {
    const sent = this.commands();
    assert.equal(sent.length, 1, `one command, not ${JSON.stringify(sent)}`);
    return sent[0] as unknown as [string, V];
  }

  /** The topics of the commands sent since the last call. */
  commandTopics(): string[] {
    return this.commands().map(([topic]) => topic);
  }

  transitions(): Array<SagaTransition<string>> {
    return this.driver.outputTopic<string, SagaTransition<string>>('orders.saga.transitions').readValues();
  }

  /** `from → to (event)` of each transition since the last read. */
  moves(): string[] {
    return this.transitions().map((t) => `${t.from} → ${t.to} (${t.event})`);
  }

  instance(id: string): SagaInstance<OrderSagaData> | undefined {
    return this.driver.keyValueStore<string, SagaInstance<OrderSagaData>>(this.instanceStore).get(id);
  }

  /**
   * Acknowledges each compensation as it is sent, until none is pending; returns the topics
   * of every command sent meanwhile (the compensations in order, then the final one).
   */
  compensateAll(id: string): string[] {
    const sent: string[] = [];
    for (let pending = this.commandTopics(); pending.length > 0; pending = this.commandTopics()) {
      sent.push(...pending);
      const last = pending[pending.length - 1]!;
      if (last === REFUND || last === RELEASE) this.acknowledge(last, id);
    }
    return sent;
  }

  /** Lets the clock run past one attempt's timeout (deadlines are found by the next punctuation). */
  timeOut(): void {
    this.advance(TIMEOUT + TICK);
  }

  /** Lets every attempt of `step`'s action time out, with the backoffs between them. */
  exhaust(step: StepName): void {
    const attempts = step === 'payment' ? 2 : 1;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      assert.equal(this.instance('o1')!.status, 'running');
      this.timeOut();
      if (attempt < attempts) this.advance(BACKOFF);
    }
  }

  private pipe<V>(topic: string, key: string, value: V): void {
    this.driver.inputTopic<string, V>(topic).pipe(key, value, 0);
  }
}

/** The compensations (and final cancel) that undo the steps before `failedAt` in reverse order. */
function compensationsBefore(failedAt: number): string[] {
  const undo = STEPS.slice(0, failedAt).flatMap((step) => (step === 'payment' ? [REFUND] : step === 'inventory' ? [RELEASE] : []));
  return [...undo.reverse(), CANCEL_ORDER];
}

describe('saga (orchestration)', () => {
  it('runs the steps in order, sending each action when the previous step succeeded, and ends completed', () => {
    const h = new OrderSagaHarness();
    h.start('o1');
    const [topic, first] = h.onlyCommand<ProcessPayment>();
    assert.equal(topic, 'payments.payment.process');
    assert.deepEqual(first, { commandId: 'order-saga/o1/payment/action', sagaId: 'o1', orderId: 'o1', customerId: 'customer-o1', amountMinor: 2500, currency: 'EUR', issuedAt: 0 });
    h.reply('payment', 'o1', 'success');
    assert.deepEqual(h.commandTopics(), ['inventory.stock.reserve']);
    h.reply('inventory', 'o1', 'success');
    const [, shipping] = h.onlyCommand<InitiateShipping>();
    assert.equal(shipping.reservationId, 'res-o1', 'the reservation id recorded by onSuccess reaches the next command');
    h.reply('shipping', 'o1', 'success');
    assert.deepEqual(
      h.driver.outputTopic<string, SendNotification>('notifications.notification.send').readKeyValues().map(([key, n]) => [key, n.kind]),
      [['customer-o1', 'ORDER_SHIPPED']],
      'a command is keyed as its build says',
    );
    h.reply('notification', 'o1', 'success');
    assert.deepEqual(h.commandTopics(), []);
    assert.deepEqual(h.moves(), [
      'new → running:payment (started)',
      'running:payment → running:inventory (succeeded)',
      'running:inventory → running:shipping (succeeded)',
      'running:shipping → running:notification (succeeded)',
      'running:notification → completed (succeeded)',
    ]);
    const instance = h.instance('o1')!;
    assert.equal(instance.status, 'completed');
    assert.equal(instance.deadline, null);
    assert.deepEqual(instance.history.map((e) => e.event), ['started', 'succeeded', 'succeeded', 'succeeded', 'succeeded']);
    h.advance(10 * TIMEOUT);
    assert.deepEqual(h.transitions(), [], 'a completed instance has no deadline left');
  });

  it('emits each transition with the saga id, saga name, step, attempt, cause and the input timestamp', () => {
    const h = new OrderSagaHarness();
    h.start('o1', 1_234);
    assert.deepEqual(h.transitions(), [{ sagaId: 'o1', saga: 'order-saga', from: 'new', to: 'running:payment', event: 'started', step: 'payment', attempt: 1, cause: null, timestamp: 1_234 }]);
  });

  for (const [index, failing] of STEPS.entries()) {
    if (failing === 'notification') continue; // it has no failure reply; its timeout is tested below
    it(`a failure of the ${failing} step compensates the steps before it in reverse order, each after the previous one's acknowledgement`, () => {
      const h = new OrderSagaHarness();
      h.succeed('o1', STEPS.slice(0, index));
      h.commands();
      h.reply(failing, 'o1', 'failure');
      assert.deepEqual(h.compensateAll('o1'), compensationsBefore(index));
      const instance = h.instance('o1')!;
      assert.equal(instance.status, 'compensated');
      assert.deepEqual(instance.cause, { kind: 'failed', step: failing });
      assert.equal(h.transitions().at(-1)!.to, 'compensated');
    });
  }

  it('counts its instances by state in the task, for the runtime metrics, and forgets ended ones as it deletes them', () => {
    const h = new OrderSagaHarness();
    const counts = () => h.driver.keyValueStore<string, Record<string, number>>('order-saga-counts').get('');
    h.succeed('o1', [...STEPS]);
    h.start('o2');
    h.reply('payment', 'o2', 'failure');
    h.succeed('o3', ['payment']);
    assert.deepEqual(counts(), { completed: 1, compensated: 1, 'running:inventory': 1 });
    h.start('o1'); // a duplicate start moves nothing
    assert.deepEqual(counts(), { completed: 1, compensated: 1, 'running:inventory': 1 });
    h.advance(24 * 3600_000 + TICK); // past retainEndedMs: the ended ones are forgotten; o3 timed out meanwhile
    const after = counts()!;
    assert.equal(after.completed, undefined);
    assert.equal(Object.values(after).reduce((a, b) => a + b, 0), 1, JSON.stringify(after));
  });

  it('sends one compensation at a time: the refund waits for the release to be acknowledged', () => {
    const h = new OrderSagaHarness();
    h.succeed('o1', ['payment', 'inventory']);
    h.commands();
    h.reply('shipping', 'o1', 'failure');
    const [topic, release] = h.onlyCommand<ReleaseInventory>();
    assert.equal(topic, RELEASE);
    assert.deepEqual(release, { commandId: 'order-saga/o1/inventory/compensation', sagaId: 'o1', orderId: 'o1', reservationId: 'res-o1', reason: 'failed', issuedAt: 0 });
    h.advance(TIMEOUT - TICK);
    assert.deepEqual(h.commandTopics(), [], 'nothing more until the release is acknowledged');
    h.acknowledge(RELEASE, 'o1');
    const [, refund] = h.onlyCommand<RefundPayment>();
    assert.equal(refund.paymentId, 'pay-o1');
    h.acknowledge(REFUND, 'o1');
    const [, cancel] = h.onlyCommand<CancelOrder>();
    assert.deepEqual([cancel.reason, cancel.detail], ['SHIPPING_FAILED', 'shipping failed']);
    assert.deepEqual(h.moves().slice(-3), [
      'running:shipping → compensating:inventory (failed)',
      'compensating:inventory → compensating:payment (compensation-acknowledged)',
      'compensating:payment → compensated (compensation-acknowledged)',
    ]);
  });

  for (const [index, slow] of STEPS.entries()) {
    it(`the ${slow} step counts as failed when no reply comes before its timeout (after its retries), and compensates the steps before it`, () => {
      const h = new OrderSagaHarness();
      h.succeed('o1', STEPS.slice(0, index));
      h.commands();
      h.exhaust(slow);
      assert.deepEqual(h.instance('o1')!.cause, { kind: 'timed-out', step: slow });
      const sent = h.compensateAll('o1');
      assert.deepEqual(sent.filter((t) => t !== ACTION_TOPIC[slow]), compensationsBefore(index));
      assert.equal(h.instance('o1')!.status, 'compensated');
    });
  }

  it('retries a timed-out action after the backoff with the same command id, and goes on when a reply comes', () => {
    const h = new OrderSagaHarness();
    h.start('o1');
    h.commands();
    h.transitions();
    h.advance(TIMEOUT); // the deadline is due at the first punctuation at or after it
    assert.deepEqual(h.moves(), ['running:payment → running:payment (timed-out)']);
    assert.equal(h.instance('o1')!.waiting, 'backoff');
    assert.deepEqual(h.commandTopics(), [], 'nothing is sent during the backoff');
    h.advance(BACKOFF);
    const [topic, retry] = h.onlyCommand<ProcessPayment>();
    assert.deepEqual([topic, retry.commandId, retry.issuedAt], ['payments.payment.process', 'order-saga/o1/payment/action', TIMEOUT + BACKOFF]);
    assert.deepEqual(h.transitions().map((t) => [t.event, t.attempt, t.timestamp]), [['retried', 2, TIMEOUT + BACKOFF]]);
    h.reply('payment', 'o1', 'success');
    assert.deepEqual(h.commandTopics(), ['inventory.stock.reserve']);
    assert.equal(h.instance('o1')!.attempt, 1);
  });

  it('takes a reply to an earlier attempt while the step is still awaited, even during the backoff', () => {
    const h = new OrderSagaHarness();
    h.start('o1');
    h.advance(TIMEOUT);
    h.commands();
    h.reply('payment', 'o1', 'success');
    assert.deepEqual(h.commandTopics(), ['inventory.stock.reserve']);
    h.advance(BACKOFF + TICK);
    assert.deepEqual(h.commandTopics(), [], 'the backoff deadline went with the step: no retry of the payment');
  });

  it('parks an instance whose compensation is never acknowledged as failed (compensation-stuck), without sending what lies below it', () => {
    const h = new OrderSagaHarness();
    h.succeed('o1', ['payment']);
    h.reply('inventory', 'o1', 'failure');
    h.commands();
    h.transitions();
    for (let attempt = 1; attempt <= 3; attempt++) {
      h.timeOut(); // the refund's attempt times out
      if (attempt < 3) h.advance(BACKOFF);
    }
    assert.deepEqual(h.commandTopics(), [REFUND, REFUND], 'two retries of the refund, then nothing: no cancel order');
    assert.deepEqual(h.moves(), [
      'compensating:payment → compensating:payment (compensation-timed-out)',
      'compensating:payment → compensating:payment (compensation-retried)',
      'compensating:payment → compensating:payment (compensation-timed-out)',
      'compensating:payment → compensating:payment (compensation-retried)',
      'compensating:payment → failed (compensation-stuck)',
    ]);
    assert.equal(h.instance('o1')!.status, 'failed');
    h.advance(10 * TIMEOUT);
    assert.deepEqual(h.transitions(), []);
  });

  it('ignores duplicate replies, counts them and sends nothing for them', () => {
    const h = new OrderSagaHarness();
    h.succeed('o1', ['payment']);
    h.commands();
    h.transitions();
    h.reply('payment', 'o1', 'success');
    h.reply('payment', 'o1', 'success');
    assert.deepEqual(h.commandTopics(), []);
    assert.deepEqual(h.transitions().map((t) => [t.from, t.to, t.event, t.step]), [
      ['running:inventory', 'running:inventory', 'duplicate-reply', 'payment'],
      ['running:inventory', 'running:inventory', 'duplicate-reply', 'payment'],
    ]);
    assert.deepEqual(h.driver.droppedRecords(), [
      { node: 'order-saga', reason: 'late' },
      { node: 'order-saga', reason: 'late' },
    ]);
    assert.equal(h.instance('o1')!.history.length, 2, 'ignored inputs are not kept in the history');
  });

  it('ignores out-of-order replies: a reply overtaking its command is unexpected, a failure after the success is late', () => {
    const h = new OrderSagaHarness();
    h.start('o1');
    h.transitions();
    h.reply('inventory', 'o1', 'success'); // no reservation was asked for yet
    h.payment('o1', 'REFUNDED'); // no refund was asked for
    h.reply('payment', 'o1', 'success');
    h.reply('payment', 'o1', 'failure'); // the payment already succeeded
    assert.deepEqual(h.transitions().map((t) => [t.event, t.step]), [
      ['unexpected-reply', 'inventory'],
      ['unexpected-reply', 'payment'],
      ['succeeded', 'payment'],
      ['late-reply', 'payment'],
    ]);
    assert.equal(h.instance('o1')!.status, 'running');
    assert.deepEqual(h.commandTopics(), ['payments.payment.process', 'inventory.stock.reserve']);
    h.reply('inventory', 'o1', 'success');
    assert.deepEqual(h.commandTopics(), ['shipping.shipment.initiate'], 'the step takes the reply that follows its command');
  });

  it('ignores replies after the end: a timed-out step replying late, and duplicates of a completed saga', () => {
    const h = new OrderSagaHarness();
    h.start('o1');
    h.exhaust('payment');
    h.compensateAll('o1');
    assert.equal(h.instance('o1')!.status, 'compensated');
    h.transitions();
    h.reply('payment', 'o1', 'success');
    assert.deepEqual(h.transitions().map((t) => [t.from, t.to, t.event]), [['compensated', 'compensated', 'late-reply']]);
    assert.deepEqual(h.commandTopics(), [], 'the late success is not undone by the saga: it has ended');
    assert.deepEqual(h.driver.droppedRecords().at(-1), { node: 'order-saga', reason: 'ended-instance' });

    h.succeed('o2', STEPS);
    h.transitions();
    h.reply('shipping', 'o2', 'success');
    h.payment('o2', 'REFUNDED');
    assert.deepEqual(h.transitions().map((t) => [t.to, t.event]), [['completed', 'duplicate-reply'], ['completed', 'unexpected-reply']]);
  });

  it('ignores replies for instances never started', () => {
    const h = new OrderSagaHarness();
    h.reply('payment', 'ghost', 'success');
    assert.deepEqual(h.transitions().map((t) => [t.sagaId, t.from, t.to, t.event]), [['ghost', 'new', 'new', 'unknown-instance']]);
    assert.deepEqual(h.driver.droppedRecords(), [{ node: 'order-saga', reason: 'unknown-instance' }]);
    assert.equal(h.instance('ghost'), undefined);
  });

  it('ignores a second start for the same id, live or ended', () => {
    const h = new OrderSagaHarness();
    h.start('o1');
    h.reply('payment', 'o1', 'success');
    h.commands();
    h.transitions();
    h.start('o1');
    assert.deepEqual(h.commandTopics(), []);
    assert.deepEqual(h.transitions().map((t) => [t.to, t.event]), [['running:inventory', 'duplicate-start']]);
    assert.equal(h.instance('o1')!.completed, 1);
    h.reply('inventory', 'o1', 'success');
    h.reply('shipping', 'o1', 'success');
    h.reply('notification', 'o1', 'success');
    h.start('o1');
    assert.deepEqual(h.commandTopics().filter((t) => t === 'payments.payment.process'), []);
    assert.deepEqual(h.driver.droppedRecords().map((d) => d.reason), ['duplicate-start', 'duplicate-start']);
  });

  describe('cancellation mid-saga', () => {
    const PIVOT = STEPS.indexOf('shipping');
    for (const [index, inFlight] of STEPS.slice(0, PIVOT).entries()) {
      it(`while ${inFlight} is in flight, waits for its outcome: on success it is compensated too`, () => {
        const h = new OrderSagaHarness();
        h.succeed('o1', STEPS.slice(0, index));
        h.commands();
        h.transitions();
        h.cancel('o1');
        assert.deepEqual(h.moves(), [`running:${inFlight} → cancelling:${inFlight} (cancelled)`]);
        assert.deepEqual(h.commandTopics(), [], 'nothing is undone while the step in flight may still succeed');
        h.reply(inFlight, 'o1', 'success');
        assert.deepEqual(h.compensateAll('o1'), compensationsBefore(index + 1));
        const instance = h.instance('o1')!;
        assert.equal(instance.status, 'compensated');
        assert.deepEqual(instance.cause, { kind: 'cancelled', step: inFlight });
      });

      it(`while ${inFlight} is in flight, compensates only the steps before it when it fails or times out`, () => {
        for (const outcome of ['failure', 'timeout']) {
          const h = new OrderSagaHarness();
          h.succeed('o1', STEPS.slice(0, index));
          h.commands();
          h.cancel('o1');
          if (outcome === 'failure') h.reply(inFlight, 'o1', 'failure');
          else h.timeOut(); // no retry while cancelling, even for the payment
          assert.deepEqual(h.compensateAll('o1'), compensationsBefore(index), outcome);
          assert.deepEqual(h.instance('o1')!.cause, { kind: 'cancelled', step: inFlight });
          assert.equal(h.instance('o1')!.status, 'compensated');
        }
      });
    }

    for (const [index, inFlight] of STEPS.entries()) {
      if (index < PIVOT) continue;
      it(`once shipping (the pivot) was asked for, is ignored as late while ${inFlight} is in flight: the saga goes on`, () => {
        const h = new OrderSagaHarness();
        h.succeed('o1', STEPS.slice(0, index));
        h.commands();
        h.transitions();
        h.cancel('o1');
        assert.deepEqual(h.transitions().map((t) => [t.to, t.event]), [[`running:${inFlight}`, 'late-cancel']]);
        for (const step of STEPS.slice(index)) h.reply(step, 'o1', 'success');
        assert.equal(h.instance('o1')!.status, 'completed');
        assert.deepEqual(h.commandTopics().filter((t) => t === REFUND || t === RELEASE || t === CANCEL_ORDER), [], 'nothing is undone');
      });
    }

    it('between two attempts, compensates at once', () => {
      const h = new OrderSagaHarness();
      h.succeed('o1', []);
      h.advance(TIMEOUT);
      assert.equal(h.instance('o1')!.waiting, 'backoff');
      h.commands();
      h.cancel('o1');
      assert.deepEqual(h.commandTopics(), [CANCEL_ORDER]);
      h.advance(10 * TIMEOUT);
      assert.deepEqual(h.commandTopics(), [], 'no retry after the cancellation');
    });

    it('is ignored once the saga compensates or has ended, and when the trigger does not match', () => {
      const h = new OrderSagaHarness();
      h.succeed('o1', ['payment']);
      h.reply('inventory', 'o1', 'failure');
      h.transitions();
      h.cancel('o1');
      h.cancel('o1', 'PAYMENT_FAILED'); // the order service's own cancellation: not a trigger
      h.acknowledge(REFUND, 'o1');
      h.cancel('o1');
      assert.deepEqual(h.transitions().map((t) => [t.to, t.event]), [
        ['compensating:payment', 'late-cancel'],
        ['compensated', 'compensation-acknowledged'],
        ['compensated', 'late-cancel'],
      ]);
      h.cancel('never-started');
      assert.deepEqual(h.transitions().map((t) => t.event), ['unknown-instance']);
    });
  });

  it('reads every input once, repartitions the re-keyed one and requires all of them co-partitioned', () => {
    const { app } = orderSagaTopology();
    const topology = app.build();
    const groups = topology.coPartitionGroups.map((g) => [...g].sort());
    assert.deepEqual(groups, [
      [
        'inventory.stock.released',
        'inventory.stock.reservation-failed',
        'inventory.stock.reserved',
        'orders-order-saga-notification-success-repartition',
        'orders.order.cancelled',
        'orders.order.created',
        'payments.payment.processed',
        'shipping.shipment.failed',
        'shipping.shipment.initiated',
      ],
    ]);
    assert.deepEqual([...topology.stores.keys()].sort(), ['order-saga-counts', 'order-saga-deadlines', 'order-saga-instances']);
  });

  it('finds due deadlines through the deadline index: one entry per waiting instance, at its deadline', () => {
    const h = new OrderSagaHarness();
    h.start('o1');
    h.advance(3 * TICK);
    h.start('o2');
    h.reply('payment', 'o1', 'success');
    h.reply('payment', 'o2', 'success');
    h.reply('inventory', 'o2', 'success');
    h.reply('shipping', 'o2', 'success');
    h.reply('notification', 'o2', 'success');
    const index = h.driver.windowStore<string, string>('order-saga-deadlines');
    assert.deepEqual(index.fetchAll(Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER), [
      ['o1', 3 * TICK + TIMEOUT, 'deadline'],
      ['o2', 3 * TICK + DAY, 'forget'],
    ]);
  });

  it('forgets an ended instance after retainEndedMs (default 1 day): its id then starts afresh', () => {
    const h = new OrderSagaHarness();
    h.succeed('o1', STEPS);
    h.advance(DAY - TICK);
    h.transitions();
    h.reply('shipping', 'o1', 'success');
    assert.deepEqual(h.transitions().map((t) => t.event), ['duplicate-reply'], 'still remembered');
    h.advance(TICK);
    assert.equal(h.instance('o1'), undefined);
    assert.deepEqual(h.driver.windowStore('order-saga-deadlines').fetchAll(Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER), []);
    h.reply('shipping', 'o1', 'success');
    h.commands();
    h.start('o1');
    assert.deepEqual(h.transitions().map((t) => [t.from, t.to, t.event]), [
      ['new', 'new', 'unknown-instance'],
      ['new', 'running:payment', 'started'],
    ]);
    assert.deepEqual(h.commandTopics(), ['payments.payment.process']);
  });

  it('refuses definitions that could not run', () => {
    const build = (steps: number, overrides: { timeoutMs?: number; attempts?: number; name?: string; undoablePivot?: boolean } = {}) => {
      const app = testTopology();
      const start = app.stream<string, string>('start');
      const replies = app.stream<string, string>('replies');
      saga(app, {
        name: 's',
        start: { stream: start },
        init: () => null,
        steps: (step) =>
          Array.from({ length: steps }, (_, i) =>
            step(overrides.name ?? `step-${i}`, {
              action: { topic: 'commands', build: () => ['k', 'v'] },
              success: { stream: replies },
              timeoutMs: overrides.timeoutMs ?? 1_000,
              retry: { attempts: overrides.attempts ?? 1 },
              ...(overrides.undoablePivot ? { pivot: true, compensation: { action: { topic: 'undo', build: () => ['k', 'v'] }, acknowledgement: { stream: replies }, timeoutMs: 1_000 } } : {}),
            }),
          ),
      });
    };
    assert.throws(() => build(0), (e: unknown) => e instanceof TopologyError && /at least one step/.test(e.message));
    assert.throws(() => build(2, { name: 'twice' }), /two steps named 'twice'/);
    assert.throws(() => build(1, { timeoutMs: 0 }), /step 'step-0': timeoutMs must be positive/);
    assert.throws(() => build(1, { attempts: 0 }), /retry.attempts must be an integer ≥ 1/);
    assert.throws(() => build(1, { undoablePivot: true }), /step 'step-0' is a pivot: it cannot have a compensation/);
    const other = testTopology('other');
    assert.throws(
      () =>
        saga(testTopology('mine'), {
          name: 's',
          start: { stream: other.stream<string, string>('start') },
          init: () => null,
          steps: (step) => [step('one', { action: { topic: 'commands', build: () => ['k', 'v'] }, success: { stream: other.stream<string, string>('replies') }, timeoutMs: 1_000 })],
        }),
      /the start stream belongs to topology 'other', not 'mine'/,
    );
  });
});
