import assert from 'node:assert/strict';
import fc from 'fast-check';
import { placeOrder } from '../../../topologies/orders/commands.ts';
import { OrderGenerator, type OrderMix, type PlannedOrder } from '../../../topologies/orders/load/orderGenerator.ts';

const noRates = { payment: 0, inventory: 0, shipping: 0 };

const mixArbitrary: fc.Arbitrary<OrderMix> = fc
  .tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }))
  .map(([a, b, c, d, groups]) => {
    // Shares scaled to sum to at most 1, as the demo's flags must.
    const sum = Math.max(1, a + b + c + d);
    return { declined: a / sum, outOfStock: b / sum, noCarrier: c / sum, customerCancels: d / sum, groups };
  });

function plan(mix: OrderMix, seed: number, batches: number, rates = noRates): PlannedOrder[] {
  const generator = new OrderGenerator({ mix, failureRates: rates, seed, groupDeadlineMs: 60_000 });
  return Array.from({ length: batches }, (_, i) => generator.next(1_000 + i).orders).flat();
}

/** The naive model: the data rules the services apply, in the saga's step order. */
function outcomeByDataRules({ order }: PlannedOrder): string {
  if (order.customerId.startsWith('declined-')) return 'payment failed';
  if (order.items.some((item) => item.sku.startsWith('SOLDOUT'))) return 'inventory failed';
  if (order.shippingAddress.country === 'ZZ') return 'shipping failed';
  return 'completed';
}

describe('order generator', () => {
  it('plans the same orders from the same seed', () => {
    fc.assert(
      fc.property(mixArbitrary, fc.integer(), (mix, seed) => {
        assert.deepEqual(plan(mix, seed, 20), plan(mix, seed, 20));
      }),
      { numRuns: 50 },
    );
  });

  it('expects each order to end as the services’ data rules decide, with no random failures', () => {
    fc.assert(
      fc.property(mixArbitrary, fc.integer(), (mix, seed) => {
        for (const planned of plan(mix, seed, 30)) assert.equal(planned.expected, outcomeByDataRules(planned));
      }),
      { numRuns: 100 },
    );
  });

  it('gives each order at most one failure rule, and a cancellation only to orders that would complete', () => {
    fc.assert(
      fc.property(mixArbitrary, fc.integer(), (mix, seed) => {
        for (const planned of plan(mix, seed, 30)) {
          const { order } = planned;
          const rules = [order.customerId.startsWith('declined-'), order.items.some((i) => i.sku.startsWith('SOLDOUT')), order.shippingAddress.country === 'ZZ', planned.cancel !== null];
          assert.ok(rules.filter(Boolean).length <= 1, JSON.stringify(order));
          if (planned.cancel) assert.deepEqual([planned.cancel.orderId, planned.cancel.reason, planned.expected], [order.orderId, 'CUSTOMER_REQUEST', 'completed']);
        }
      }),
      { numRuns: 100 },
    );
  });

  it('plans orders the PlaceOrder command accepts (UUIDs, totals that are the items’ sum)', () => {
    fc.assert(
      fc.property(mixArbitrary, fc.integer(), (mix, seed) => {
        for (const { order } of plan(mix, seed, 20)) {
          const { eventId: _e, createdAt: _c, ...command } = order;
          assert.ok(placeOrder.schema.safeParse(command).success, JSON.stringify(placeOrder.schema.safeParse(command).error?.issues));
        }
      }),
      { numRuns: 50 },
    );
  });

  it('starts group checkouts whose guests are distinct customers, each with an order of the group', () => {
    fc.assert(
      fc.property(mixArbitrary.map((mix) => ({ ...mix, groups: 1 })), fc.integer(), (mix, seed) => {
        const generator = new OrderGenerator({ mix, failureRates: noRates, seed, groupDeadlineMs: 60_000 });
        const { orders, group } = generator.next(5_000);
        assert.ok(group);
        assert.ok(group.guests.length >= 2 && group.guests.length <= 4);
        assert.equal(new Set(group.guests.map((g) => g.guestId)).size, group.guests.length);
        assert.deepEqual(
          group.guests.map((g) => [g.guestId, g.customerId, g.orderId]),
          orders.map(({ order }) => [order.customerId, order.customerId, order.orderId]),
        );
        assert.ok(orders.every(({ order }) => order.groupCheckoutId === group.groupCheckoutId));
        assert.equal(group.deadlineAt, 65_000);
      }),
      { numRuns: 50 },
    );
  });

  it('lets the services’ failure rates fail the orders their hash picks: every order fails at rate 1', () => {
    for (const planned of plan({ declined: 0, outOfStock: 0, noCarrier: 0, customerCancels: 0, groups: 0 }, 7, 50, { payment: 1, inventory: 0, shipping: 0 })) {
      assert.equal(planned.expected, 'payment failed');
    }
  });
});
