import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isRejection } from '../../../processors/eventSourcing/aggregateDefinition.ts';
import { stateAsOf, type HistoryEntry } from '../../../processors/eventSourcing/aggregateHistory.ts';
import { eventSourcedAggregate, type AggregateSnapshot, type CommandRejection } from '../../../processors/eventSourcing/eventSourcedAggregate.ts';
import { rebuild } from '../../../processors/eventSourcing/rebuild.ts';
import { TopologyTestDriver } from '../../../runtime/topologyTestDriver.ts';
import type { OrderItem } from '../../../schemas/generated/types.ts';
import { orderAggregate, type OrderCommand, type OrderEvent, type OrderState, type OrderStatus } from '../../../topologies/orders/aggregate.ts';
import { testTopology } from '../processors/stringTopology.ts';

const items: OrderItem[] = [
  { sku: 'tea', name: 'Green tea', quantity: 2, unitPriceMinor: 450 },
  { sku: 'cup', name: 'Cup', quantity: 1, unitPriceMinor: 1200 },
];
const place: OrderCommand = { type: 'PlaceOrder', customerId: 'c1', items, currency: 'EUR', totalMinor: 2100 };
const placed: OrderEvent = { type: 'OrderPlaced', customerId: 'c1', items, currency: 'EUR', totalMinor: 2100 };
const paid: OrderEvent = { type: 'PaymentConfirmed', paymentId: 'p1', amountMinor: 2100 };
const reserved: OrderEvent = { type: 'InventoryReserved', reservationId: 'r1' };
const shipped: OrderEvent = { type: 'OrderShipped', shipmentId: 's1' };
const cancel: OrderCommand = { type: 'CancelOrder', reason: 'CUSTOMER_REQUEST', detail: null };

/** Given these events, when this command: the events it causes, or the rejection's reason. */
function given(history: readonly OrderEvent[]) {
  return {
    when(command: OrderCommand): readonly OrderEvent[] | string {
      const decision = orderAggregate.decide(command, rebuild(orderAggregate, history));
      return isRejection(decision) ? decision.reason : decision;
    },
  };
}

describe('the Order aggregate', () => {
  it('is placed, paid, reserved, shipped and completed in that order', () => {
    assert.deepEqual(given([]).when(place), [placed]);
    assert.deepEqual(given([placed]).when({ type: 'ConfirmPayment', paymentId: 'p1', amountMinor: 2100 }), [paid]);
    assert.deepEqual(given([placed, paid]).when({ type: 'ReserveInventory', reservationId: 'r1' }), [reserved]);
    assert.deepEqual(given([placed, paid, reserved]).when({ type: 'ShipOrder', shipmentId: 's1' }), [shipped]);
    assert.deepEqual(given([placed, paid, reserved, shipped]).when({ type: 'CompleteOrder' }), [{ type: 'OrderCompleted' }]);
    assert.equal(rebuild(orderAggregate, [placed, paid, reserved, shipped, { type: 'OrderCompleted' }]).status, 'completed');
  });

  it('refuses steps out of order, with the reason', () => {
    assert.equal(given([]).when({ type: 'ConfirmPayment', paymentId: 'p1', amountMinor: 2100 }), 'no order has been placed');
    assert.equal(given([placed]).when(place), 'the order is already placed');
    assert.equal(given([placed]).when({ type: 'ShipOrder', shipmentId: 's1' }), 'cannot ship an order that is pending');
    assert.equal(given([placed, paid]).when({ type: 'ConfirmPayment', paymentId: 'p2', amountMinor: 2100 }), 'cannot confirm payment of an order that is paid');
  });

  it('refuses an order whose total is not its items\' sum, and a payment that does not match the total', () => {
    assert.equal(given([]).when({ ...place, totalMinor: 2000 } as OrderCommand), "the total 2000 is not the items' sum 2100");
    assert.equal(given([]).when({ ...place, items: [] } as OrderCommand), 'an order needs at least one item');
    assert.equal(given([placed]).when({ type: 'ConfirmPayment', paymentId: 'p1', amountMinor: 2000 }), 'a payment of 2000 does not match the order total 2100');
  });

  it('cannot ship a cancelled order, nor cancel a shipped one', () => {
    const cancelled: OrderEvent = { type: 'OrderCancelled', reason: 'CUSTOMER_REQUEST', detail: null, compensations: [] };
    assert.equal(given([placed, cancelled]).when({ type: 'ShipOrder', shipmentId: 's1' }), 'cannot ship a cancelled order');
    assert.equal(given([placed, paid, reserved, shipped]).when(cancel), 'cannot cancel an order that is shipped');
    assert.equal(given([placed, cancelled]).when(cancel), 'cannot cancel a cancelled order');
  });

  it('is cancelled when nothing was done yet, and compensated, undoing the last step first, once something was', () => {
    assert.deepEqual(given([placed]).when(cancel), [{ type: 'OrderCancelled', reason: 'CUSTOMER_REQUEST', detail: null, compensations: [] }]);
    assert.deepEqual(given([placed, paid]).when({ ...cancel, reason: 'INVENTORY_UNAVAILABLE' } as OrderCommand), [
      { type: 'OrderCancelled', reason: 'INVENTORY_UNAVAILABLE', detail: null, compensations: ['refund-payment'] },
    ]);
    const [cancelled] = given([placed, paid, reserved]).when({ type: 'CancelOrder', reason: 'SHIPPING_FAILED', detail: 'no carrier' }) as OrderEvent[];
    assert.deepEqual(cancelled, { type: 'OrderCancelled', reason: 'SHIPPING_FAILED', detail: 'no carrier', compensations: ['release-inventory', 'refund-payment'] });
    assert.equal(rebuild(orderAggregate, [placed, paid, reserved, cancelled!]).status, 'compensated');
    assert.equal(rebuild(orderAggregate, [placed, { type: 'OrderCancelled', reason: 'CUSTOMER_REQUEST', detail: null, compensations: [] }]).status, 'cancelled');
  });
});

// ---- the aggregate run as a topology, against a naive model of the order lifecycle ----

/** The status each command moves an order to, from the statuses it applies in; any other status rejects it. */
const lifecycle: Record<OrderCommand['type'], Partial<Record<OrderStatus, OrderStatus>>> = {
  PlaceOrder: { new: 'pending' },
  ConfirmPayment: { pending: 'paid' },
  ReserveInventory: { paid: 'reserved' },
  ShipOrder: { reserved: 'shipped' },
  CompleteOrder: { shipped: 'completed' },
  CancelOrder: { pending: 'cancelled', paid: 'compensated', reserved: 'compensated' },
};
const eventOf: Record<OrderCommand['type'], OrderEvent['type']> = {
  PlaceOrder: 'OrderPlaced',
  ConfirmPayment: 'PaymentConfirmed',
  ReserveInventory: 'InventoryReserved',
  ShipOrder: 'OrderShipped',
  CompleteOrder: 'OrderCompleted',
  CancelOrder: 'OrderCancelled',
};

/** The steps a cancellation undoes, last done first, by the status it cancels. */
const compensationsIn: Partial<Record<OrderStatus, readonly string[]>> = { pending: [], paid: ['refund-payment'], reserved: ['release-inventory', 'refund-payment'] };

/** A step of a generated run: which order, when, and what is asked; `exact` amounts are filled in from the order's total. */
type Step = { readonly orderId: string; readonly timestamp: number; readonly command: OrderCommand | { readonly type: 'ConfirmPayment'; readonly exact: boolean; readonly amountMinor: number } };

const orderItem = fc.record({ sku: fc.constantFrom('tea', 'cup', 'pot'), name: fc.constant('product'), quantity: fc.integer({ min: 1, max: 5 }), unitPriceMinor: fc.integer({ min: 0, max: 5000 }) }, { noNullPrototype: true });
const command: fc.Arbitrary<Step['command']> = fc.oneof(
  fc
    .record({ items: fc.array(orderItem, { minLength: 1, maxLength: 3 }), wrongTotal: fc.boolean() }, { noNullPrototype: true })
    .map(({ items: lines, wrongTotal }) => ({ type: 'PlaceOrder' as const, customerId: 'c', items: lines, currency: 'EUR', totalMinor: lines.reduce((s, i) => s + i.quantity * i.unitPriceMinor, 0) + (wrongTotal ? 1 : 0) })),
  fc.record({ type: fc.constant('ConfirmPayment' as const), exact: fc.boolean(), amountMinor: fc.integer({ min: 0, max: 100 }) }, { noNullPrototype: true }),
  fc.string({ minLength: 1, maxLength: 4 }).map((reservationId) => ({ type: 'ReserveInventory' as const, reservationId })),
  fc.string({ minLength: 1, maxLength: 4 }).map((shipmentId) => ({ type: 'ShipOrder' as const, shipmentId })),
  fc.constant({ type: 'CompleteOrder' as const }),
  fc.constantFrom('CUSTOMER_REQUEST', 'PAYMENT_FAILED', 'STEP_TIMED_OUT').map((reason) => ({ type: 'CancelOrder' as const, reason, detail: null })),
);
// Runs mix random steps (every command in every status) with lifecycle prefixes, which bring an order to each status.
const step = fc.record({ orderId: fc.constantFrom('o1', 'o2'), timestamp: fc.integer({ min: 0, max: 1000 }), command }, { noNullPrototype: true });
const lifecycleSteps: Step['command'][] = [place, { type: 'ConfirmPayment', exact: true, amountMinor: 0 }, { type: 'ReserveInventory', reservationId: 'r' }, { type: 'ShipOrder', shipmentId: 's' }, { type: 'CompleteOrder' }];
const lifecyclePrefix = fc
  .record({ orderId: fc.constantFrom('o1', 'o2'), timestamps: fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 1, maxLength: lifecycleSteps.length }) }, { noNullPrototype: true })
  .map(({ orderId, timestamps }) => timestamps.map((timestamp, i): Step => ({ orderId, timestamp, command: lifecycleSteps[i]! })));
const run = fc.array(fc.oneof(step.map((s) => [s]), lifecyclePrefix), { maxLength: 20 }).map((chunks) => chunks.flat());

/** The command a step asks for, an `exact` payment paying the order's total. */
function concrete(planned: Step['command'], total: number): OrderCommand {
  return 'exact' in planned ? { type: 'ConfirmPayment', paymentId: 'p', amountMinor: planned.exact ? total : planned.amountMinor } : planned;
}

function orderApp() {
  const app = testTopology();
  const aggregate = eventSourcedAggregate(app.stream<string, OrderCommand>('order-commands'), orderAggregate, { name: 'order' });
  aggregate.events.to('order-events');
  aggregate.rejections.to('order-rejections');
  return { app, aggregate };
}

describe('the Order aggregate as a topology', () => {
  it('decides as the lifecycle model says, and its stored state is the fold of the events it emitted, at every point in time', () => {
    fc.assert(
      fc.property(run, (steps) => {
        const { app, aggregate } = orderApp();
        const driver = new TopologyTestDriver(app);
        const input = driver.inputTopic<string, OrderCommand>('order-commands');
        const events = driver.outputTopic<string, OrderEvent>('order-events');
        const rejections = driver.outputTopic<string, CommandRejection<OrderCommand>>('order-rejections');
        const model = new Map<string, { status: OrderStatus; total: number }>();
        const emitted = new Map<string, Array<{ event: OrderEvent; timestamp: number }>>();
        for (const { orderId, timestamp, command: planned } of steps) {
          const order = model.get(orderId) ?? { status: 'new', total: 0 };
          const command = concrete(planned, order.total);
          input.pipe(orderId, command, timestamp);
          const validPayload =
            command.type === 'PlaceOrder' ? command.totalMinor === command.items.reduce((s, i) => s + i.quantity * i.unitPriceMinor, 0) : command.type !== 'ConfirmPayment' || command.amountMinor === order.total;
          const next = validPayload ? lifecycle[command.type][order.status] : undefined;
          const out = events.readRecords();
          const refused = rejections.readRecords();
          if (next === undefined) {
            assert.deepEqual(out, [], `${command.type} in ${order.status} must be rejected`);
            assert.equal(refused.length, 1);
            assert.equal(refused[0]!.key, orderId);
            assert.deepEqual(refused[0]!.value.command, command);
            assert.ok(refused[0]!.value.reason.length > 0);
            continue;
          }
          assert.deepEqual(refused, [], `${command.type} in ${order.status} must be accepted`);
          assert.deepEqual(out.map((r) => [r.key, r.value.type]), [[orderId, eventOf[command.type]]]);
          if (out[0]!.value.type === 'OrderCancelled') assert.deepEqual(out[0]!.value.compensations, compensationsIn[order.status]);
          model.set(orderId, { status: next, total: command.type === 'PlaceOrder' ? command.totalMinor : order.total });
          emitted.set(orderId, [...(emitted.get(orderId) ?? []), { event: out[0]!.value, timestamp: out[0]!.timestamp }]);
        }

        const snapshots = driver.keyValueStore<string, AggregateSnapshot<OrderState>>(aggregate.stores.state);
        const histories = driver.keyValueStore<string, HistoryEntry<OrderEvent>[]>(aggregate.stores.history);
        for (const [orderId, log] of emitted) {
          const snapshot = snapshots.get(orderId)!;
          const history = histories.get(orderId)!;
          // The live state is the fold of the emitted events, and survives Redis's JSON.
          assert.deepEqual(snapshot, { state: rebuild(orderAggregate, log.map((e) => e.event)), version: log.length });
          assert.equal(snapshot.state.status, model.get(orderId)!.status);
          assert.deepEqual(JSON.parse(JSON.stringify({ snapshot, history })), { snapshot, history });
          // The history is the emitted log, versioned from 1.
          assert.deepEqual(history, log.map((e, i) => ({ version: i + 1, timestamp: e.timestamp, event: e.event })));
          // The temporal query at every version and at every time (and just before it) is the fold of what came until then.
          for (let version = 0; version <= log.length + 1; version++) {
            assert.deepEqual(stateAsOf(orderAggregate, history, { version }), rebuild(orderAggregate, log.slice(0, version).map((e) => e.event)));
          }
          for (const time of log.flatMap((e) => [e.timestamp - 1, e.timestamp])) {
            assert.deepEqual(stateAsOf(orderAggregate, history, { timestamp: time }), rebuild(orderAggregate, log.filter((e) => e.timestamp <= time).map((e) => e.event)));
          }
        }
      }),
    );
  });

  it('never emits an event after a terminal one, never both ships and cancels an order, never repeats a step', () => {
    fc.assert(
      fc.property(run, (steps) => {
        const { app } = orderApp();
        const driver = new TopologyTestDriver(app);
        const input = driver.inputTopic<string, OrderCommand>('order-commands');
        const snapshots = driver.keyValueStore<string, AggregateSnapshot<OrderState>>('order-state');
        for (const { orderId, timestamp, command: planned } of steps) input.pipe(orderId, concrete(planned, snapshots.get(orderId)?.state.totalMinor ?? 0), timestamp);
        const byOrder = new Map<string, OrderEvent['type'][]>();
        for (const [orderId, event] of driver.outputTopic<string, OrderEvent>('order-events').readKeyValues()) byOrder.set(orderId, [...(byOrder.get(orderId) ?? []), event.type]);
        for (const types of byOrder.values()) {
          const terminal = types.findIndex((t) => t === 'OrderCompleted' || t === 'OrderCancelled');
          assert.ok(terminal === -1 || terminal === types.length - 1, `events after a terminal one: ${types.join(', ')}`);
          assert.ok(!(types.includes('OrderShipped') && types.includes('OrderCancelled')), `shipped and cancelled: ${types.join(', ')}`);
          assert.equal(new Set(types).size, types.length, `a step repeated: ${types.join(', ')}`);
          assert.equal(types[0], 'OrderPlaced');
        }
      }),
    );
  });
});
