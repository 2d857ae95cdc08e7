import assert from 'node:assert/strict';
import fc from 'fast-check';
import { enrich, type MissingRowPolicy } from '../../../processors/patterns/enrich.ts';
import type { Stream } from '../../../processors/stream.ts';
import { TopologyTestDriver } from '../../../runtime/topologyTestDriver.ts';
import { testTopology } from '../processors/stringTopology.ts';

/** An internal order event: keyed by order id, naming its customer. */
interface Order {
  readonly orderId: string;
  readonly customerId: string;
  readonly totalMinor: number;
}

interface Customer {
  readonly name: string;
  readonly tier: string;
}

/** The external event: the order with what the customer table said when it was processed. */
interface EnrichedOrder extends Order {
  readonly customerName: string | null;
  readonly tier: string | null;
}

const toEnriched = (order: Order, customer: Customer | null): EnrichedOrder => ({ ...order, customerName: customer?.name ?? null, tier: customer?.tier ?? null });

/** How the order stream reaches its customer: which table kind, and whether orders are keyed by customer already. */
type Lookup = 'table by key' | 'table by keyOf' | 'global table by key' | 'global table by keyOf';
const LOOKUPS: readonly Lookup[] = ['table by key', 'table by keyOf', 'global table by key', 'global table by keyOf'];

/**
 * Orders from `orders` (keyed by customer id for the "by key" lookups, else by order id)
 * enriched from the `customers` table into `enriched`.
 */
function enrichOrders(lookup: Lookup, missingRow: MissingRowPolicy) {
  const app = testTopology('enrich-app');
  const orders = app.stream<string, Order>('orders');
  const byCustomer = (_key: string, order: Order) => order.customerId;
  let enriched: Stream<string, EnrichedOrder>;
  const name = 'enrich-orders';
  if (lookup.startsWith('global')) {
    const customers = app.globalTable<string, Customer>('customers');
    enriched = enrich(orders, customers, toEnriched, { missingRow, name, ...(lookup.endsWith('keyOf') ? { keyOf: byCustomer } : {}) });
  } else {
    const customers = app.table<string, Customer>('customers');
    enriched = lookup.endsWith('keyOf')
      ? enrich(orders, customers, toEnriched, { missingRow, name, keyOf: byCustomer })
      : enrich(orders, customers, toEnriched, { missingRow, name });
  }
  enriched.to('enriched');
  const driver = new TopologyTestDriver(app);
  const orderKey = (order: Order) => (lookup.endsWith('by key') ? order.customerId : order.orderId);
  return {
    driver,
    order: (order: Order, timestamp: number) => driver.inputTopic<string, Order>('orders').pipe(orderKey(order), order, timestamp),
    customer: (id: string, customer: Customer | null, timestamp: number) => driver.inputTopic<string, Customer | null>('customers').pipe(id, customer, timestamp),
    enriched: () => driver.outputTopic<string, EnrichedOrder>('enriched').readRecords().map((r) => [r.key, r.value, r.timestamp] as const),
    missing: () => driver.droppedRecords().filter((d) => d.reason === 'missing-row').length,
  };
}

const ada: Customer = { name: 'Ada', tier: 'gold' };
const o1: Order = { orderId: 'o1', customerId: 'c1', totalMinor: 1200 };

describe('enrich: internal event + table row → external event', () => {
  for (const lookup of LOOKUPS) {
    describe(lookup, () => {
      const outKey = (order: Order) => (lookup === 'table by keyOf' || lookup.endsWith('by key') ? order.customerId : order.orderId);

      it('maps an event with its row, keeping the event\'s timestamp; table updates alone emit nothing', () => {
        const t = enrichOrders(lookup, 'drop');
        t.customer('c1', ada, 50);
        assert.deepEqual(t.enriched(), []);
        t.order(o1, 10);
        assert.deepEqual(t.enriched(), [[outKey(o1), { ...o1, customerName: 'Ada', tier: 'gold' }, 10]]);
      });

      it("'drop' drops an event without a row and counts it as missing-row", () => {
        const t = enrichOrders(lookup, 'drop');
        t.order(o1, 10);
        assert.deepEqual(t.enriched(), []);
        assert.equal(t.missing(), 1);
      });

      it("'pass' gives the mapper a null row", () => {
        const t = enrichOrders(lookup, 'pass');
        t.order(o1, 10);
        assert.deepEqual(t.enriched(), [[outKey(o1), { ...o1, customerName: null, tier: null }, 10]]);
        assert.equal(t.missing(), 0);
      });

      it('looks the row up as of processing: an update reaches later events only, a tombstone makes the row missing', () => {
        const t = enrichOrders(lookup, 'pass');
        t.customer('c1', ada, 1);
        t.order(o1, 2);
        t.customer('c1', { name: 'Ada', tier: 'platinum' }, 3);
        t.order({ ...o1, orderId: 'o2' }, 4);
        t.customer('c1', null, 5);
        t.order({ ...o1, orderId: 'o3' }, 6);
        assert.deepEqual(
          t.enriched().map(([, value]) => [value.orderId, value.tier]),
          [['o1', 'gold'], ['o2', 'platinum'], ['o3', null]],
        );
      });
    });
  }

  it("types the row by the policy: never null with 'drop', nullable with 'pass'", () => {
    const app = testTopology();
    const orders = app.stream<string, Order>('orders');
    const customers = app.globalTable<string, Customer>('customers');
    const keyOf = (_key: string, order: Order) => order.customerId;
    enrich(orders, customers, (_order, customer) => customer.name, { missingRow: 'drop', keyOf });
    // @ts-expect-error the row may be null
    enrich(orders, customers, (_order, customer) => customer.name, { missingRow: 'pass', keyOf });
    // @ts-expect-error the policy is required
    enrich(orders, customers, (_order, customer) => customer, { keyOf });
  });

  it('repartitions through <app>-<name>-repartition only for a Table looked up by keyOf', () => {
    const topics = (lookup: Lookup) => enrichOrders(lookup, 'drop').driver.topology.internalTopics.map((t) => t.name);
    assert.deepEqual(topics('table by keyOf'), ['enrich-app-enrich-orders-repartition']);
    for (const lookup of ['table by key', 'global table by key', 'global table by keyOf'] as const) assert.deepEqual(topics(lookup), [], lookup);
  });

  it('gives the same results as a map from customer to row, for any interleaving of events, updates and tombstones', () => {
    type Step = { readonly kind: 'order'; readonly customer: number } | { readonly kind: 'customer'; readonly customer: number; readonly tier: string | null };
    const step: fc.Arbitrary<Step> = fc.oneof(
      fc.record({ kind: fc.constant('order' as const), customer: fc.integer({ min: 0, max: 3 }) }),
      fc.record({ kind: fc.constant('customer' as const), customer: fc.integer({ min: 0, max: 3 }), tier: fc.constantFrom('gold', 'silver', null) }),
    );
    fc.assert(
      fc.property(fc.constantFrom(...LOOKUPS), fc.constantFrom<MissingRowPolicy>('drop', 'pass'), fc.array(step, { maxLength: 40, size: 'max' }), (lookup, missingRow, steps) => {
        const t = enrichOrders(lookup, missingRow);
        const rows = new Map<string, Customer>();
        const expected: Array<[string, string | null]> = [];
        let missing = 0;
        steps.forEach((s, i) => {
          const customerId = `c${s.customer}`;
          if (s.kind === 'customer') {
            const row = s.tier === null ? null : { name: customerId, tier: s.tier };
            if (row) rows.set(customerId, row);
            else rows.delete(customerId);
            return t.customer(customerId, row, i);
          }
          const row = rows.get(customerId);
          if (row || missingRow === 'pass') expected.push([`o${i}`, row?.tier ?? null]);
          else missing++;
          t.order({ orderId: `o${i}`, customerId, totalMinor: i }, i);
        });
        assert.deepEqual(t.enriched().map(([, value]) => [value.orderId, value.tier]), expected);
        assert.equal(t.missing(), missing);
      }),
      { numRuns: 200 },
    );
  });
});
