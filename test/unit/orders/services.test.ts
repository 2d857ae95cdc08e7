import assert from 'node:assert/strict';
import { TopologyTestDriver, type InitiateShipping, type InventoryReleased, type NotificationSent, type PaymentProcessed, type ProcessPayment, type RefundPayment, type ReleaseInventory, type ReserveInventory, type SendNotification, type ShippingFailed, type ShippingInitiated } from '../../../index.ts';
import { inventoryService } from '../../../topologies/orders/services/inventoryService.ts';
import { notificationService } from '../../../topologies/orders/services/notificationService.ts';
import { paymentService } from '../../../topologies/orders/services/paymentService.ts';
import { ServiceBehaviourError, serviceBehaviour } from '../../../topologies/orders/services/serviceBehaviour.ts';
import { shippingService } from '../../../topologies/orders/services/shippingService.ts';

const instant = { failureRate: 0, latencyMs: 0 };

function charge(orderId: string, customerId = 'c1', amountMinor = 1_250): ProcessPayment {
  return { commandId: `${orderId}-charge`, sagaId: orderId, orderId, customerId, amountMinor, currency: 'EUR', issuedAt: 1 };
}

function refund(orderId: string, paymentId: string): RefundPayment {
  return { commandId: `${orderId}-refund`, sagaId: orderId, orderId, paymentId, amountMinor: 1_250, currency: 'EUR', reason: 'compensation', issuedAt: 2 };
}

describe('order services', () => {
  describe('payment', () => {
    it('charges, declines customers marked declined-, answers a repeated command alike, and refunds what was charged once', () => {
      const driver = new TopologyTestDriver(paymentService(instant));
      const charges = driver.inputTopic<string, ProcessPayment>('payments.payment.process');
      const refunds = driver.inputTopic<string, RefundPayment>('payments.payment.refund');
      const processed = driver.outputTopic<string, PaymentProcessed>('payments.payment.processed');
      charges.pipe('o1', charge('o1'));
      charges.pipe('o2', charge('o2', 'declined-7'));
      charges.pipe('o1', charge('o1'));
      const [paid, declined, again] = processed.readValues();
      assert.deepEqual([paid!.status, paid!.amountMinor, declined!.status, declined!.failureReason], ['PROCESSED', 1_250, 'FAILED', 'card declined']);
      assert.deepEqual(again, paid);
      refunds.pipe('o1', refund('o1', paid!.paymentId));
      refunds.pipe('o1', refund('o1', paid!.paymentId));
      refunds.pipe('o3', refund('o3', 'never-charged'));
      const [refunded, refundedAgain, nothing] = processed.readValues();
      assert.deepEqual([refunded!.status, refunded!.amountMinor, refunded!.paymentId], ['REFUNDED', 1_250, paid!.paymentId]);
      assert.deepEqual(refundedAgain, refunded);
      assert.deepEqual([nothing!.status, nothing!.amountMinor], ['REFUNDED', 0]);
    });

    it('declines the configured share of orders, the same ones every time', () => {
      const declinedShare = (failureRate: number, orders: number) => {
        const driver = new TopologyTestDriver(paymentService({ failureRate, latencyMs: 0 }));
        const charges = driver.inputTopic<string, ProcessPayment>('payments.payment.process');
        for (let i = 0; i < orders; i++) charges.pipe(`o${i}`, charge(`o${i}`));
        const declined = driver.outputTopic<string, PaymentProcessed>('payments.payment.processed').readKeyValues().filter(([, p]) => p.status === 'FAILED');
        return { share: declined.length / orders, ids: declined.map(([id]) => id) };
      };
      assert.equal(declinedShare(0, 200).share, 0);
      assert.equal(declinedShare(1, 200).share, 1);
      const third = declinedShare(0.3, 1_000);
      assert.ok(Math.abs(third.share - 0.3) < 0.05, `declined ${third.share}`);
      assert.deepEqual(declinedShare(0.3, 1_000).ids, third.ids);
    });

    it('answers after its latency, from the wall clock, and not before', () => {
      const driver = new TopologyTestDriver(paymentService({ failureRate: 0, latencyMs: 1_000 }), { wallClockTimeMs: 10_000 });
      driver.inputTopic<string, ProcessPayment>('payments.payment.process').pipe('o1', charge('o1'));
      const processed = driver.outputTopic<string, PaymentProcessed>('payments.payment.processed');
      driver.advanceWallClockTime(900);
      assert.equal(processed.readValues().length, 0);
      driver.advanceWallClockTime(100);
      const [record] = processed.readRecords();
      assert.deepEqual([record!.key, record!.value.status, record!.timestamp], ['o1', 'PROCESSED', 11_000]);
    });
  });

  describe('inventory', () => {
    const reserve = (orderId: string, skus: string[]): ReserveInventory => ({ commandId: `${orderId}-reserve`, sagaId: orderId, orderId, items: skus.map((sku) => ({ sku, quantity: 2 })), issuedAt: 1 });
    const release = (orderId: string): ReleaseInventory => ({ commandId: `${orderId}-release`, sagaId: orderId, orderId, reservationId: `r-${orderId}`, reason: 'compensation', issuedAt: 2 });

    it('checks then reserves, is short of SOLDOUT SKUs, and releases what it reserved once', () => {
      const driver = new TopologyTestDriver(inventoryService(instant));
      const reserves = driver.inputTopic<string, ReserveInventory>('inventory.stock.reserve');
      reserves.pipe('o1', reserve('o1', ['BOOK-1', 'PEN-2']));
      reserves.pipe('o2', reserve('o2', ['BOOK-1', 'SOLDOUT-9']));
      assert.deepEqual(
        driver.outputTopic<string, { available: boolean }>('inventory.stock.checked').readKeyValues().map(([k, v]) => [k, v.available]),
        [['o1', true], ['o2', false]],
      );
      assert.deepEqual(driver.outputTopic<string, { items: unknown[] }>('inventory.stock.reserved').readKeyValues().map(([k, v]) => [k, v.items.length]), [['o1', 2]]);
      assert.deepEqual(driver.outputTopic<string, { shortSkus: string[] }>('inventory.stock.reservation-failed').readKeyValues().map(([k, v]) => [k, v.shortSkus]), [['o2', ['SOLDOUT-9']]]);
      const releases = driver.inputTopic<string, ReleaseInventory>('inventory.stock.release');
      releases.pipe('o1', release('o1'));
      releases.pipe('o1', release('o1'));
      releases.pipe('o2', release('o2'));
      const [first, repeated, nothing] = driver.outputTopic<string, InventoryReleased>('inventory.stock.released').readValues();
      assert.equal(first!.items.length, 2);
      assert.deepEqual(repeated, first);
      assert.deepEqual(nothing!.items, []);
    });
  });

  describe('shipping', () => {
    const initiate = (orderId: string, country: string): InitiateShipping => ({
      commandId: `${orderId}-ship`,
      sagaId: orderId,
      orderId,
      reservationId: 'r',
      address: { line1: 'Main St 1', line2: null, city: 'Berlin', postalCode: '10115', country },
      issuedAt: 1,
    });

    it('books a shipment, fails where no carrier serves the country, and answers a repeated command alike', () => {
      const driver = new TopologyTestDriver(shippingService(instant));
      const requests = driver.inputTopic<string, InitiateShipping>('shipping.shipment.initiate');
      requests.pipe('o1', initiate('o1', 'DE'));
      requests.pipe('o2', initiate('o2', 'ZZ'));
      requests.pipe('o1', initiate('o1', 'DE'));
      const [booked, again] = driver.outputTopic<string, ShippingInitiated>('shipping.shipment.initiated').readValues();
      assert.deepEqual(again, booked);
      assert.deepEqual(driver.outputTopic<string, ShippingFailed>('shipping.shipment.failed').readValues().map((f) => f.reason), ['no carrier serves ZZ']);
    });
  });

  describe('notification', () => {
    it('sends every notification, keyed by customer, with an id that follows the command', () => {
      const driver = new TopologyTestDriver(notificationService(instant));
      const send: SendNotification = { commandId: 'n1', customerId: 'c1', orderId: 'o1', groupCheckoutId: null, kind: 'ORDER_CONFIRMED', issuedAt: 1 };
      driver.inputTopic<string, SendNotification>('notifications.notification.send').pipe('c1', send);
      driver.inputTopic<string, SendNotification>('notifications.notification.send').pipe('c1', send);
      const [first, second] = driver.outputTopic<string, NotificationSent>('notifications.notification.sent').readKeyValues();
      assert.deepEqual([first![0], first![1].kind, first![1].orderId], ['c1', 'ORDER_CONFIRMED', 'o1']);
      assert.equal(second![1].notificationId, first![1].notificationId);
    });
  });

  it('reads its behaviour from ORDER_<SERVICE>_* and names a bad setting in one line', () => {
    assert.deepEqual(serviceBehaviour('payment', { ORDER_PAYMENT_FAILURE_RATE: '0.25', ORDER_PAYMENT_LATENCY_MS: '40' }), { failureRate: 0.25, latencyMs: 40 });
    assert.deepEqual(serviceBehaviour('shipping', {}), { failureRate: 0, latencyMs: 0 });
    assert.throws(() => serviceBehaviour('payment', { ORDER_PAYMENT_FAILURE_RATE: '1.5' }), (error: unknown) => error instanceof ServiceBehaviourError && /^ORDER_PAYMENT_FAILURE_RATE=1.5: /.test(error.message) && !error.message.includes('\n'));
  });
});
