import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { CancellationReason, SagaTransitioned } from '../../../index.ts';
import type { OrderEvent } from '../../../topologies/orders/aggregate.ts';
import { OrderGenerator, type PlannedBatch } from '../../../topologies/orders/load/orderGenerator.ts';
import { OutcomeTracker } from '../../../topologies/orders/load/outcomeTracker.ts';

const OUTCOMES = ['completed', 'payment failed', 'inventory failed', 'shipping failed', 'cancelled'] as const;

function ending(orderId: string, outcome: (typeof OUTCOMES)[number]): SagaTransitioned {
  const base = { sagaId: orderId, saga: 'order-saga', step: null, attempt: 0, timestamp: 0 };
  if (outcome === 'completed') return { ...base, from: 'running:notification', to: 'completed', event: 'succeeded', cause: null };
  const [step, kind] = outcome === 'cancelled' ? ['payment', 'cancelled'] : outcome.split(' ');
  return { ...base, from: `compensating:${step}`, to: 'compensated', event: 'compensation-acknowledged', cause: { kind: kind!, step: step! } };
}

const REASON: Record<(typeof OUTCOMES)[number], CancellationReason | null> = {
  completed: null,
  'payment failed': 'PAYMENT_FAILED',
  'inventory failed': 'INVENTORY_UNAVAILABLE',
  'shipping failed': 'SHIPPING_FAILED',
  cancelled: 'CUSTOMER_REQUEST',
};

/** The Order aggregate's event that ends an order so (the choreographed flow). */
function aggregateEnding(outcome: (typeof OUTCOMES)[number]): OrderEvent {
  const reason = REASON[outcome];
  return reason === null ? { type: 'OrderCompleted' } : { type: 'OrderCancelled', reason, detail: null, compensations: [] };
}

type Source = 'saga' | 'aggregate';

/** Ends an order in the tracker as the flow fed from `source` would tell it. */
function end(tracker: OutcomeTracker, source: Source, orderId: string, outcome: (typeof OUTCOMES)[number], observedAt: number): void {
  if (source === 'saga') tracker.transitioned(ending(orderId, outcome), observedAt);
  else tracker.orderEvent(orderId, aggregateEnding(outcome), observedAt);
}

function batches(count: number, seed: number): PlannedBatch[] {
  const generator = new OrderGenerator({ mix: { declined: 0.2, outOfStock: 0.2, noCarrier: 0.2, customerCancels: 0.2, groups: 0.2 }, failureRates: { payment: 0, inventory: 0, shipping: 0 }, seed, groupDeadlineMs: 1_000 });
  return Array.from({ length: count }, (_, i) => generator.next(i));
}

describe('outcome tracker', () => {
  it('reconciles exactly when every produced order ended once as expected, nothing else ended and every cancellation taken was announced, fed by either flow (reference model)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<Source>('saga', 'aggregate'),
        fc.integer(),
        fc.integer({ min: 1, max: 15 }),
        // Per order: how many ending moves it gets (0, 1 or 2), whether the first is the expected
        // outcome, and whether the order service announces a cancellation the flow took.
        fc.array(fc.record({ ends: fc.integer({ min: 0, max: 2 }), right: fc.boolean(), other: fc.constantFrom(...OUTCOMES), announced: fc.boolean() }), { minLength: 60, maxLength: 60 }),
        fc.boolean(),
        (source, seed, count, plan, stranger) => {
          const tracker = new OutcomeTracker();
          const planned = batches(count, seed);
          planned.forEach((b) => tracker.planned(b));
          const orders = planned.flatMap((b) => b.orders);
          let wellEnded = true;
          let allEnded = true;
          let allAnnounced = true;
          orders.forEach(({ order, expected, cancel }, i) => {
            const { ends, right, other, announced } = plan[i % plan.length]!;
            const first = right ? expected : other;
            for (let n = 0; n < ends; n++) end(tracker, source, order.orderId, n === 0 ? (first as never) : 'completed', 10);
            // The aggregate's CUSTOMER_REQUEST cancellation is the customer's, taken: right for an order planned with one.
            const took = source === 'aggregate' && ends > 0 && first === 'cancelled';
            const taken = took && cancel !== null;
            if (took && announced) tracker.cancelled({ eventId: 'e', orderId: order.orderId, reason: 'CUSTOMER_REQUEST', detail: null, cancelledAt: 10 });
            if (ends !== 1 || (first !== expected && !taken) || (took && !announced)) wellEnded = false;
            if (ends === 0) allEnded = false;
            if (took && !announced) allAnnounced = false;
          });
          if (stranger) end(tracker, source, 'not-produced', 'completed', 10);
          for (const b of planned) {
            if (!b.group) continue;
            const groupOk = b.orders.every((o) => tracker.outcomeOf(o.order.orderId) === 'completed');
            tracker.groupEnded(b.group.groupCheckoutId, groupOk ? 'completed' : 'failed');
          }
          assert.equal(tracker.reconcile().length === 0, wellEnded && !stranger, tracker.reconcile().join('\n'));
          assert.equal(tracker.settled, allEnded && allAnnounced);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('expects cancelled once the saga took the customer’s cancellation, hands each due cancellation out once when the saga starts, and counts accepted ones the saga did not take as a problem', () => {
    const tracker = new OutcomeTracker();
    const planned = batches(40, 3);
    planned.forEach((b) => tracker.planned(b));
    const cancelled = planned.flatMap((b) => b.orders).find((o) => o.cancel)!;
    assert.equal(tracker.expectedOf(cancelled.order.orderId), 'completed');
    tracker.transitioned({ ...ending(cancelled.order.orderId, 'completed'), from: 'new', to: 'running:payment', event: 'started', cause: null }, 1);
    assert.deepEqual(tracker.dueCancellations(), [cancelled.cancel]);
    assert.deepEqual(tracker.dueCancellations(), []);
    tracker.cancelled({ eventId: 'e', orderId: cancelled.order.orderId, reason: 'CUSTOMER_REQUEST', detail: null, cancelledAt: 2 });
    assert.equal(tracker.expectedOf(cancelled.order.orderId), 'completed');
    tracker.transitioned(ending(cancelled.order.orderId, 'completed'), 3);
    assert.deepEqual(tracker.cancellationsTooLate(), [cancelled.order.orderId]);
    assert.ok(tracker.reconcile().includes(`1 customer cancellation(s) the order service accepted but the saga did not take, e.g. ${cancelled.order.orderId}`));
    const other = planned.flatMap((b) => b.orders).filter((o) => o.cancel)[1]!.order.orderId;
    tracker.transitioned({ ...ending(other, 'completed'), from: 'running:inventory', to: 'cancelling:inventory', event: 'cancelled', cause: { kind: 'cancelled', step: 'inventory' } }, 4);
    assert.equal(tracker.expectedOf(other), 'cancelled');
    assert.equal(tracker.snapshot().cancellationsAccepted, 1);
  });

  it('ignores moves that do not end a saga, and measures latency from creation to when the end was seen', () => {
    const tracker = new OutcomeTracker();
    const batch = batches(50, 1).find((b) => !b.group);
    tracker.planned(batch!);
    const { order } = batch!.orders[0]!;
    tracker.transitioned({ ...ending(order.orderId, 'completed'), from: 'completed', to: 'completed', event: 'late-reply' }, 99);
    assert.equal(tracker.snapshot().inFlight, 1);
    tracker.transitioned(ending(order.orderId, 'completed'), order.createdAt + 250);
    assert.deepEqual([tracker.snapshot().inFlight, tracker.snapshot().p50Ms, tracker.snapshot().p99Ms], [0, 250, 250]);
  });

  it('takes the choreographed flow from the Order aggregate’s events: OrderPlaced makes the customer’s cancellation due, a CUSTOMER_REQUEST cancellation takes it, OrderCompleted or OrderCancelled ends the order in its reason’s outcome', () => {
    const tracker = new OutcomeTracker();
    const planned = batches(40, 3);
    planned.forEach((b) => tracker.planned(b));
    const orders = planned.flatMap((b) => b.orders);
    const [taken, tooLate] = orders.filter((o) => o.cancel);
    const plain = orders.find((o) => !o.cancel && o.expected === 'completed')!;
    const placed: OrderEvent = { type: 'OrderPlaced', customerId: 'c', items: [], currency: 'EUR', totalMinor: 0 };
    tracker.orderEvent(plain.order.orderId, placed, 1);
    tracker.orderEvent(taken!.order.orderId, placed, 1);
    tracker.orderEvent(taken!.order.orderId, placed, 1);
    assert.deepEqual(tracker.dueCancellations(), [taken!.cancel], 'due once, for the order that has one');
    tracker.orderEvent(taken!.order.orderId, { type: 'PaymentConfirmed', paymentId: 'p', amountMinor: 0 }, 2);
    assert.equal(tracker.snapshot().inFlight, orders.length);
    tracker.orderEvent(taken!.order.orderId, aggregateEnding('cancelled'), 3);
    tracker.orderEvent(plain.order.orderId, aggregateEnding('completed'), plain.order.createdAt + 40);
    // A cancellation that came after the shipment was rejected: the order completes as planned.
    tracker.orderEvent(tooLate!.order.orderId, placed, 1);
    tracker.orderEvent(tooLate!.order.orderId, aggregateEnding('completed'), 4);
    assert.deepEqual([tracker.outcomeOf(taken!.order.orderId), tracker.expectedOf(taken!.order.orderId)], ['cancelled', 'cancelled']);
    assert.deepEqual([tracker.outcomeOf(plain.order.orderId), tracker.outcomeOf(tooLate!.order.orderId), tracker.expectedOf(tooLate!.order.orderId)], ['completed', 'completed', 'completed']);
    const declined = orders.find((o) => o.expected === 'payment failed')!;
    tracker.orderEvent(declined.order.orderId, { type: 'OrderCancelled', reason: 'PAYMENT_FAILED', detail: 'payment failed', compensations: [] }, 5);
    assert.equal(tracker.outcomeOf(declined.order.orderId), 'payment failed');
    tracker.orderEvent(declined.order.orderId, aggregateEnding('completed'), 6);
    assert.ok(tracker.reconcile().some((p) => p.startsWith(`1 order(s) ended more than once, e.g. ${declined.order.orderId} (payment failed, completed)`)), tracker.reconcile().join('\n'));
  });
});
