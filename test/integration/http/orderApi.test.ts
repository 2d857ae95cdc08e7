import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel } from 'kafkajs';
import { loadConnectionConfig } from '../../../runtime/config.ts';
import { orderCatalogue } from '../../../runtime/demo/orderCatalogue.ts';
import { prepareOrderTopics } from '../../../runtime/demo/orderTopicSetup.ts';
import { defaultPartition } from '../../../runtime/queries/defaultPartitioner.ts';
import { closeRedis, connectRedis } from '../../../state/redis/redisConnection.ts';
import { clearNamespace } from '../../../state/redis/stateNamespace.ts';
import { orderProjections, PROJECTION_STORES } from '../../../topologies/orders/orderProjections.ts';

const REPO = fileURLToPath(new URL('../../..', import.meta.url));
const MODULE = 'topologies/orders/orderProjections.ts';
const PARTITIONS = 2;
const connection = loadConnectionConfig();

/** A `tributary run` of the projections with the order API: its HTTP port and the tasks it last said it owns. */
class ApiWorker {
  port: number | undefined;
  tasks: string[] = [];
  private readonly child: ChildProcess;
  private readonly exited: Promise<unknown>;

  constructor(prefix: string) {
    this.child = spawn(process.execPath, ['bin/tributary.js', 'run', MODULE, '--http-port', '0', '--commit-interval-ms', '200'], {
      cwd: REPO,
      env: { ...process.env, ORDER_TOPIC_PREFIX: prefix, TRIBUTARY_LOG_LEVEL: 'info' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    this.exited = once(this.child, 'exit');
    let pending = '';
    this.child.stderr!.on('data', (chunk: Buffer) => {
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const line of lines) {
        const entry = JSON.parse(line) as { port?: number; tasks?: string[]; msg?: string };
        if (entry.msg?.startsWith('http endpoints listening')) this.port = entry.port;
        if (entry.msg === 'assigned') this.tasks = entry.tasks!;
      }
    });
  }

  url(path: string): string {
    return `http://localhost:${this.port}${path}`;
  }

  async ready(): Promise<void> {
    for (;;) {
      if (this.child.exitCode !== null) throw new Error(`worker exited ${this.child.exitCode}`);
      if (this.port !== undefined && (await fetch(this.url('/readyz')).catch(() => undefined))?.status === 200) return;
      await sleep(200);
    }
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null) this.child.kill('SIGTERM');
    await this.exited;
  }
}

async function post(worker: ApiWorker, type: string, body: unknown, idempotencyKey?: string) {
  const response = await fetch(worker.url(`/commands/${type}`), {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}) },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function get(worker: ApiWorker, type: string, query: Record<string, string>) {
  const response = await fetch(worker.url(`/queries/${type}?${new URLSearchParams(query)}`));
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

function order(customerId: string) {
  return {
    orderId: randomUUID(),
    customerId,
    items: [{ sku: 'SKU-1', name: 'Mug', quantity: 2, unitPriceMinor: 1250 }],
    currency: 'EUR',
    totalMinor: 2500,
    shippingAddress: { line1: 'Hauptstr. 1', city: 'Berlin', postalCode: '10115', country: 'DE' },
  };
}

describe('order API served by tributary run (two workers, real stack)', function () {
  this.timeout(120_000);
  const prefix = `api-${randomBytes(4).toString('hex')}.`;
  const kafka = new Kafka({ brokers: connection.brokers, logLevel: logLevel.NOTHING });
  const workers: ApiWorker[] = [];

  before(async () => {
    const admin = kafka.admin();
    await admin.connect();
    await prepareOrderTopics(admin, orderCatalogue(prefix, connection.registryUrl), connection.registryUrl, PARTITIONS);
    await admin.disconnect();
    workers.push(new ApiWorker(prefix), new ApiWorker(prefix));
    await Promise.all(workers.map((w) => w.ready()));
  });

  after(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    const admin = kafka.admin();
    await admin.connect();
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
    await admin.deleteTopics({ topics }).catch(() => undefined);
    await admin.disconnect();
    // The application's state and its outbox and idempotency answers.
    const redis = connectRedis(connection.redisUrl);
    const app = `${prefix}order-projections`;
    await clearNamespace(redis, { app });
    const commandKeys = await redis.keys(`tributary:{${app}:commands}:*`);
    if (commandKeys.length) await redis.del(...commandKeys);
    await closeRedis(redis);
  });

  it('refuses bad commands and queries with the reason, and unknown types with 404', async () => {
    const [a] = workers as [ApiWorker];
    const bad = await post(a, 'PlaceOrder', { ...order('c'), totalMinor: 1 });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error, 'invalid PlaceOrder: totalMinor: must equal the sum of quantity × unitPriceMinor over the items, 2500');
    assert.equal((await post(a, 'ShipEverything', {})).status, 404);
    assert.deepEqual(await get(a, 'GetOrder', { orderId: 'nope' }), { status: 400, body: { error: 'invalid GetOrder: orderId: must be a UUID', problems: [{ field: 'orderId', reason: 'must be a UUID' }] } });
    assert.equal((await get(a, 'GetOrder', { orderId: randomUUID() })).status, 404);
    assert.equal((await get(a, 'HowAreYou', {})).status, 404);
  });

  it('takes commands on one worker (a retried POST answered once) and answers every query on every worker, whichever owns the key', async () => {
    const [a, b] = workers as [ApiWorker, ApiWorker];
    const orders = Array.from({ length: 12 }, (_v, i) => order(`customer-${i % 3}`));
    for (const placed of orders) {
      const first = await post(a, 'PlaceOrder', placed, `key-${placed.orderId}`);
      assert.equal(first.status, 202);
      assert.equal(first.body.orderId, placed.orderId);
      const retried = await post(b, 'PlaceOrder', placed, `key-${placed.orderId}`);
      assert.deepEqual(retried, first);
    }
    const partitions = new Set(orders.map((o) => defaultPartition(Buffer.from(o.orderId), PARTITIONS)));
    assert.equal(partitions.size, PARTITIONS, 'the orders fall on every partition');

    for (const placed of orders) {
      for (const worker of workers) {
        let answer = await get(worker, 'GetOrder', { orderId: placed.orderId });
        while (answer.status === 404) answer = (await sleep(100), await get(worker, 'GetOrder', { orderId: placed.orderId }));
        assert.equal(answer.status, 200);
        assert.equal(answer.body.customerId, placed.customerId);
        assert.equal(answer.body.totalMinor, placed.totalMinor);
      }
    }
    // Both workers answered for every order, yet each order's summary task is owned by one of them only.
    const summaries = orderProjections().build().subtopologies.find((s) => s.stores.includes(PROJECTION_STORES.summaries))!;
    const taskOf = (orderId: string) => `${summaries.id}_${defaultPartition(Buffer.from(orderId), PARTITIONS)}`;
    for (const placed of orders) assert.equal(workers.filter((w) => w.tasks.includes(taskOf(placed.orderId))).length, 1, `tasks ${a.tasks} / ${b.tasks}`);
    assert.ok(
      workers.some((w) => orders.some((o) => !w.tasks.includes(taskOf(o.orderId)))),
      'a worker answered for orders whose task it does not own',
    );

    // Every order placed once: the retries wrote nothing, so the per-customer counts are exact.
    for (const customer of ['customer-0', 'customer-1', 'customer-2']) {
      const expected = orders.filter((o) => o.customerId === customer).map((o) => o.orderId);
      for (const worker of workers) {
        let answer = await get(worker, 'OrdersOfCustomer', { customerId: customer });
        while (answer.status === 404 || (answer.body.orderCount as number) < expected.length) answer = (await sleep(100), await get(worker, 'OrdersOfCustomer', { customerId: customer }));
        assert.equal(answer.body.orderCount, expected.length);
        assert.deepEqual([...(answer.body.recentOrderIds as string[])].sort(), [...expected].sort());
      }
    }
    // No saga ran here, so no order completed: the day has no revenue.
    const day = new Date().toISOString().slice(0, 10);
    assert.deepEqual(await get(b, 'RevenuePerDay', { day, currency: 'EUR' }), { status: 200, body: { day, currency: 'EUR', orders: 0, amountMinor: 0 } });
  });
});
