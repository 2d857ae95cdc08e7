import assert from 'node:assert/strict';
import { TopologyTestDriver, type OrderCancelled, type OrderCreated, type SendNotification, type ShippingInitiated } from '../../../index.ts';
import cancellationNotices from '../../../topologies/orders/cancellationNotices.ts';

const order: OrderCreated = {
  eventId: 'e1',
  orderId: 'o1',
  customerId: 'c1',
  items: [{ sku: 'BOOK-1', name: 'Book', quantity: 1, unitPriceMinor: 900 }],
  currency: 'EUR',
  totalMinor: 900,
  shippingAddress: { line1: 'Main St 1', line2: null, city: 'Berlin', postalCode: '10115', country: 'DE' },
  groupCheckoutId: null,
  createdAt: 1,
};

describe('cancellation notices (orchestrated flow)', () => {
  it("tells the order's customer of each cancellation once, and leaves shipment notices to the saga", () => {
    const driver = new TopologyTestDriver(cancellationNotices);
    driver.inputTopic<string, OrderCreated>('orders.order.created').pipe('o1', order, 1);
    const cancelled: OrderCancelled = { eventId: 'o1:cancelled', orderId: 'o1', reason: 'PAYMENT_FAILED', detail: null, cancelledAt: 5 };
    driver.inputTopic<string, OrderCancelled>('orders.order.cancelled').pipe('o1', cancelled, 5);
    driver.inputTopic<string, OrderCancelled>('orders.order.cancelled').pipe('o1', cancelled, 6); // redelivered
    assert.throws(() => driver.inputTopic<string, ShippingInitiated>('shipping.shipment.initiated'), /does not read topic/);
    const sent = driver.outputTopic<string, SendNotification>('notifications.notification.send').readKeyValues();
    assert.deepEqual(sent.map(([key, n]) => [key, n.kind, n.orderId]), [['c1', 'ORDER_CANCELLED', 'o1']]);
  });
});
