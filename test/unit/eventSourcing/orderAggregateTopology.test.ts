import assert from 'node:assert/strict';
import { describeTopology } from '../../../processors/describeTopology.ts';
import { stateAsOf, type HistoryEntry } from '../../../processors/eventSourcing/aggregateHistory.ts';
import type { AggregateSnapshot, CommandRejection } from '../../../processors/eventSourcing/eventSourcedAggregate.ts';
import { rebuild } from '../../../processors/eventSourcing/rebuild.ts';
import { TopologyTestDriver } from '../../../runtime/topologyTestDriver.ts';
import type { CancelOrder, OrderCancelled, OrderCreated, PaymentProcessed, SagaTransitioned, TopicValues } from '../../../schemas/generated/types.ts';
import { ORDER_AGGREGATE, orderAggregate, orderAggregateTopology, type OrderCommand, type OrderEvent, type OrderState } from '../../../topologies/orders/aggregate.ts';
import { orderTopic } from '../../../topologies/orders/orderTopics.ts';

const orderId = '7b0c2d4e-1f3a-4b5c-8d9e-0a1b2c3d4e5f';
const created: OrderCreated = {
  eventId: 'e1',
  orderId,
  customerId: 'c1',
  items: [{ sku: 'tea', name: 'Green tea', quantity: 2, unitPriceMinor: 450 }],
  currency: 'EUR',
  totalMinor: 900,
  shippingAddress: { line1: 'Main St 1', line2: null, city: 'Berlin', postalCode: '10115', country: 'DE' },
  groupCheckoutId: null,
  createdAt: 1000,
};
const payment = (status: PaymentProcessed['status']): PaymentProcessed => ({ eventId: `p-${status}`, paymentId: 'pay-1', orderId, status, amountMinor: status === 'FAILED' ? 0 : 900, currency: 'EUR', failureReason: null, processedAt: 2000 });
const move = (from: string, to: string): SagaTransitioned => ({ sagaId: orderId, saga: 'order-saga', from, to, event: 'succeeded', step: 'shipping', attempt: 0, cause: null, timestamp: 5000 });
/** The order saga's cancellation (its last compensation); a customer's has no `sagaId`. */
const cancel: CancelOrder = { commandId: 'x1', sagaId: orderId, orderId, reason: 'CUSTOMER_REQUEST', detail: null, issuedAt: 6000 };
const customerCancel: CancelOrder = { ...cancel, commandId: 'k1', sagaId: '' };

function pipe<T extends keyof TopicValues & string>(driver: TopologyTestDriver, topic: T, value: TopicValues[T], timestamp: number): void {
  driver.inputTopic<string, TopicValues[T]>(orderTopic(topic).name).pipe(orderId, value, timestamp);
}

describe('the Order aggregate topology', () => {
  it('reads the order system\'s facts as commands and logs the order\'s life; its state is the fold of its event log', () => {
    const driver = new TopologyTestDriver(orderAggregateTopology());
    pipe(driver, 'orders.order.created', created, 1000);
    pipe(driver, 'payments.payment.processed', payment('FAILED'), 1500);
    pipe(driver, 'payments.payment.processed', payment('PROCESSED'), 2000);
    pipe(driver, 'inventory.stock.reserved', { eventId: 'r', orderId, reservationId: 'res-1', items: [{ sku: 'tea', quantity: 2 }], expiresAt: null, reservedAt: 3000 }, 3000);
    pipe(driver, 'shipping.shipment.initiated', { eventId: 's', orderId, shipmentId: 'ship-1', carrier: 'DHL', trackingNumber: null, estimatedDeliveryAt: null, initiatedAt: 4000 }, 4000);
    pipe(driver, 'orders.saga.transitioned', move('running:shipping', 'completed'), 5000);
    pipe(driver, 'orders.order.cancel', cancel, 6000);

    const log = driver.outputTopic<string, OrderEvent>(ORDER_AGGREGATE.events).readRecords();
    assert.deepEqual(log.map((r) => [r.key, r.value.type, r.timestamp]), [
      [orderId, 'OrderPlaced', 1000],
      [orderId, 'PaymentConfirmed', 2000],
      [orderId, 'InventoryReserved', 3000],
      [orderId, 'OrderShipped', 4000],
      [orderId, 'OrderCompleted', 5000],
    ]);
    assert.deepEqual(driver.outputTopic<string, CommandRejection<OrderCommand>>(ORDER_AGGREGATE.rejections).readValues(), [
      { command: { type: 'CancelOrder', reason: 'CUSTOMER_REQUEST', detail: null }, reason: 'cannot cancel an order that is completed', version: 5 },
    ]);
    const snapshot = driver.keyValueStore<string, AggregateSnapshot<OrderState>>(ORDER_AGGREGATE.stores.state).get(orderId)!;
    assert.deepEqual(snapshot, { state: rebuild(orderAggregate, log.map((r) => r.value)), version: 5 });
    assert.equal(snapshot.state.status, 'completed');
    const history = driver.keyValueStore<string, HistoryEntry<OrderEvent>[]>(ORDER_AGGREGATE.stores.history).get(orderId)!;
    assert.equal(stateAsOf(orderAggregate, history, { timestamp: 3500 }).status, 'reserved');
    assert.equal(stateAsOf(orderAggregate, history, { version: 2 }).paymentId, 'pay-1');
  });

  it('leaves a customer’s cancellation to the saga in the orchestrated flow, and decides it itself in the choreographed one', () => {
    for (const flow of ['orchestrated', 'choreographed'] as const) {
      const driver = new TopologyTestDriver(orderAggregateTopology({ flow }));
      pipe(driver, 'orders.order.created', created, 1000);
      pipe(driver, 'orders.order.cancel', customerCancel, 2000);
      const cancelled = driver.outputTopic<string, OrderCancelled>(orderTopic('orders.order.cancelled').name).readValues();
      assert.deepEqual(cancelled.map((c) => c.reason), flow === 'orchestrated' ? [] : ['CUSTOMER_REQUEST'], flow);
    }
  });

  it('completes an order in the choreographed flow when its customer is told it shipped', () => {
    const driver = new TopologyTestDriver(orderAggregateTopology({ flow: 'choreographed' }));
    pipe(driver, 'orders.order.created', created, 1000);
    pipe(driver, 'payments.payment.processed', payment('PROCESSED'), 2000);
    pipe(driver, 'inventory.stock.reserved', { eventId: 'r', orderId, reservationId: 'res-1', items: [{ sku: 'tea', quantity: 2 }], expiresAt: null, reservedAt: 3000 }, 3000);
    pipe(driver, 'shipping.shipment.initiated', { eventId: 's', orderId, shipmentId: 'ship-1', carrier: 'DHL', trackingNumber: null, estimatedDeliveryAt: null, initiatedAt: 4000 }, 4000);
    const notice = (kind: 'ORDER_CANCELLED' | 'ORDER_SHIPPED') => ({ eventId: kind, notificationId: kind, customerId: 'c1', orderId, groupCheckoutId: null, channel: 'EMAIL' as const, kind, sentAt: 5000 });
    driver.inputTopic(orderTopic('notifications.notification.sent').name).pipe('c1', notice('ORDER_CANCELLED'), 4800);
    const state = () => driver.keyValueStore<string, AggregateSnapshot<OrderState>>(ORDER_AGGREGATE.stores.state).get(orderId)!.state.status;
    assert.equal(state(), 'shipped');
    driver.inputTopic(orderTopic('notifications.notification.sent').name).pipe('c1', notice('ORDER_SHIPPED'), 5000);
    assert.equal(state(), 'completed');
  });

  it('compensates an order cancelled after payment, announces the cancellation once, and ignores refunds', () => {
    const driver = new TopologyTestDriver(orderAggregateTopology());
    pipe(driver, 'orders.order.created', created, 1000);
    pipe(driver, 'payments.payment.processed', payment('PROCESSED'), 2000);
    pipe(driver, 'payments.payment.processed', payment('REFUNDED'), 2500);
    pipe(driver, 'orders.order.cancel', { ...cancel, reason: 'INVENTORY_UNAVAILABLE' }, 3000);
    pipe(driver, 'orders.order.cancel', { ...cancel, reason: 'INVENTORY_UNAVAILABLE' }, 3100);
    assert.deepEqual(driver.outputTopic<string, OrderEvent>(ORDER_AGGREGATE.events).readValues().at(-1), {
      type: 'OrderCancelled',
      reason: 'INVENTORY_UNAVAILABLE',
      detail: null,
      compensations: ['refund-payment'],
    });
    assert.deepEqual(driver.outputTopic<string, CommandRejection<OrderCommand>>(ORDER_AGGREGATE.rejections).readValues().map((r) => r.reason), ['cannot cancel a cancelled order']);
    // The order service announces the cancellation once, when it is accepted.
    assert.deepEqual(driver.outputTopic<string, OrderCancelled>(orderTopic('orders.order.cancelled').name).readRecords().map((r) => [r.key, r.value, r.timestamp]), [
      [orderId, { eventId: `${orderId}:cancelled`, orderId, reason: 'INVENTORY_UNAVAILABLE', detail: null, cancelledAt: 3000 }, 3000],
    ]);
    assert.equal(driver.keyValueStore<string, AggregateSnapshot<OrderState>>(ORDER_AGGREGATE.stores.state).get(orderId)!.state.status, 'compensated');
  });

  it('applies an order’s facts in the order they happened, whatever order its inputs are read in (a completion read before the shipment, a shipment before its reservation, a payment before the order)', () => {
    const reserved = { eventId: 'r', orderId, reservationId: 'res-1', items: [{ sku: 'tea', quantity: 2 }], expiresAt: null, reservedAt: 3000 };
    const shipped = { eventId: 's', orderId, shipmentId: 'ship-1', carrier: 'DHL', trackingNumber: null, estimatedDeliveryAt: null, initiatedAt: 4000 };
    for (const flow of ['orchestrated', 'choreographed'] as const) {
      const driver = new TopologyTestDriver(orderAggregateTopology({ flow }));
      if (flow === 'orchestrated') pipe(driver, 'orders.saga.transitioned', move('running:notification', 'completed'), 1000);
      else driver.inputTopic(orderTopic('notifications.notification.sent').name).pipe('c1', { eventId: 'n', notificationId: 'n', customerId: 'c1', orderId, groupCheckoutId: null, channel: 'EMAIL', kind: 'ORDER_SHIPPED', sentAt: 5000 }, 1000);
      pipe(driver, 'shipping.shipment.initiated', shipped, 1000);
      pipe(driver, 'payments.payment.processed', payment('PROCESSED'), 1000);
      pipe(driver, 'inventory.stock.reserved', reserved, 1000);
      assert.deepEqual(driver.outputTopic<string, OrderEvent>(ORDER_AGGREGATE.events).readValues(), [], `${flow}: nothing before the order`);
      pipe(driver, 'orders.order.created', created, 1000);
      assert.deepEqual(driver.outputTopic<string, OrderEvent>(ORDER_AGGREGATE.events).readValues().map((e) => e.type), ['OrderPlaced', 'PaymentConfirmed', 'InventoryReserved', 'OrderShipped', 'OrderCompleted'], flow);
      assert.deepEqual(driver.outputTopic<string, CommandRejection<OrderCommand>>(ORDER_AGGREGATE.rejections).readValues(), [], flow);
    }
  });

  it('reads its inputs co-partitioned (one task holds an order’s facts), and hands its facts to the aggregate in their order through one repartition topic', () => {
    const built = orderAggregateTopology().build();
    assert.deepEqual([...describeTopology(built).matchAll(/Sink: \S+ \(topic: ([^)]*repartition)\)/g)].map(([, topic]) => topic), ['order-commands-repartition']);
    const inputs = ['orders.order.created', 'payments.payment.processed', 'inventory.stock.reserved', 'shipping.shipment.initiated', 'orders.saga.transitioned', 'orders.order.cancel'] as const;
    assert.deepEqual(built.coPartitionGroups, [inputs.map((topic) => orderTopic(topic).name)]);
  });
});
