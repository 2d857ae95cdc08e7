import assert from 'node:assert/strict';
import fc from 'fast-check';
import { loadCatalogue, TopologyTestDriver, type AggregateSnapshot, type CancelOrder, type OrderCreated, type OrderItem, type TopicValues, type TopologyBuilder } from '../../../index.ts';
import { ORDER_AGGREGATE, orderAggregateTopology, type OrderState } from '../../../topologies/orders/aggregate.ts';
import { inventoryPolicy } from '../../../topologies/orders/choreography/inventoryPolicy.ts';
import { notificationPolicy } from '../../../topologies/orders/choreography/notificationPolicy.ts';
import { decideCancellation, NOTHING_KNOWN, orderPolicy, type FailedStep, type OrderCancellation, type OrderFact, type OrderTimedOut } from '../../../topologies/orders/choreography/orderPolicy.ts';
import { paymentPolicy } from '../../../topologies/orders/choreography/paymentPolicy.ts';
import { shippingPolicy } from '../../../topologies/orders/choreography/shippingPolicy.ts';
import { orderSaga } from '../../../topologies/orders/orderSaga.ts';
import { orderTopic, orderTopicPrefix, type OrderTopic } from '../../../topologies/orders/orderTopics.ts';
import { inventoryService } from '../../../topologies/orders/services/inventoryService.ts';
import { notificationService } from '../../../topologies/orders/services/notificationService.ts';
import { paymentService } from '../../../topologies/orders/services/paymentService.ts';
import type { ServiceBehaviour } from '../../../topologies/orders/services/serviceBehaviour.ts';
import { shippingService } from '../../../topologies/orders/services/shippingService.ts';

// The choreographed order flow: the five policies and the four services (and the order
// service, which announces cancellations) run together, each in its own test driver, the
// records one writes delivered to the others that read them, as a broker would.

/** One record written to a catalogued topic, by a topology (`writer`) or from outside. */
interface Written {
  readonly topic: string;
  readonly key: unknown;
  readonly value: unknown;
  readonly timestamp: number;
  readonly writer?: TopologyTestDriver;
}

const CATALOGUED_TOPICS = loadCatalogue(undefined, { topicPrefix: orderTopicPrefix }).entries.map((e) => e.topic);

/**
 * Topologies run together in-process: what one writes to a catalogued topic is delivered to
 * the others that read it, first written first (a topology's own repartition topics stay
 * inside its driver, which feeds them back itself). Each delivery happens `deliveries`
 * times, as an at-least-once consumer may redeliver. With `readPace` (a random source in
 * [0, 1)) each topology reads at a pace of its own instead, as on a broker: the next record
 * read is a random topology's next record of a random topic it has records of (each topic
 * read in order), so one may read a record long after another read it, and after records of
 * other topics written later.
 */
class DriverLoop {
  /** Every record written to a catalogued topic, in delivery order (with `readPace`, in the order written). */
  readonly log: Written[] = [];
  private readonly drivers: TopologyTestDriver[];
  /** With `readPace`: each topology's records not read yet, first written first. */
  private readonly unread = new Map<TopologyTestDriver, Written[]>();

  constructor(
    topologies: readonly TopologyBuilder[],
    private readonly deliveries = 1,
    private readonly readPace?: () => number,
  ) {
    this.drivers = topologies.map((t) => new TopologyTestDriver(t));
    for (const driver of this.drivers) this.unread.set(driver, []);
  }

  /** Records written and not delivered yet, first written first. */
  private readonly pending: Written[] = [];

  /** Publishes a record from outside, then delivers everything it sets off. */
  publish<T extends OrderTopic>(topic: T, key: string, value: TopicValues[T], timestamp = 0): void {
    this.enqueue(topic, key, value, timestamp);
    this.deliver();
  }

  /** Publishes a record from outside, to be delivered after those pending. */
  enqueue<T extends OrderTopic>(topic: T, key: string, value: TopicValues[T], timestamp = 0): void {
    this.pending.push({ topic: orderTopic(topic).name, key, value, timestamp });
  }

  /** Moves every topology's wall clock forward, then delivers what their punctuations wrote. */
  advanceWallClockTime(ms: number): void {
    for (const driver of this.drivers) driver.advanceWallClockTime(ms);
    this.deliver();
  }

  /** Delivers up to `limit` pending records, and what they set off meanwhile; false once nothing is pending. */
  deliver(limit = Infinity): boolean {
    if (this.readPace) return this.readAtOwnPace(limit, this.readPace);
    this.pending.push(...this.written());
    for (let delivered = 0; delivered < limit && this.pending.length > 0; delivered++) {
      const next = this.pending.shift()!;
      this.log.push(next);
      for (const reader of this.readersOf(next)) this.read(reader, next);
      this.pending.push(...this.written());
    }
    return this.pending.length > 0;
  }

  private readAtOwnPace(limit: number, random: () => number): boolean {
    const share = () => {
      for (const record of [...this.pending.splice(0), ...this.written()]) {
        this.log.push(record);
        for (const reader of this.readersOf(record)) this.unread.get(reader)!.push(record);
      }
    };
    const pick = <T>(from: readonly T[]): T => from[Math.floor(random() * from.length)]!;
    share();
    for (let delivered = 0; delivered < limit; delivered++) {
      const readers = this.drivers.filter((d) => this.unread.get(d)!.length > 0);
      if (readers.length === 0) break;
      const reader = pick(readers);
      const unread = this.unread.get(reader)!;
      const topic = pick([...new Set(unread.map((r) => r.topic))]);
      const next = unread.splice(unread.findIndex((r) => r.topic === topic), 1)[0]!;
      this.read(reader, next);
      share();
    }
    return this.drivers.some((d) => this.unread.get(d)!.length > 0);
  }

  private readersOf(record: Written): TopologyTestDriver[] {
    return this.drivers.filter((reader) => reader !== record.writer && reader.topology.subtopologies.some((s) => s.sourceTopics.includes(record.topic)));
  }

  private read(reader: TopologyTestDriver, record: Written): void {
    for (let i = 0; i < this.deliveries; i++) reader.inputTopic(record.topic).pipe(record.key, record.value, record.timestamp);
  }

  /** Where the Order aggregate (the order service) has an order now. */
  orderStatus(orderId: string): OrderState['status'] | undefined {
    const holder = this.drivers.find((d) => d.topology.stores.has(ORDER_AGGREGATE.stores.state))!;
    return holder.keyValueStore<string, AggregateSnapshot<OrderState>>(ORDER_AGGREGATE.stores.state).get(orderId)?.state.status;
  }

  /** What the topologies wrote to catalogued topics since the last look. */
  private written(): Written[] {
    return this.drivers.flatMap((writer) => CATALOGUED_TOPICS.flatMap((topic) => writer.outputTopic(topic).readRecords().map((r) => ({ topic, key: r.key, value: r.value, timestamp: r.timestamp, writer }))));
  }
}

const COMMAND_TOPICS: readonly OrderTopic[] = [
  'payments.payment.process',
  'inventory.stock.reserve',
  'shipping.shipment.initiate',
  'notifications.notification.send',
  'inventory.stock.release',
  'payments.payment.refund',
  'orders.order.cancel',
];

/** A command as the services see it, without what differs between two issuers of the same command (its id, saga id and time). */
interface IssuedCommand {
  readonly topic: string;
  readonly key: unknown;
  readonly command: Record<string, unknown>;
}

/** The commands issued per order, in the order they were issued. */
function commandsPerOrder(log: readonly Written[]): Map<string, IssuedCommand[]> {
  const commandTopics = new Set(COMMAND_TOPICS.map((t) => orderTopic(t).name));
  const perOrder = new Map<string, IssuedCommand[]>();
  for (const { topic, key, value } of log) {
    if (!commandTopics.has(topic)) continue;
    const { commandId: _id, sagaId: _saga, issuedAt: _at, ...command } = value as { orderId: string } & Record<string, unknown>;
    const { orderId } = command;
    perOrder.set(orderId, [...(perOrder.get(orderId) ?? []), { topic, key, command }]);
  }
  return perOrder;
}

/** A command's topic, with the kind of notification or the reason of a cancellation: enough to read a flow at a glance. */
function label({ topic, command }: IssuedCommand): string {
  const name = topicOf(topic);
  const detail = name === 'notifications.notification.send' ? command.kind : name === 'orders.order.cancel' ? command.reason : undefined;
  return detail === undefined ? name : `${name} ${String(detail)}`;
}

function topicOf(fullName: string): string {
  return COMMAND_TOPICS.find((t) => orderTopic(t).name === fullName) ?? fullName;
}

const instant: ServiceBehaviour = { failureRate: 0, latencyMs: 0 };

interface ServiceRates {
  readonly payment: number;
  readonly inventory: number;
  readonly shipping: number;
}

type ServiceName = 'payment' | 'inventory' | 'shipping' | 'notification';

/** The services (and the order service), all but those left out. */
function services(rates: ServiceRates = { payment: 0, inventory: 0, shipping: 0 }, without: readonly ServiceName[] = []): TopologyBuilder[] {
  const all: Record<ServiceName, () => TopologyBuilder> = {
    payment: () => paymentService({ ...instant, failureRate: rates.payment }),
    inventory: () => inventoryService({ ...instant, failureRate: rates.inventory }),
    shipping: () => shippingService({ ...instant, failureRate: rates.shipping }),
    notification: () => notificationService(instant),
  };
  return [...Object.entries(all).flatMap(([name, make]) => (without.includes(name as ServiceName) ? [] : [make()])), orderAggregateTopology({ flow: 'choreographed' })];
}

const DEADLINE_MS = 60_000;

const policies = (): TopologyBuilder[] => [paymentPolicy(), inventoryPolicy(), shippingPolicy(), notificationPolicy(), orderPolicy({ deadlineMs: DEADLINE_MS, punctuationIntervalMs: 1_000 })];

function choreographed(options: { rates?: ServiceRates; deliveries?: number; without?: readonly ServiceName[]; readPace?: () => number } = {}): DriverLoop {
  return new DriverLoop([...policies(), ...services(options.rates, options.without)], options.deliveries, options.readPace);
}

/** A seeded random source in [0, 1) (mulberry32). */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

function orchestrated(rates?: ServiceRates): DriverLoop {
  return new DriverLoop([orderSaga({ stepTimeoutMs: 3_600_000, attempts: 1, backoffMs: 0 }), ...services(rates)]);
}

const address = (country: string) => ({ line1: 'Main St 1', line2: null, city: 'Berlin', postalCode: '10115', country });

function order(orderId: string, options: { customerId?: string; skus?: readonly string[]; country?: string } = {}): OrderCreated {
  const items: OrderItem[] = (options.skus ?? ['BOOK-1', 'PEN-2']).map((sku, i) => ({ sku, name: sku.toLowerCase(), quantity: i + 1, unitPriceMinor: 500 }));
  return {
    eventId: `${orderId}-created`,
    orderId,
    customerId: options.customerId ?? 'c1',
    items,
    currency: 'EUR',
    totalMinor: items.reduce((sum, item) => sum + item.quantity * item.unitPriceMinor, 0),
    shippingAddress: address(options.country ?? 'DE'),
    groupCheckoutId: null,
    createdAt: 1_000,
  };
}

function place(loop: DriverLoop, created: OrderCreated): void {
  loop.publish('orders.order.created', created.orderId, created, created.createdAt);
}

function flowOf(loop: DriverLoop, orderId: string): string[] {
  return (commandsPerOrder(loop.log).get(orderId) ?? []).map(label);
}

function commandOf(loop: DriverLoop, orderId: string, topic: OrderTopic): IssuedCommand {
  const found = (commandsPerOrder(loop.log).get(orderId) ?? []).filter((c) => c.topic === orderTopic(topic).name);
  assert.equal(found.length, 1, `one ${topic} for ${orderId}`);
  return found[0]!;
}

describe('choreographed order flow', () => {
  it('happy path: charges, reserves the order items, ships to its address and tells the customer, with no orchestrator', () => {
    const loop = choreographed();
    const created = order('o1');
    place(loop, created);
    assert.deepEqual(flowOf(loop, 'o1'), ['payments.payment.process', 'inventory.stock.reserve', 'shipping.shipment.initiate', 'notifications.notification.send ORDER_SHIPPED']);
    assert.deepEqual(commandOf(loop, 'o1', 'payments.payment.process').command, { orderId: 'o1', customerId: 'c1', amountMinor: created.totalMinor, currency: 'EUR' });
    assert.deepEqual(commandOf(loop, 'o1', 'inventory.stock.reserve').command.items, [{ sku: 'BOOK-1', quantity: 1 }, { sku: 'PEN-2', quantity: 2 }]);
    assert.deepEqual(commandOf(loop, 'o1', 'shipping.shipment.initiate').command.address, created.shippingAddress);
    const notice = commandOf(loop, 'o1', 'notifications.notification.send');
    assert.deepEqual([notice.key, notice.command.customerId], ['c1', 'c1']);
    // Every command is keyed by its order, but the notification, by its customer.
    for (const { topic, key } of commandsPerOrder(loop.log).get('o1')!) if (topic !== orderTopic('notifications.notification.send').name) assert.equal(key, 'o1');
    assert.equal(loop.orderStatus('o1'), 'completed', 'the order service completes the order once its customer is told it shipped');
  });

  it('payment declined: cancels the order (PAYMENT_FAILED) with nothing to undo, and the customer is told', () => {
    const loop = choreographed();
    place(loop, order('o1', { customerId: 'declined-1' }));
    assert.deepEqual(flowOf(loop, 'o1'), ['payments.payment.process', 'orders.order.cancel PAYMENT_FAILED', 'notifications.notification.send ORDER_CANCELLED']);
    assert.equal(commandOf(loop, 'o1', 'notifications.notification.send').key, 'declined-1');
  });

  it('out of stock: refunds what was charged, then cancels the order (INVENTORY_UNAVAILABLE)', () => {
    const loop = choreographed();
    const created = order('o1', { skus: ['BOOK-1', 'SOLDOUT-9'] });
    place(loop, created);
    assert.deepEqual(flowOf(loop, 'o1'), ['payments.payment.process', 'inventory.stock.reserve', 'payments.payment.refund', 'orders.order.cancel INVENTORY_UNAVAILABLE', 'notifications.notification.send ORDER_CANCELLED']);
    const charged = loop.log.find((w) => w.topic === orderTopic('payments.payment.processed').name)!.value as TopicValues['payments.payment.processed'];
    assert.deepEqual(commandOf(loop, 'o1', 'payments.payment.refund').command, { orderId: 'o1', paymentId: charged.paymentId, amountMinor: created.totalMinor, currency: 'EUR', reason: 'inventory failed' });
  });

  it('shipping failure: releases the stock, then refunds, then cancels the order (SHIPPING_FAILED), as the orchestrated saga does', () => {
    const loop = choreographed();
    place(loop, order('o1', { country: 'ZZ' }));
    assert.deepEqual(flowOf(loop, 'o1'), [
      'payments.payment.process',
      'inventory.stock.reserve',
      'shipping.shipment.initiate',
      'inventory.stock.release',
      'payments.payment.refund',
      'orders.order.cancel SHIPPING_FAILED',
      'notifications.notification.send ORDER_CANCELLED',
    ]);
    const reserved = loop.log.find((w) => w.topic === orderTopic('inventory.stock.reserved').name)!.value as TopicValues['inventory.stock.reserved'];
    assert.equal(commandOf(loop, 'o1', 'inventory.stock.release').command.reservationId, reserved.reservationId);
  });

  it('shipping failure: the refund waits for the release to be acknowledged, and the cancellation for the refund', () => {
    // No inventory service: a reservation is never answered, so publish its answer by hand, and never acknowledge the release.
    const loop = choreographed({ without: ['inventory'] });
    place(loop, order('o1', { country: 'ZZ' }));
    assert.deepEqual(flowOf(loop, 'o1'), ['payments.payment.process', 'inventory.stock.reserve']);
    loop.publish('inventory.stock.reserved', 'o1', { eventId: 'e-reserved', orderId: 'o1', reservationId: 'r1', items: [], expiresAt: null, reservedAt: 2_000 });
    assert.deepEqual(flowOf(loop, 'o1').slice(2), ['shipping.shipment.initiate', 'inventory.stock.release']);
    loop.publish('inventory.stock.released', 'o1', { eventId: 'e-released', orderId: 'o1', reservationId: 'r1', items: [], reason: 'shipping failed', releasedAt: 3_000 });
    assert.deepEqual(flowOf(loop, 'o1').slice(4), ['payments.payment.refund', 'orders.order.cancel SHIPPING_FAILED', 'notifications.notification.send ORDER_CANCELLED']);
  });

  it('duplicate events: every record delivered twice issues each command once, the same as delivered once', () => {
    const orders = [order('o1'), order('o2', { customerId: 'declined-2' }), order('o3', { skus: ['SOLDOUT-1'] }), order('o4', { country: 'ZZ' })];
    const once = choreographed();
    const twice = choreographed({ deliveries: 2 });
    for (const created of orders) {
      place(once, created);
      place(twice, created);
      place(twice, created);
    }
    assert.deepEqual(commandsPerOrder(twice.log), commandsPerOrder(once.log));
  });

  describe('a service that never answers, and cancellations mid-flow', () => {
    const reservedLate = (reservedAt: number): TopicValues['inventory.stock.reserved'] => ({ eventId: 'e-late', orderId: 'o1', reservationId: 'r1', items: [], expiresAt: null, reservedAt });

    it('cancels the order (STEP_TIMED_OUT) at its deadline, not before, refunds it, and releases a reservation that comes late without shipping it', () => {
      const loop = choreographed({ without: ['inventory'] });
      place(loop, order('o1'));
      loop.advanceWallClockTime(DEADLINE_MS - 1_000);
      assert.deepEqual(flowOf(loop, 'o1'), ['payments.payment.process', 'inventory.stock.reserve']);
      loop.advanceWallClockTime(1_000);
      assert.deepEqual(flowOf(loop, 'o1').slice(2), ['orders.order.cancel STEP_TIMED_OUT', 'payments.payment.refund', 'notifications.notification.send ORDER_CANCELLED']);
      assert.equal(commandOf(loop, 'o1', 'orders.order.cancel').command.detail, 'not shipped in time');
      loop.publish('inventory.stock.reserved', 'o1', reservedLate(DEADLINE_MS + 5_000));
      loop.advanceWallClockTime(DEADLINE_MS);
      assert.deepEqual(flowOf(loop, 'o1').slice(5), ['inventory.stock.release']);
    });

    it('a customer cancellation while the reservation is awaited refunds at once, releases the late reservation, ships nothing and needs no deadline', () => {
      const loop = choreographed({ without: ['inventory'] });
      place(loop, order('o1'));
      loop.publish('orders.order.cancel', 'o1', { commandId: 'k1', sagaId: '', orderId: 'o1', reason: 'CUSTOMER_REQUEST', detail: null, issuedAt: 2_000 });
      loop.publish('inventory.stock.reserved', 'o1', reservedLate(3_000));
      loop.advanceWallClockTime(2 * DEADLINE_MS);
      assert.deepEqual(flowOf(loop, 'o1'), [
        'payments.payment.process',
        'inventory.stock.reserve',
        'orders.order.cancel CUSTOMER_REQUEST',
        'payments.payment.refund',
        'notifications.notification.send ORDER_CANCELLED',
        'inventory.stock.release',
      ]);
    });

    it('a customer cancellation while the shipment is awaited releases the stock, then refunds', () => {
      const loop = choreographed({ without: ['shipping'] });
      place(loop, order('o1'));
      loop.log.length = 0;
      loop.publish('orders.order.cancel', 'o1', { commandId: 'k1', sagaId: '', orderId: 'o1', reason: 'CUSTOMER_REQUEST', detail: null, issuedAt: 2_000 });
      assert.deepEqual(flowOf(loop, 'o1'), ['orders.order.cancel CUSTOMER_REQUEST', 'inventory.stock.release', 'notifications.notification.send ORDER_CANCELLED', 'payments.payment.refund']);
      assert.equal(commandOf(loop, 'o1', 'payments.payment.refund').command.reason, 'order cancelled: CUSTOMER_REQUEST');
    });
  });

  it('with silent services, customers cancelling at any moment and topologies reading at their own pace, every order ends shipped or cancelled, each compensation at most once and exactly when something is to undo (property)', () => {
    const orderArbitrary = fc.record({
      spec: fc.record({ customerId: fc.constantFrom('c1', 'declined-1'), skus: fc.constantFrom(['BOOK-1'], ['SOLDOUT-9']), country: fc.constantFrom('DE', 'ZZ') }),
      cancelAfter: fc.option(fc.nat({ max: 40 }), { nil: null }),
    });
    const silent = fc.subarray<ServiceName>(['payment', 'inventory', 'shipping']);
    fc.assert(
      fc.property(fc.array(orderArbitrary, { minLength: 1, maxLength: 4 }), silent, fc.constantFrom(1, 2), fc.option(fc.integer(), { nil: null }), (planned, without, deliveries, pace) => {
        // Records read as written, or by each topology at its own pace.
        const loop = choreographed({ without, deliveries, ...(pace === null ? {} : { readPace: seeded(pace) }) });
        const orders = planned.map(({ spec }, i) => order(`o${i}`, spec));
        for (const created of orders) loop.enqueue('orders.order.created', created.orderId, created, created.createdAt);
        for (let step = 0; loop.deliver(1) || step <= 40; step++) {
          for (const [i, { cancelAfter }] of planned.entries()) {
            if (cancelAfter === step) loop.enqueue('orders.order.cancel', `o${i}`, { commandId: `customer-${i}`, sagaId: '', orderId: `o${i}`, reason: 'CUSTOMER_REQUEST', detail: null, issuedAt: 2_000 });
          }
        }
        loop.advanceWallClockTime(DEADLINE_MS);
        for (const { orderId } of orders) {
          const recordsOf = (topic: OrderTopic, when: (value: Record<string, unknown>) => boolean = () => true) =>
            loop.log.map((w) => w.value as Record<string, unknown>).filter((value, i) => loop.log[i]!.topic === orderTopic(topic).name && value.orderId === orderId && when(value));
          // Commands are counted as written; the services' events by id, as a redelivered command is answered again with the same event.
          const of = (topic: OrderTopic, when?: (value: Record<string, unknown>) => boolean) => recordsOf(topic, when).length;
          const happened = (topic: OrderTopic, when?: (value: Record<string, unknown>) => boolean) => new Set(recordsOf(topic, when).map((e) => e.eventId)).size;
          const cancelled = of('orders.order.cancelled');
          const shipped = happened('shipping.shipment.initiated');
          const charged = happened('payments.payment.processed', (p) => p.status === 'PROCESSED') > 0;
          const reserved = happened('inventory.stock.reserved') > 0;
          const story = loop.log.filter((w) => (w.value as { orderId?: string }).orderId === orderId).map((w) => w.topic).join(', ');
          assert.ok(cancelled === 1 || (cancelled === 0 && shipped === 1), `${orderId} ends shipped or cancelled, once: ${story}`);
          assert.ok(cancelled ? ['cancelled', 'compensated'].includes(loop.orderStatus(orderId)!) : loop.orderStatus(orderId) === 'completed', `${orderId}: the order service ends it as it ended: ${story}`);
          assert.ok(of('orders.order.cancel', (c) => !String(c.commandId).startsWith('customer-')) <= 1, `${orderId}: the order policy cancels once at most: ${story}`);
          assert.equal(of('payments.payment.refund'), cancelled && charged ? 1 : 0, `${orderId}: refunded once if charged and cancelled: ${story}`);
          assert.equal(of('inventory.stock.release'), cancelled && reserved ? 1 : 0, `${orderId}: released once if reserved and cancelled: ${story}`);
          assert.equal(of('notifications.notification.send', (n) => n.kind === 'ORDER_CANCELLED'), cancelled, `${orderId}: told of its cancellation: ${story}`);
        }
      }),
      { numRuns: 80 },
    );
  });

  it('issues the commands of the orchestrated saga, per order and in order, with the same outcome, whether events are redelivered or not (property)', () => {
    const orderArbitrary = fc.record({
      customerId: fc.constantFrom('c1', 'c2', 'declined-1'),
      skus: fc.array(fc.constantFrom('BOOK-1', 'PEN-2', 'MUG-3', 'SOLDOUT-9'), { minLength: 1, maxLength: 3 }),
      country: fc.constantFrom('DE', 'FR', 'ZZ'),
    });
    const rate = fc.constantFrom(0, 0.3, 1);
    fc.assert(
      fc.property(fc.array(orderArbitrary, { minLength: 1, maxLength: 6 }), fc.record({ payment: rate, inventory: rate, shipping: rate }), fc.constantFrom(1, 2), (specs, rates, deliveries) => {
        const orders = specs.map((spec, i) => order(`o${i}`, spec));
        // Redelivered or not, the choreography issues what the orchestration does.
        const choreography = choreographed({ rates, deliveries });
        const orchestration = orchestrated(rates);
        for (const created of orders) {
          place(choreography, created);
          place(orchestration, created);
        }
        // The cancellation notice is the choreography's own: the orchestrated saga sends none.
        const isCancellationNotice = (c: IssuedCommand) => c.command.kind === 'ORDER_CANCELLED';
        const choreographedCommands = new Map([...commandsPerOrder(choreography.log)].map(([id, commands]) => [id, commands.filter((c) => !isCancellationNotice(c))]));
        assert.deepEqual(choreographedCommands, commandsPerOrder(orchestration.log));
        for (const created of orders) {
          const flow = flowOf(choreography, created.orderId);
          const cancellations = flow.filter((c) => c.startsWith('orders.order.cancel'));
          const shipped = flow.includes('notifications.notification.send ORDER_SHIPPED');
          assert.ok(shipped !== (cancellations.length === 1) && cancellations.length <= 1, `${created.orderId} ends once: ${flow.join(', ')}`);
        }
      }),
      { numRuns: 60 },
    );
  });
});

describe('choreographed order flow, each topology reading its topics at its own pace', () => {
  // On a broker a topology reads each topic at its own pace: it may read a record of one topic
  // before an earlier record of another (a payment before the order, a shipment's failure
  // before the reservation). A decision that needs the earlier fact waits for it.
  const orderArbitrary = fc.record({
    customerId: fc.constantFrom('c1', 'declined-1'),
    skus: fc.constantFrom(['BOOK-1'], ['BOOK-1', 'SOLDOUT-9']),
    country: fc.constantFrom('DE', 'ZZ'),
  });

  it('ends every order as when each record is read as soon as it is written, with the same commands, each compensation once (property)', () => {
    fc.assert(
      fc.property(fc.array(orderArbitrary, { minLength: 1, maxLength: 4 }), fc.integer(), (specs, seed) => {
        const orders = specs.map((spec, i) => order(`o${i}`, spec));
        const asWritten = choreographed();
        const atOwnPace = choreographed({ readPace: seeded(seed) });
        for (const created of orders) {
          place(asWritten, created);
          place(atOwnPace, created);
        }
        const sorted = (loop: DriverLoop, orderId: string) => flowOf(loop, orderId).sort();
        for (const { orderId } of orders) {
          assert.equal(atOwnPace.orderStatus(orderId), asWritten.orderStatus(orderId), `${orderId}: ${flowOf(atOwnPace, orderId).join(', ')}`);
          assert.deepEqual(sorted(atOwnPace, orderId), sorted(asWritten, orderId), orderId);
        }
      }),
      { numRuns: 100 },
    );
  });
});

describe('order policy: when an order is cancelled', () => {
  const eventId = fc.constantFrom('e1', 'e2', 'e3');
  const fact: fc.Arbitrary<OrderFact | OrderTimedOut> = fc.oneof(
    fc.record({ type: fc.constant('failed' as const), step: fc.constantFrom<FailedStep>('payment', 'inventory', 'shipping'), eventId, at: fc.nat() }),
    fc.record({ type: fc.constantFrom('refunded' as const, 'shipped' as const, 'cancelled' as const), eventId, at: fc.nat() }),
    fc.record({ type: fc.constant('timed-out' as const), at: fc.nat() }),
  );
  const REASON = { payment: 'PAYMENT_FAILED', inventory: 'INVENTORY_UNAVAILABLE', shipping: 'SHIPPING_FAILED' } as const;

  it('cancels once: for the first failure once it needs nothing undone or the refund came, or at the deadline; never once shipped or cancelled by another (property)', () => {
    fc.assert(
      fc.property(fc.array(fact, { maxLength: 10 }), (facts) => {
        const cancels: Array<{ at: number; cancel: CancelOrder }> = [];
        let known: OrderCancellation = NOTHING_KNOWN;
        for (const [i, f] of facts.entries()) {
          const decision = decideCancellation('o1', known, f);
          known = decision.known;
          if (decision.cancel) cancels.push({ at: i, cancel: decision.cancel });
        }
        // The naive model: the first moment a cancellation is due, unless the order was settled by someone else before.
        const firstFailureUpTo = (i: number) => facts.slice(0, i + 1).find((f) => f.type === 'failed');
        const compensatedAt = (i: number) => {
          const failure = firstFailureUpTo(i);
          return failure !== undefined && (failure.step === 'payment' || facts.slice(0, i + 1).some((f) => f.type === 'refunded'));
        };
        const due = facts.findIndex((f, i) => compensatedAt(i) || f.type === 'timed-out');
        const settledByOthers = facts.findIndex((f) => f.type === 'shipped' || f.type === 'cancelled');
        const decided = due >= 0 && (settledByOthers < 0 || due < settledByOthers);
        assert.equal(known.settled, decided || settledByOthers >= 0);
        if (!decided) return assert.deepEqual(cancels, []);
        const failure = firstFailureUpTo(due);
        const detail = compensatedAt(due) ? `${failure!.step} failed` : failure ? `${failure.step} failed, not compensated in time` : 'not shipped in time';
        assert.deepEqual(
          cancels.map(({ at, cancel }) => [at, cancel.reason, cancel.detail, cancel.issuedAt]),
          [[due, failure ? REASON[failure.step] : 'STEP_TIMED_OUT', detail, facts[due]!.at]],
        );
      }),
    );
  });

  it('derives the command id from the event that decided it, so a replay issues the same command', () => {
    const failed: OrderFact = { type: 'failed', step: 'payment', eventId: 'e1', at: 5 };
    assert.deepEqual(decideCancellation('o1', NOTHING_KNOWN, failed).cancel, decideCancellation('o1', NOTHING_KNOWN, failed).cancel);
    assert.notEqual(decideCancellation('o1', NOTHING_KNOWN, failed).cancel!.commandId, decideCancellation('o1', NOTHING_KNOWN, { ...failed, eventId: 'e2' }).cancel!.commandId);
  });
});
