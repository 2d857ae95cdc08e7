import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CommandValidationError } from '../../../processors/cqrs/errors.ts';
import type { EventPublisher } from '../../../processors/cqrs/eventPublisher.ts';
import { Mediator } from '../../../processors/cqrs/mediator.ts';
import { loadCatalogue } from '../../../schemas/catalogue.ts';
import type { TopicValues } from '../../../schemas/generated/types.ts';
import { cancelOrder, cancelOrderHandler, placeOrder, placeOrderHandler, revenuePerDay } from '../../../topologies/orders/commands.ts';

const catalogue = loadCatalogue();

interface Published {
  readonly topic: string;
  readonly key: string;
  readonly value: unknown;
}

function orderMediator() {
  const published: Published[] = [];
  const publisher: EventPublisher<TopicValues> = {
    async publish(topic, key, value) {
      published.push({ topic, key, value });
    },
  };
  const dependencies = { publisher, now: () => 1_700_000_000_000, newId: () => '00000000-0000-4000-8000-000000000001' };
  const mediator = new Mediator().command(placeOrder, placeOrderHandler(dependencies)).command(cancelOrder, cancelOrderHandler(dependencies)).query(revenuePerDay, () => 0);
  return { mediator, published };
}

// noNullPrototype: the published values are compared with deepEqual, which tells a null prototype from Object's.
const item = fc.record({
  sku: fc.string({ minLength: 1, maxLength: 8 }),
  name: fc.string({ minLength: 1, maxLength: 12 }),
  quantity: fc.integer({ min: 1, max: 50 }),
  unitPriceMinor: fc.integer({ min: 0, max: 100_000 }),
}, { noNullPrototype: true });

const validOrder = fc
  .record({
    orderId: fc.uuid(),
    customerId: fc.string({ minLength: 1, maxLength: 10 }),
    items: fc.array(item, { minLength: 1, maxLength: 4 }),
    currency: fc.constantFrom('EUR', 'USD', 'JPY', 'CHF'),
    shippingAddress: fc.record({
      line1: fc.string({ minLength: 1 }),
      line2: fc.option(fc.string(), { nil: null }),
      city: fc.string({ minLength: 1 }),
      postalCode: fc.string({ minLength: 1 }),
      country: fc.constantFrom('DE', 'FR', 'US'),
    }, { noNullPrototype: true }),
    groupCheckoutId: fc.option(fc.uuid(), { nil: null }),
  }, { noNullPrototype: true })
  .map((order) => ({ ...order, totalMinor: order.items.reduce((sum, i) => sum + i.quantity * i.unitPriceMinor, 0) }));

/** A valid order with one field broken, and the field the refusal must name. */
const brokenOrder = validOrder.chain((order) => {
  const i = fc.nat({ max: order.items.length - 1 });
  const withItem = (at: number, change: object) => ({ ...order, items: order.items.map((it, j) => (j === at ? { ...it, ...change } : it)) });
  return fc.oneof(
    fc.constant({ payload: { ...order, items: [], totalMinor: 0 }, field: 'items' }),
    i.map((at) => ({ payload: withItem(at, { quantity: 0 }), field: `items[${at}].quantity` })),
    i.map((at) => ({ payload: withItem(at, { quantity: 1.5 }), field: `items[${at}].quantity` })),
    fc.constantFrom('EURO', 'eur', 'XYZ', '').map((currency) => ({ payload: { ...order, currency }, field: 'currency' })),
    fc.integer({ min: 1, max: 1000 }).map((off) => ({ payload: { ...order, totalMinor: order.totalMinor + off }, field: 'totalMinor' })),
    fc.constant({ payload: { ...order, orderId: 'order-1' }, field: 'orderId' }),
    fc.constant({ payload: { ...order, shippingAddress: { ...order.shippingAddress, country: 'Germany' } }, field: 'shippingAddress.country' }),
  );
});

describe('order commands', () => {
  it('PlaceOrder publishes, for every valid order, one OrderCreated keyed by the order id that its Avro schema accepts', async () => {
    await fc.assert(
      fc.asyncProperty(validOrder, async (order) => {
        const { mediator, published } = orderMediator();
        assert.deepEqual(await mediator.send('PlaceOrder', order), { orderId: order.orderId, eventId: '00000000-0000-4000-8000-000000000001' });
        assert.deepEqual(published, [
          { topic: 'orders.order.created', key: order.orderId, value: { ...order, eventId: '00000000-0000-4000-8000-000000000001', createdAt: 1_700_000_000_000 } },
        ]);
        assert.ok(catalogue.entry('orders.order.created').type.isValid(published[0]!.value));
      }),
    );
  });

  it('PlaceOrder refuses an order with one broken field, naming that field, and publishes nothing', async () => {
    await fc.assert(
      fc.asyncProperty(brokenOrder, async ({ payload, field }) => {
        const { mediator, published } = orderMediator();
        await assert.rejects(mediator.dispatch('command', 'PlaceOrder', payload), (error: unknown) => error instanceof CommandValidationError && error.field === field);
        assert.deepEqual(published, []);
      }),
    );
  });

  it('CancelOrder publishes a customer CancelOrder command record (no saga) that its Avro schema accepts', async () => {
    const { mediator, published } = orderMediator();
    const orderId = '7b0c2d4e-1f3a-4b5c-8d9e-0a1b2c3d4e5f';
    assert.deepEqual(await mediator.send('CancelOrder', { orderId }), { orderId, commandId: '00000000-0000-4000-8000-000000000001' });
    const expected = { commandId: '00000000-0000-4000-8000-000000000001', sagaId: '', orderId, reason: 'CUSTOMER_REQUEST', detail: null, issuedAt: 1_700_000_000_000 };
    assert.deepEqual(published, [{ topic: 'orders.order.cancel', key: orderId, value: expected }]);
    assert.ok(catalogue.entry('orders.order.cancel').type.isValid(expected));
    await assert.rejects(mediator.dispatch('command', 'CancelOrder', { orderId, reason: 'BORED' }), { field: 'reason' });
  });

  it('RevenuePerDay takes a calendar day and a currency', async () => {
    const { mediator } = orderMediator();
    assert.equal(await mediator.ask('RevenuePerDay', { day: '2026-02-28', currency: 'EUR' }), 0);
    await assert.rejects(mediator.ask('RevenuePerDay', { day: '2026-02-30', currency: 'EUR' }), { field: 'day' });
  });
});
