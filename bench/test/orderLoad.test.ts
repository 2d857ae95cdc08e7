import assert from 'node:assert/strict';
import fc from 'fast-check';
import { loadCatalogue } from '../../schemas/catalogue.ts';
import { customerProfile, orderAt } from '../throughput/orderLoad.ts';
import { BENCH_CATALOGUE_DIR } from '../throughput/benchTopics.ts';

const catalogue = loadCatalogue(BENCH_CATALOGUE_DIR);

describe('the bench load', () => {
  it('makes the same order for the same index, valid for OrderCreated, totalled from its lines, for a customer in range', () => {
    const orderType = catalogue.entry('bench.order.created').type;
    fc.assert(
      fc.property(fc.nat(10_000_000), fc.integer({ min: 1, max: 100_000 }), fc.nat(), (i, customers, createdAt) => {
        const order = orderAt(i, customers, createdAt);
        assert.deepEqual(orderAt(i, customers, createdAt), order);
        assert.ok(orderType.isValid(order), `order ${i} is not a valid OrderCreated`);
        assert.equal(order.totalMinor, order.items.reduce((sum, item) => sum + item.quantity * item.unitPriceMinor, 0));
        const customer = Number(order.customerId.slice(1));
        assert.ok(Number.isInteger(customer) && customer >= 0 && customer < customers, order.customerId);
      }),
    );
  });

  it('lets about half the orders through the stateless workload’s filter (totals of 200.00 or more)', () => {
    const n = 20_000;
    let passing = 0;
    for (let i = 0; i < n; i++) if (orderAt(i, 1000, 0).totalMinor >= 20_000) passing++;
    assert.ok(passing > n * 0.3 && passing < n * 0.7, `${passing} of ${n} pass`);
  });

  it('spreads orders over every customer', () => {
    const customers = 100;
    const seen = new Set(Array.from({ length: 5_000 }, (_, i) => orderAt(i, customers, 0).customerId));
    assert.equal(seen.size, customers);
  });

  it('makes a valid CustomerProfile keyed like the orders', () => {
    const profileType = catalogue.entry('bench.customer.profile').type;
    fc.assert(
      fc.property(fc.nat(1_000_000), (j) => {
        const profile = customerProfile(j);
        assert.ok(profileType.isValid(profile));
        assert.equal(profile.customerId, `c${j}`);
      }),
    );
  });
});
