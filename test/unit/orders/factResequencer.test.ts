import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { OrderCommand } from '../../../topologies/orders/aggregate.ts';
import { NOTHING_SEEN, ORDER_COMMANDS, resequence, type FactsSeen, type TimedFact } from '../../../topologies/orders/factResequencer.ts';

const place: OrderCommand = { type: 'PlaceOrder', customerId: 'c1', items: [{ sku: 'tea', name: 'Tea', quantity: 1, unitPriceMinor: 100 }], currency: 'EUR', totalMinor: 100 };
const HAPPY_PATH: readonly OrderCommand[] = [place, { type: 'ConfirmPayment', paymentId: 'p1', amountMinor: 100 }, { type: 'ReserveInventory', reservationId: 'r1' }, { type: 'ShipOrder', shipmentId: 's1' }, { type: 'CompleteOrder' }];
const cancel: OrderCommand = { type: 'CancelOrder', reason: 'CUSTOMER_REQUEST', detail: null };

/** Feeds the facts one by one: what passed, in order, and what is known at the end. */
function feed(facts: readonly TimedFact<OrderCommand>[]): { passed: TimedFact<OrderCommand>[]; known: FactsSeen<OrderCommand> } {
  let known: FactsSeen<OrderCommand> = NOTHING_SEEN;
  const passed: TimedFact<OrderCommand>[] = [];
  for (const fact of facts) {
    const step = resequence(ORDER_COMMANDS, known, fact);
    known = step.known;
    passed.push(...step.pass);
  }
  return { passed, known };
}

describe('the order facts resequencer', () => {
  it('lets every fact of an order through once, after the one it follows, each with its own timestamp, in whatever order they come (property)', () => {
    const facts = fc.record({ steps: fc.integer({ min: 1, max: HAPPY_PATH.length }), cancelled: fc.boolean() }).chain(({ steps, cancelled }) => {
      const happened = [...HAPPY_PATH.slice(0, steps), ...(cancelled ? [cancel] : [])].map((fact, i): TimedFact<OrderCommand> => ({ fact, timestamp: 1_000 + i }));
      return fc.shuffledSubarray(happened, { minLength: happened.length, maxLength: happened.length });
    });
    fc.assert(
      fc.property(facts, (arrived) => {
        const { passed, known } = feed(arrived);
        assert.deepEqual([...passed].sort((a, b) => a.timestamp - b.timestamp), [...arrived].sort((a, b) => a.timestamp - b.timestamp), 'each fact passes once, as it came');
        assert.deepEqual(known.held, []);
        passed.forEach(({ fact }, i) => {
          const follows = ORDER_COMMANDS.follows(fact);
          if (follows !== null) assert.ok(passed.slice(0, i).some((p) => p.fact.type === follows), `${fact.type} passed before ${follows}: ${passed.map((p) => p.fact.type).join(', ')}`);
        });
        // A fact whose predecessor had passed when it came is not held back.
        const first = arrived[0]!;
        assert.equal(passed[0] === first, first.fact.type === 'PlaceOrder');
      }),
    );
  });

  it('holds a fact whose predecessor has not come, and lets a repeated fact through again (judging it is the aggregate’s business)', () => {
    const ship: TimedFact<OrderCommand> = { fact: HAPPY_PATH[3]!, timestamp: 5 };
    const { passed, known } = feed([{ fact: place, timestamp: 1 }, ship, { fact: place, timestamp: 2 }]);
    assert.deepEqual(passed.map((p) => [p.fact.type, p.timestamp]), [['PlaceOrder', 1], ['PlaceOrder', 2]]);
    assert.deepEqual(known, { passed: ['PlaceOrder'], held: [ship] });
  });

  it('holds a cancellation for a failed step until the step before it passed, so the aggregate sees what it undoes', () => {
    const paid: TimedFact<OrderCommand> = { fact: HAPPY_PATH[1]!, timestamp: 2 };
    const shortOfStock: TimedFact<OrderCommand> = { fact: { type: 'CancelOrder', reason: 'INVENTORY_UNAVAILABLE', detail: 'inventory failed' }, timestamp: 3 };
    const { passed } = feed([{ fact: place, timestamp: 1 }, shortOfStock, paid]);
    assert.deepEqual(passed.map((p) => p.fact.type), ['PlaceOrder', 'ConfirmPayment', 'CancelOrder']);
    assert.equal(ORDER_COMMANDS.follows({ type: 'CancelOrder', reason: 'SHIPPING_FAILED', detail: null }), 'ReserveInventory');
    assert.equal(ORDER_COMMANDS.follows({ type: 'CancelOrder', reason: 'PAYMENT_FAILED', detail: null }), 'PlaceOrder');
  });
});
