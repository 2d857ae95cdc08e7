import assert from 'node:assert/strict';
import fc from 'fast-check';
import { dedupe } from '../../../processors/patterns/dedupe.ts';
import { TopologyError } from '../../../processors/topologyError.ts';
import { TopologyTestDriver } from '../../../runtime/topologyTestDriver.ts';
import type { OrderCreated, PaymentProcessed } from '../../../schemas/generated/types.ts';
import { testTopology } from '../processors/stringTopology.ts';

const MINUTE = 60_000;

const payment = (orderId: string, eventId: string): PaymentProcessed => ({
  eventId,
  paymentId: `pay-${orderId}`,
  orderId,
  status: 'PROCESSED',
  amountMinor: 2500,
  currency: 'EUR',
  failureReason: null,
  processedAt: 0,
});

function paymentsDeduped(ttlMs = 10 * MINUTE) {
  const app = testTopology('payments');
  dedupe(app.stream<string, PaymentProcessed>('payments.payment.processed'), (r) => r.value.eventId, ttlMs, { name: 'payment-events' }).to('payments.unique');
  const driver = new TopologyTestDriver(app);
  return { driver, input: driver.inputTopic<string, PaymentProcessed>('payments.payment.processed'), output: driver.outputTopic<string, PaymentProcessed>('payments.unique') };
}

describe('dedupe (idempotent consumer)', () => {
  it('forwards the first occurrence of an id unchanged and drops its repeats within the ttl of stream time, counting them', () => {
    const { driver, input, output } = paymentsDeduped();
    input.pipe('o1', payment('o1', 'e1'), 1_000, { source: 'first' });
    input.pipe('o1', payment('o1', 'e1'), 2_000, { source: 'replay' });
    input.pipe('o1', payment('o1', 'e2'), 3_000);
    assert.deepEqual(output.readRecords(), [
      { key: 'o1', value: payment('o1', 'e1'), timestamp: 1_000, headers: { source: 'first' } },
      { key: 'o1', value: payment('o1', 'e2'), timestamp: 3_000, headers: {} },
    ]);
    assert.deepEqual(driver.droppedRecords(), [{ node: 'payment-events', reason: 'duplicate' }]);
  });

  it('forgets an id once stream time has passed its last sighting by more than the ttl', () => {
    const { input, output } = paymentsDeduped(MINUTE);
    input.pipe('o1', payment('o1', 'e1'), 0);
    input.pipe('o2', payment('o2', 'tick-1'), MINUTE); // stream time moves on: e1 at 0 is exactly ttl old, still remembered
    input.pipe('o1', payment('o1', 'e1'), MINUTE); // dropped, and seen again at MINUTE
    input.pipe('o2', payment('o2', 'tick-2'), 2 * MINUTE);
    input.pipe('o1', payment('o1', 'e1'), 2 * MINUTE); // dropped: its sighting at MINUTE is exactly ttl old
    input.pipe('o2', payment('o2', 'tick-3'), 3 * MINUTE + 1);
    input.pipe('o1', payment('o1', 'e1'), 3 * MINUTE + 1); // last seen at 2 × MINUTE: forgotten
    assert.deepEqual(
      output.readRecords().map((r) => [r.value.eventId, r.timestamp]),
      [['e1', 0], ['tick-1', MINUTE], ['tick-2', 2 * MINUTE], ['tick-3', 3 * MINUTE + 1], ['e1', 3 * MINUTE + 1]],
    );
  });

  it('drops a late repeat whose id was seen since, and forwards a record without an id', () => {
    const app = testTopology('created');
    dedupe(app.stream<string, OrderCreated>('orders.order.created'), (r) => r.headers['tributary.id'], MINUTE).to('out');
    const driver = new TopologyTestDriver(app);
    const input = driver.inputTopic<string, string>('orders.order.created');
    input.pipe('o1', 'a', 5 * MINUTE, { 'tributary.id': 'orders/0/7/0' });
    input.pipe('o1', 'a', 0, { 'tributary.id': 'orders/0/7/0' }); // a replay with an old timestamp
    input.pipe('o1', 'b', 5 * MINUTE);
    input.pipe('o1', 'b', 5 * MINUTE);
    assert.deepEqual(driver.outputTopic<string, string>('out').readValues(), ['a', 'b', 'b']);
  });

  it('repartitions a stream whose keys may have changed, so that equal keys meet', () => {
    const app = testTopology('rekeyed');
    const byEvent = app.stream<string, PaymentProcessed>('payments.payment.processed').selectKey((_order, p) => p.eventId);
    dedupe(byEvent, (r) => r.key, MINUTE, { name: 'by-event' }).to('out');
    const topology = app.build();
    assert.deepEqual(topology.internalTopics.map((t) => t.name), ['rekeyed-by-event-repartition']);
    assert.deepEqual(topology.stores.get('by-event-store'), { name: 'by-event-store', kind: 'window', retentionMs: MINUTE + 1, internal: true }); // keeps a sighting exactly ttl old
    const driver = new TopologyTestDriver(topology);
    const input = driver.inputTopic<string, PaymentProcessed>('payments.payment.processed');
    input.pipe('o1', payment('o1', 'e1'), 0);
    input.pipe('o2', payment('o2', 'e1'), 0);
    assert.deepEqual(driver.outputTopic<string, PaymentProcessed>('out').readKeyValues().map(([k, p]) => [k, p.orderId]), [['e1', 'o1']]);
  });

  it('refuses a ttl that is not positive', () => {
    const app = testTopology();
    assert.throws(() => dedupe(app.stream<string, string>('in'), (r) => r.value, 0), (e: unknown) => e instanceof TopologyError && /ttlMs must be positive/.test(e.message));
  });

  it('forwards exactly what a naive model forwards: repeats of a key and id seen within ttl of stream time are dropped', () => {
    const record = fc.record({ key: fc.constantFrom('o1', 'o2', 'o3'), id: fc.constantFrom('e1', 'e2', 'e3'), timestamp: fc.integer({ min: 0, max: 500 }) });
    fc.assert(
      fc.property(fc.array(record, { maxLength: 60 }), fc.integer({ min: 1, max: 200 }), (records, ttl) => {
        const app = testTopology('model');
        dedupe(app.stream<string, { id: string; n: number }>('in'), (r) => r.value.id, ttl).to('out');
        const driver = new TopologyTestDriver(app);
        const input = driver.inputTopic<string, { id: string; n: number }>('in');
        records.forEach(({ key, id, timestamp }, n) => input.pipe(key, { id, n }, timestamp));
        const forwarded = driver.outputTopic<string, { id: string; n: number }>('out').readValues().map((v) => v.n);

        // The model keeps every sighting for good and asks whether one is recent enough.
        const sightings: Array<{ key: string; id: string; at: number }> = [];
        let streamTime = -1;
        const expected: number[] = [];
        records.forEach(({ key, id, timestamp }, n) => {
          streamTime = Math.max(streamTime, timestamp);
          const oldest = streamTime - ttl;
          if (!sightings.some((s) => s.key === key && s.id === id && s.at >= oldest)) expected.push(n);
          if (timestamp >= oldest) sightings.push({ key, id, at: timestamp });
        });
        assert.deepEqual(forwarded, expected);
      }),
      { numRuns: 300 },
    );
  });
});
