import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { topologyForApplication } from '../../../processors/applicationTopology.ts';
import type { Topology } from '../../../processors/topologyGraph.ts';
import { loadConnectionConfig } from '../../../runtime/config.ts';
import { createTopics } from '../../../runtime/kafka/createTopics.ts';
import { readApplicationLag } from '../../../runtime/lag/applicationLag.ts';
import type { PartitionLag } from '../../../runtime/lag/partitionLag.ts';
import { ActiveNamespaceStoreReader } from '../../../runtime/queries/activeNamespaceStoreReader.ts';
import { TopologyStoreReader } from '../../../runtime/queries/topologyStoreReader.ts';
import type { ShadowReplayPlan } from '../../../runtime/replay/shadowReplay.ts';
import { activeNamespace, namespacePointerKey, readNamespacePointer } from '../../../state/redis/namespacePointer.ts';
import { closeRedis, connectRedis, type RedisClient } from '../../../state/redis/redisConnection.ts';
import { countNamespaceKeys, namespaceKeys } from '../../../state/redis/stateNamespace.ts';
import { RedisStoreReader } from '../../../state/redis/storeReader.ts';
import type { NamespaceScope } from '../../../state/redis/taskKeys.ts';
import { FAULT_WORKER_ENV, WorkerProcess } from '../../support/workerProcess.ts';
import { projectionTopology } from './fixtures/projectionTopology.ts';
import { startCli, tributary } from './tributaryCli.ts';

const FIXTURE = 'test/integration/replay/fixtures/projectionTopology.ts';
const connection = loadConnectionConfig();

/** Every entry of every store of the namespace, not the bookkeeping (watermarks hold repartition offsets, which differ between runs). */
async function projectionDigest(redis: RedisClient, scope: NamespaceScope): Promise<{ digest: string; entries: number }> {
  const lines: string[] = [];
  for await (const batch of namespaceKeys(redis, scope)) {
    for (const key of batch.filter((k) => /\}:(kv|w|s):/.test(k))) {
      const entries = (await redis.type(key)) === 'hash' ? Object.entries(await redis.hgetall(key)).map(([f, v]) => `${f}=${v}`) : await redis.zrange(key, 0, -1, 'WITHSCORES');
      // The task's hash tag names the namespace; the rows are what must be equal.
      lines.push(...entries.map((entry) => `${key.replace(`:${scope.namespace}:`, ':*:')} ${entry}`));
    }
  }
  lines.sort();
  return { digest: createHash('sha256').update(lines.join('\n')).digest('hex'), entries: lines.length };
}

interface Order {
  readonly customer: string;
  readonly amount: number;
}

describe('tributary replay --shadow, on the real stack', function () {
  this.timeout(240_000);
  const id = randomBytes(4).toString('hex');
  const app = `shadow-${id}`;
  const orders = `shadow.${id}.orders`;
  const env = { REPLAY_APPLICATION: app, REPLAY_ORDERS_TOPIC: orders, REPLAY_TOTALS_TOPIC: `shadow.${id}.totals`, KAFKA_BROKERS: connection.brokers.join(','), TRIBUTARY_GUARANTEE: 'exactly_once', ...FAULT_WORKER_ENV };
  const scope = (namespace: string) => ({ app, namespace, prefix: 'tributary:' });
  const kafka = new Kafka({ clientId: `shadow-test-${id}`, brokers: connection.brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  const produced: Array<{ key: string; value: Order }> = [];
  let redis: RedisClient;
  let topology: Topology;
  let live: WorkerProcess | undefined;
  let liveDigest: { digest: string; entries: number };

  /** The store reader the query endpoint uses (runtime/http/topologyApiService.ts), over this application. */
  function storeReader(): ActiveNamespaceStoreReader {
    return new ActiveNamespaceStoreReader(
      () => activeNamespace(redis, { app }, '0'),
      (namespace) => new TopologyStoreReader(topologyForApplication(topology, app, namespace), new RedisStoreReader(redis, scope(namespace)), async (topic) => (await admin.fetchTopicMetadata({ topics: [topic] })).topics[0]!.partitions.length),
    );
  }

  /** What the projection must answer once it has applied `records`: per customer the count and sum, per order its updates. */
  function expected(records: typeof produced) {
    const customers = new Map<string, { orders: number; total: number }>();
    const updates = new Map<string, number>();
    for (const { key, value } of records) {
      const sum = customers.get(value.customer) ?? { orders: 0, total: 0 };
      customers.set(value.customer, { orders: sum.orders + 1, total: sum.total + value.amount });
      updates.set(key, (updates.get(key) ?? 0) + 1);
    }
    return { customers: Object.fromEntries([...customers].sort()), updates: Object.fromEntries([...updates].sort()) };
  }

  /** Every row the projection holds for the produced keys, read as queries read them (a DSL table stores a ValueAndTimestamp). */
  async function answers(reader: ActiveNamespaceStoreReader) {
    const valueOf = (row: unknown) => (row as { value: unknown } | undefined)?.value;
    const customers = [...new Set(produced.map((r) => r.value.customer))].sort();
    const ids = [...new Set(produced.map((r) => r.key))].sort();
    return {
      customers: Object.fromEntries(await Promise.all(customers.map(async (c) => [c, valueOf(await reader.get('customer-totals', c))] as const))),
      updates: Object.fromEntries(await Promise.all(ids.map(async (o) => [o, valueOf(await reader.get('order-updates', o))] as const))),
    };
  }

  async function produce(count: number): Promise<void> {
    const from = produced.length;
    const records = Array.from({ length: count }, (_, n) => {
      const i = from + n;
      return { key: `order-${i % 90}`, value: { customer: `customer-${(i * 7) % 13}`, amount: 1 + (i % 17) } };
    });
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    await producer.send({ topic: orders, messages: records.map((r) => ({ key: r.key, value: JSON.stringify(r.value) })), acks: -1 });
    await producer.disconnect();
    produced.push(...records);
  }

  /** The live group has read every partition of the namespace's topology to its end. */
  async function untilCaughtUp(namespace: string): Promise<void> {
    const namespaced = topologyForApplication(topology, app, namespace);
    const repartition = namespaced.internalTopics[0]!.name;
    const caughtUp = (p: PartitionLag) => p.lag === 0 || (p.committedOffset === null && p.logEndOffset === p.logStartOffset);
    for (;;) {
      const { partitions } = await readApplicationLag(admin, namespaced, app);
      if (partitions.some((p) => p.topic === repartition) && partitions.every(caughtUp)) return;
      if (!live?.running) throw new Error(`the live worker exited:\n${live?.tail()}`);
      await new Promise((r) => setTimeout(r, 300));
    }
  }

  before(async () => {
    topology = projectionTopology({ application: app, orders, totals: env.REPLAY_TOTALS_TOPIC, amountFactor: 1 }).build();
    redis = connectRedis(connection.redisUrl);
    await admin.connect();
    await createTopics(admin, [orders, env.REPLAY_TOTALS_TOPIC].map((topic) => ({ topic, numPartitions: 3 })));
    await produce(240);
  });

  after(async () => {
    await live?.kill();
    const internal = ['0', '1', '2'].map((ns) => topologyForApplication(topology, app, ns).internalTopics[0]!.name);
    await admin.deleteTopics({ topics: [orders, env.REPLAY_TOTALS_TOPIC, `${orders}.dlq`, ...internal, ...internal.map((t) => `${t}.dlq`)] }).catch(() => undefined);
    await admin.deleteGroups([app, `${app}.shadow`]).catch(() => undefined);
    await admin.disconnect();
    for (const ns of ['0', '1', '2']) for await (const keys of namespaceKeys(redis, scope(ns))) await Promise.all(keys.map((k) => redis.unlink(k)));
    await redis.unlink(namespacePointerKey({ app }));
    await closeRedis(redis);
  });

  it('--shadow --dry-run prints the namespace, group and offsets it would build from, and changes nothing', async () => {
    live = new WorkerProcess(`shadow-live-${id}`, [FIXTURE], env).start();
    await untilCaughtUp('0');
    liveDigest = await projectionDigest(redis, scope('0'));
    assert.ok(liveDigest.entries > 90, `the projection holds ${liveDigest.entries} entries`);
    assert.deepEqual(await answers(storeReader()), expected(produced));

    const { code, stdout, stderr } = await tributary(env, 'replay', FIXTURE, '--shadow', '--dry-run', '--json');
    assert.equal(code, 0, stderr);
    const plan = JSON.parse(stdout) as ShadowReplayPlan & { dryRun: boolean };
    assert.deepEqual([plan.activeNamespace, plan.shadowNamespace, plan.shadowGroup, plan.dryRun], ['0', '1', `${app}.shadow`, true]);
    assert.deepEqual(plan.sourceOffsets.map((c) => [c.topic, c.partition, c.currentOffset, c.newOffset]), [0, 1, 2].map((p) => [orders, p, null, 0]));
    assert.equal(plan.sourceOffsets.reduce((sum, c) => sum + c.logEndOffset, 0), 240);
    assert.deepEqual(await readNamespacePointer(redis, { app }), {});
    assert.equal(await countNamespaceKeys(redis, scope('1')), 0);
    assert.equal((await admin.describeGroups([`${app}.shadow`])).groups[0]!.state, 'Dead');
  });

  it('rebuilds next to the live worker; every query answers the complete projection, from namespace 0 and then 1; the rebuilt rows hash as the live ones; the live worker goes on in namespace 1', async () => {
    const complete = expected(produced);
    const reader = storeReader();
    const served = new Set<string>();
    let polls = 0;
    let polling = true;
    const poller = (async () => {
      while (polling) {
        const namespace = await activeNamespace(redis, { app }, '0');
        assert.deepEqual(await answers(reader), complete, `poll ${polls} (namespace ${namespace}) answered a partial projection`);
        served.add(namespace);
        polls++;
      }
    })();
    const replay = startCli(env, 'replay', FIXTURE, '--shadow', '--cutover-lag', '0', '--json');
    const { code, stdout, stderr } = await replay.exited.finally(() => (polling = false));
    await poller;
    assert.equal(code, 0, stderr);
    const outcome = JSON.parse(stdout) as { cut: Array<{ topic: string; partition: number; offset: number }>; retiredKeys: number };
    assert.deepEqual(outcome.cut.map((c) => c.offset).reduce((a, b) => a + b, 0), 240, 'both namespaces cut at the end of the input');
    assert.deepEqual([...served].sort(), ['0', '1'], `${polls} polls`);
    // Without a terminal, the progress display says when the shadow has caught up on each partition.
    for (const p of [0, 1, 2]) assert.match(stderr, new RegExp(`replayed ${orders}\\[${p}\\]: \\d+ records`));

    assert.deepEqual(await readNamespacePointer(redis, { app }), { active: '1' });
    assert.deepEqual(await projectionDigest(redis, scope('1')), liveDigest);
    assert.equal(await countNamespaceKeys(redis, scope('0')), 0, 'the old namespace is removed after the grace period');
    assert.ok(outcome.retiredKeys > 0);

    // The live worker moved to namespace 1 without a restart, and keeps the projection current there.
    await produce(60);
    await untilCaughtUp('1');
    assert.ok(live!.running, live!.tail());
    assert.deepEqual(await answers(reader), expected(produced));
  });

  it('after a change to the projection, the live worker’s query endpoint answers the complete old projection, then the complete new one, never a mix', async () => {
    const port = Number(/http endpoints listening on port (\d+)/.exec(await live!.waitForLog(/http endpoints listening on port \d+/))![1]);
    const customers = Object.keys(expected(produced).customers);
    const old = expected(produced).customers;
    const fixed = Object.fromEntries(Object.entries(old).map(([c, sum]) => [c, { ...sum, total: sum.total * 2 }]));
    const query = async () => {
      const response = await fetch(`http://localhost:${port}/queries/CustomerTotals?customers=${customers.join(',')}`);
      assert.equal(response.status, 200, await response.clone().text());
      return response.json();
    };
    assert.deepEqual(await query(), old);
    const seen: string[] = [];
    let polling = true;
    const poller = (async () => {
      while (polling) {
        const answer = await query();
        const which = isDeepStrictEqual(answer, old) ? 'old' : isDeepStrictEqual(answer, fixed) ? 'new' : undefined;
        assert.ok(which, `answer ${seen.length} is neither the complete old projection nor the complete new one: ${JSON.stringify(answer)}`);
        if (seen.at(-1) !== which) seen.push(which);
      }
    })();
    // The fixed code rebuilds in the shadow (the replay command runs it), then the switch serves it.
    const replay = startCli({ ...env, REPLAY_AMOUNT_FACTOR: '2' }, 'replay', FIXTURE, '--shadow', '--cutover-lag', '0', '--json');
    const { code, stderr } = await replay.exited.finally(() => (polling = false));
    await poller;
    assert.equal(code, 0, stderr);
    assert.deepEqual(seen, ['old', 'new']);
    assert.deepEqual(await query(), fixed);
    assert.deepEqual(await readNamespacePointer(redis, { app }), { active: '2' });
  });
});
