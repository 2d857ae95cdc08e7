import assert from 'node:assert/strict';
import { TopologyTestDriver, type GuestCheckoutCompleted, type GuestCheckoutFailed, type OrderCreated, type SagaTransitioned } from '../../../index.ts';
import { ORDER_AGGREGATE, type OrderEvent } from '../../../topologies/orders/aggregate.ts';
import { guestCheckoutsTopology } from '../../../topologies/orders/guestCheckouts.ts';

function order(orderId: string, customerId: string, groupCheckoutId: string | null): OrderCreated {
  return {
    eventId: `${orderId}:created`,
    orderId,
    customerId,
    items: [{ sku: 'BOOK-1', name: 'Book', quantity: 1, unitPriceMinor: 900 }],
    currency: 'EUR',
    totalMinor: 900,
    shippingAddress: { line1: 'Main St 1', line2: null, city: 'Berlin', postalCode: '10115', country: 'DE' },
    groupCheckoutId,
    createdAt: 1,
  };
}

/** The group orders g1 (guest c1) and g2 (guest c2) of group `grp`, and o3 of no group, created in the driver. */
function placed(driver: TopologyTestDriver): void {
  const created = driver.inputTopic<string, OrderCreated>('orders.order.created');
  for (const o of [order('g1', 'c1', 'grp'), order('g2', 'c2', 'grp'), order('o3', 'c3', null)]) created.pipe(o.orderId, o, 1);
}

/** What the topology announced: guests completed and failed, by group, as `guest order at`, and the failures' reasons. */
function announced(driver: TopologyTestDriver) {
  return {
    completed: driver.outputTopic<string, GuestCheckoutCompleted>('checkout.guest.completed').readKeyValues().map(([group, g]) => `${group} ${g.guestId} ${g.orderId} ${g.completedAt}`),
    failed: driver.outputTopic<string, GuestCheckoutFailed>('checkout.guest.failed').readKeyValues().map(([group, g]) => `${group} ${g.guestId} ${g.orderId} ${g.failedAt}: ${g.reason}`),
  };
}

describe('guest checkouts', () => {
  it('orchestrated: announces a group order’s end from the saga’s move into a terminal state, once, and nothing for an order of no group', () => {
    const driver = new TopologyTestDriver(guestCheckoutsTopology());
    placed(driver);
    const transitions = driver.inputTopic<string, SagaTransitioned>('orders.saga.transitioned');
    const move = (sagaId: string, from: string, to: string, event: string, cause: SagaTransitioned['cause'], timestamp: number): SagaTransitioned => ({ sagaId, saga: 'order-saga', from, to, event, step: null, attempt: 0, cause, timestamp });
    transitions.pipe('g1', move('g1', 'running:notification', 'completed', 'succeeded', null, 10), 10);
    transitions.pipe('g1', move('g1', 'completed', 'completed', 'late-reply', null, 11), 11);
    transitions.pipe('g2', move('g2', 'running:payment', 'compensated', 'failed', { kind: 'failed', step: 'payment' }, 12), 12);
    transitions.pipe('o3', move('o3', 'running:notification', 'completed', 'succeeded', null, 13), 13);
    assert.deepEqual(announced(driver), { completed: ['grp c1 g1 10'], failed: ['grp c2 g2 12: order compensated: payment failed'] });
  });

  it('choreographed: announces a group order’s end from the Order aggregate’s OrderCompleted or OrderCancelled, at the event’s time, and nothing for its other events', () => {
    const driver = new TopologyTestDriver(guestCheckoutsTopology({ flow: 'choreographed' }));
    assert.throws(() => driver.inputTopic('orders.saga.transitioned'), /does not read topic/);
    placed(driver);
    const events = driver.inputTopic<string, OrderEvent>(ORDER_AGGREGATE.events);
    events.pipe('g1', { type: 'PaymentConfirmed', paymentId: 'p1', amountMinor: 900 }, 5);
    events.pipe('g1', { type: 'OrderCompleted' }, 10);
    events.pipe('g2', { type: 'OrderCancelled', reason: 'INVENTORY_UNAVAILABLE', detail: 'inventory failed', compensations: ['refund-payment'] }, 12);
    events.pipe('o3', { type: 'OrderCancelled', reason: 'CUSTOMER_REQUEST', detail: null, compensations: [] }, 13);
    assert.deepEqual(announced(driver), { completed: ['grp c1 g1 10'], failed: ['grp c2 g2 12: order cancelled: INVENTORY_UNAVAILABLE (inventory failed)'] });
  });
});
