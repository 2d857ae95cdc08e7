import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import Fastify, { type FastifyInstance } from 'fastify';
import { createLogger } from '../../../runtime/logger.ts';
import { registerApiRoutes, type MountedApi } from '../../../runtime/http/apiRoutes.ts';
import type { StoreReader } from '../../../runtime/queries/storeReader.ts';
import type { OutboxRecord, OutboxWrite } from '../../../state/redis/commandOutbox.ts';
import { api } from '../../../topologies/orders/api.ts';
import { PROJECTION_STORES } from '../../../topologies/orders/orderProjections.ts';
import { orderTopic } from '../../../topologies/orders/orderTopics.ts';

/** The outbox's contract as a model: records appended, an idempotency key answered by its first write only. */
class OutboxModel {
  connected = true;
  readonly records: OutboxRecord[] = [];
  readonly answers = new Map<string, unknown>();

  async write(records: readonly OutboxRecord[], idempotency?: { key: string; response: unknown }): Promise<OutboxWrite> {
    if (idempotency && this.answers.has(idempotency.key)) return { written: false, response: this.answers.get(idempotency.key) };
    this.records.push(...records);
    if (idempotency) this.answers.set(idempotency.key, idempotency.response);
    return { written: true };
  }
}

/** Rows by store and key, as a StoreReader serves them. */
function storesWith(rows: Record<string, Record<string, unknown>>): StoreReader {
  return {
    get: async (store, key) => rows[store]?.[String(key)] as never,
    getWindow: async (store, key, windowStart) => rows[store]?.[`${String(key)}@${windowStart}`] as never,
  };
}

function placeOrder(orderId = randomUUID()) {
  return {
    orderId,
    customerId: 'c-1',
    items: [{ sku: 'SKU-1', name: 'Mug', quantity: 2, unitPriceMinor: 1250 }],
    currency: 'EUR',
    totalMinor: 2500,
    shippingAddress: { line1: 'Hauptstr. 1', city: 'Berlin', postalCode: '10115', country: 'DE' },
  };
}

async function serve(outbox: OutboxModel, stores: StoreReader = storesWith({})): Promise<FastifyInstance> {
  const server = Fastify();
  const mounted: MountedApi = { application: 'orders', api, stores: () => stores, outbox };
  registerApiRoutes(server, { apis: [mounted], logger: createLogger('silent') });
  await server.ready();
  return server;
}

describe('API routes', () => {
  it('answers every POST with one idempotency key with the first answer, and commits its records once', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.option(fc.constantFrom('k1', 'k2', 'k3'), { nil: undefined }), { minLength: 1, maxLength: 12 }), async (keys) => {
        const outbox = new OutboxModel();
        const server = await serve(outbox);
        const first = new Map<string, unknown>();
        for (const key of keys) {
          const response = await server.inject({ method: 'POST', url: '/commands/PlaceOrder', payload: placeOrder(), headers: key ? { 'idempotency-key': key } : {} });
          assert.equal(response.statusCode, 202);
          const body = response.json() as { orderId: string; eventId: string };
          if (key !== undefined && !first.has(key)) first.set(key, body);
          if (key !== undefined) assert.deepEqual(body, first.get(key));
        }
        const committed = keys.filter((k) => k === undefined).length + first.size;
        assert.equal(outbox.records.length, committed);
        // Each record is the OrderCreated its answer names.
        for (const answer of first.values()) {
          const { orderId, eventId } = answer as { orderId: string; eventId: string };
          assert.ok(outbox.records.some((r) => r.topic === orderTopic('orders.order.created').name && r.key === orderId && (r.value as { eventId: string }).eventId === eventId));
        }
        await server.close();
      }),
      { numRuns: 30 },
    );
  });

  it('refuses a command its schema refuses with 400 naming the field, and writes nothing', async () => {
    const outbox = new OutboxModel();
    const server = await serve(outbox);
    const response = await server.inject({ method: 'POST', url: '/commands/PlaceOrder', payload: { ...placeOrder(), currency: 'XXY' } });
    assert.equal(response.statusCode, 400);
    assert.equal(response.json().error, 'invalid PlaceOrder: currency: must be an ISO 4217 currency code such as EUR');
    assert.deepEqual(outbox.records, []);
  });

  it('answers 404 naming the known types for a command or query type no API registered', async () => {
    const server = await serve(new OutboxModel());
    const command = await server.inject({ method: 'POST', url: '/commands/ShipIt', payload: {} });
    assert.equal(command.statusCode, 404);
    assert.equal(command.json().error, "no command handler is registered for 'ShipIt'; known commands: CancelOrder, PlaceOrder");
    assert.equal((await server.inject({ method: 'GET', url: '/queries/ShipIt' })).statusCode, 404);
  });

  it('answers 503 and writes nothing while Redis is down', async () => {
    const outbox = new OutboxModel();
    outbox.connected = false;
    const server = await serve(outbox);
    assert.equal((await server.inject({ method: 'POST', url: '/commands/CancelOrder', payload: { orderId: randomUUID() } })).statusCode, 503);
    assert.equal((await server.inject({ method: 'GET', url: `/queries/GetOrder?orderId=${randomUUID()}` })).statusCode, 503);
    assert.deepEqual(outbox.records, []);
  });

  it('answers queries from the stores: the row, 404 when it is missing, 400 for bad parameters', async () => {
    const orderId = randomUUID();
    const summary = { orderId, customerId: 'c-1', status: 'RUNNING' };
    const day = Date.parse('2026-11-23T00:00:00Z');
    const server = await serve(
      new OutboxModel(),
      storesWith({
        [PROJECTION_STORES.summaries]: { [orderId]: { value: summary, timestamp: 1 } },
        [PROJECTION_STORES.revenuePerDay]: { [`EUR@${day}`]: { value: { orders: 2, amountMinor: 5000 }, timestamp: 1 } },
      }),
    );
    const found = await server.inject({ method: 'GET', url: `/queries/GetOrder?orderId=${orderId}` });
    assert.deepEqual([found.statusCode, found.json()], [200, summary]);
    const missing = randomUUID();
    const absent = await server.inject({ method: 'GET', url: `/queries/GetOrder?orderId=${missing}` });
    assert.deepEqual([absent.statusCode, absent.json()], [404, { error: `order ${missing} not found` }]);
    const bad = await server.inject({ method: 'GET', url: '/queries/RevenuePerDay?day=23.11.2026&currency=EUR' });
    assert.deepEqual([bad.statusCode, bad.json().error], [400, 'invalid RevenuePerDay: day: must be a date as YYYY-MM-DD']);
    const revenue = await server.inject({ method: 'GET', url: '/queries/RevenuePerDay?day=2026-11-23&currency=EUR' });
    assert.deepEqual(revenue.json(), { day: '2026-11-23', currency: 'EUR', orders: 2, amountMinor: 5000 });
    const none = await server.inject({ method: 'GET', url: '/queries/RevenuePerDay?day=2026-11-24&currency=EUR' });
    assert.deepEqual([none.statusCode, none.json()], [200, { day: '2026-11-24', currency: 'EUR', orders: 0, amountMinor: 0 }]);
  });
});
