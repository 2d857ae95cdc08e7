import assert from 'node:assert/strict';
import { TopologyTestDriver, type OrderCreated, type PaymentProcessed, type SagaTransitioned, type NotificationSent, type ValueAndTimestamp } from '../../../index.ts';
import { orderProjections, PROJECTION_STORES, type CustomerOrders, type DailyRevenue } from '../../../topologies/orders/orderProjections.ts';
import type { OrderSummary } from '../../../topologies/orders/projections/orderSummary.ts';
import { ORDER_AGGREGATE, type OrderEvent } from '../../../topologies/orders/aggregate.ts';

const DAY = 24 * 3600_000;

function order(orderId: string, customerId: string, totalMinor: number, createdAt: number): OrderCreated {
  return {
    eventId: `${orderId}-created`,
    orderId,
    customerId,
    items: [{ sku: 'BOOK-1', name: 'Book', quantity: 1, unitPriceMinor: totalMinor }],
    currency: 'EUR',
    totalMinor,
    shippingAddress: { line1: 'Main St 1', line2: null, city: 'Berlin', postalCode: '10115', country: 'DE' },
    groupCheckoutId: null,
    createdAt,
  };
}

function move(sagaId: string, from: string, to: string, event: string, timestamp: number, cause: SagaTransitioned['cause'] = null): SagaTransitioned {
  return { sagaId, saga: 'order-saga', from, to, event, step: null, attempt: 0, cause, timestamp };
}

describe('order projections', () => {
  it('summarises each order: totals, status and cause from its saga, and a timeline of what happened', () => {
    const driver = new TopologyTestDriver(orderProjections());
    driver.inputTopic<string, OrderCreated>('orders.order.created').pipe('o1', order('o1', 'c1', 1_000, 10), 10);
    const saga = driver.inputTopic<string, SagaTransitioned>('orders.saga.transitioned');
    saga.pipe('o1', move('o1', 'new', 'running:payment', 'started', 11), 11);
    driver.inputTopic<string, PaymentProcessed>('payments.payment.processed').pipe('o1', { eventId: 'p', paymentId: 'p1', orderId: 'o1', status: 'FAILED', amountMinor: 0, currency: 'EUR', failureReason: 'card declined', processedAt: 12 }, 12);
    saga.pipe('o1', move('o1', 'running:payment', 'running:payment', 'duplicate-reply', 13));
    saga.pipe('o1', move('o1', 'running:payment', 'compensated', 'failed', 14, { kind: 'failed', step: 'payment' }), 14);
    driver.inputTopic<string, NotificationSent>('notifications.notification.sent').pipe('c1', { eventId: 'n', notificationId: 'n1', customerId: 'c1', orderId: 'o1', groupCheckoutId: null, channel: 'EMAIL', kind: 'ORDER_CANCELLED', sentAt: 15 }, 15);
    const summary = driver.keyValueStore<string, ValueAndTimestamp<OrderSummary>>(PROJECTION_STORES.summaries).get('o1')!.value;
    assert.deepEqual([summary.customerId, summary.totalMinor, summary.status, summary.sagaState, summary.cause], ['c1', 1_000, 'COMPENSATED', 'compensated', 'payment failed']);
    assert.deepEqual(summary.timeline.map((line) => line.event), [
      'placed 1 item(s), 1000 EUR',
      'saga started: new → running:payment',
      'payment failed: card declined',
      'saga failed: running:payment → compensated',
      'customer notified: order cancelled',
    ]);
  });

  it('counts orders per customer and sums the revenue of completed orders per day', () => {
    const driver = new TopologyTestDriver(orderProjections());
    const created = driver.inputTopic<string, OrderCreated>('orders.order.created');
    const saga = driver.inputTopic<string, SagaTransitioned>('orders.saga.transitioned');
    created.pipe('o1', order('o1', 'c1', 1_000, 1), 1);
    created.pipe('o2', order('o2', 'c1', 2_500, 2), 2);
    created.pipe('o3', order('o3', 'c2', 700, 3), 3);
    saga.pipe('o1', move('o1', 'running:shipping', 'completed', 'succeeded', DAY - 1), DAY - 1);
    saga.pipe('o3', move('o3', 'running:shipping', 'completed', 'succeeded', DAY + 5), DAY + 5);
    saga.pipe('o2', move('o2', 'running:payment', 'compensated', 'failed', DAY + 6), DAY + 6);
    const customers = driver.keyValueStore<string, ValueAndTimestamp<CustomerOrders>>(PROJECTION_STORES.ordersByCustomer);
    assert.deepEqual(customers.get('c1')!.value, { orderCount: 2, recentOrderIds: ['o1', 'o2'] });
    const revenue = driver.windowStore<string, ValueAndTimestamp<DailyRevenue>>(PROJECTION_STORES.revenuePerDay);
    assert.deepEqual(revenue.fetch('EUR', 0)?.value, { orders: 1, amountMinor: 1_000 });
    assert.deepEqual(revenue.fetch('EUR', DAY)?.value, { orders: 1, amountMinor: 700 });
  });

  it('follows the Order aggregate in the choreographed flow, which has no saga: status, cause and revenue from its events', () => {
    const driver = new TopologyTestDriver(orderProjections({ flow: 'choreographed' }));
    const created = driver.inputTopic<string, OrderCreated>('orders.order.created');
    const events = driver.inputTopic<string, OrderEvent>(ORDER_AGGREGATE.events);
    created.pipe('o1', order('o1', 'c1', 1_000, 1), 1);
    created.pipe('o2', order('o2', 'c1', 2_500, 2), 2);
    events.pipe('o1', { type: 'OrderPlaced', customerId: 'c1', items: [], currency: 'EUR', totalMinor: 1_000 }, 3);
    events.pipe('o1', { type: 'PaymentConfirmed', paymentId: 'p1', amountMinor: 1_000 }, 4);
    events.pipe('o1', { type: 'OrderCompleted' }, DAY + 5);
    events.pipe('o2', { type: 'OrderPlaced', customerId: 'c1', items: [], currency: 'EUR', totalMinor: 2_500 }, 6);
    events.pipe('o2', { type: 'PaymentConfirmed', paymentId: 'p2', amountMinor: 2_500 }, 7);
    events.pipe('o2', { type: 'OrderCancelled', reason: 'INVENTORY_UNAVAILABLE', detail: 'SKU-1 short', compensations: ['refund-payment'] }, 8);
    const summaries = driver.keyValueStore<string, ValueAndTimestamp<OrderSummary>>(PROJECTION_STORES.summaries);
    const o1 = summaries.get('o1')!.value;
    assert.deepEqual([o1.status, o1.sagaState, o1.cause], ['COMPLETED', 'completed', null]);
    assert.deepEqual(o1.timeline.map((line) => line.event), [
      'placed 1 item(s), 1000 EUR',
      'order OrderPlaced: new → pending',
      'order PaymentConfirmed: pending → paid',
      'order OrderCompleted: paid → completed',
    ]);
    const o2 = summaries.get('o2')!.value;
    assert.deepEqual([o2.status, o2.sagaState, o2.cause], ['COMPENSATED', 'compensated', 'inventory unavailable (SKU-1 short)']);
    const revenue = driver.windowStore<string, ValueAndTimestamp<DailyRevenue>>(PROJECTION_STORES.revenuePerDay);
    assert.deepEqual(revenue.fetch('EUR', DAY)?.value, { orders: 1, amountMinor: 1_000 }, 'counted on the day of its completion');
    assert.equal(revenue.fetch('EUR', 0), undefined);
  });
});
