import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { loadConnectionConfig } from '../../../runtime/config.ts';
import { readApplicationLag } from '../../../runtime/lag/applicationLag.ts';
import type { PartitionLag } from '../../../runtime/lag/partitionLag.ts';
import type { ReplayPlan } from '../../../runtime/replay/replayPlan.ts';
import type { Topology } from '../../../processors/topologyGraph.ts';
import { closeRedis, connectRedis, type RedisClient } from '../../../state/redis/redisConnection.ts';
import { countNamespaceKeys, namespaceKeys } from '../../../state/redis/stateNamespace.ts';
import type { NamespaceScope } from '../../../state/redis/taskKeys.ts';
import { FAULT_WORKER_ENV, WorkerProcess } from '../../support/workerProcess.ts';
import { projectionTopology } from './fixtures/projectionTopology.ts';
import { startCli, tributary } from './tributaryCli.ts';
import { createTopics } from '../../../runtime/kafka/createTopics.ts';

const FIXTURE = 'test/integration/replay/fixtures/projectionTopology.ts';
const connection = loadConnectionConfig();

/**
 * A digest of the projection: every entry of every store of the namespace (key-value hashes;
 * window and session data hashes and indexes), not the bookkeeping (epochs, watermarks, which
 * hold repartition offsets that differ between runs, outboxes, lastWrite markers).
 */
async function projectionDigest(redis: RedisClient, scope: NamespaceScope): Promise<{ digest: string; entries: number }> {
  const keys: string[] = [];
  for await (const batch of namespaceKeys(redis, scope)) keys.push(...batch.filter((k) => /\}:(kv|w|s):/.test(k)));
  const lines: string[] = [];
  for (const key of keys) {
    const type = await redis.type(key);
    const entries = type === 'hash' ? Object.entries(await redis.hgetall(key)).map(([f, v]) => `${f}=${v}`) : (await redis.zrange(key, 0, -1, 'WITHSCORES'));
    lines.push(...entries.map((entry) => `${key} ${entry}`));
  }
  lines.sort();
  return { digest: createHash('sha256').update(lines.join('\n')).digest('hex'), entries: lines.length };
}

/** Every partition read up to its end: lag 0, or no committed offset on a partition that holds no record. */
function caughtUp(partitions: readonly PartitionLag[]): boolean {
  return partitions.every((p) => p.lag === 0 || (p.committedOffset === null && p.logEndOffset === p.logStartOffset));
}

describe('tributary replay in place, on the real stack', function () {
  this.timeout(240_000);
  const id = randomBytes(4).toString('hex');
  const app = `replay-${id}`;
  const env = { REPLAY_APPLICATION: app, REPLAY_ORDERS_TOPIC: `replay.${id}.orders`, REPLAY_TOTALS_TOPIC: `replay.${id}.totals`, KAFKA_BROKERS: connection.brokers.join(',') };
  const repartitionTopic = `${app}-by-customer-repartition`;
  const scope = { app, namespace: '0', prefix: 'tributary:' };
  const kafka = new Kafka({ clientId: `replay-test-${id}`, brokers: connection.brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  let redis: RedisClient;
  let topology: Topology;
  let live: { digest: string; entries: number };

  const workers: WorkerProcess[] = [];

  function worker(workerEnv: Record<string, string> = {}): WorkerProcess {
    const started = new WorkerProcess(`worker-${id}`, [FIXTURE], { ...env, ...FAULT_WORKER_ENV, ...workerEnv }).start();
    workers.push(started);
    return started;
  }

  async function lag(): Promise<readonly PartitionLag[]> {
    return (await readApplicationLag(admin, topology, app)).partitions;
  }

  async function untilCaughtUp(process: WorkerProcess, timeoutMs = 120_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const partitions = await lag();
      if (partitions.some((p) => p.topic === repartitionTopic) && caughtUp(partitions)) return;
      if (!process.running) throw new Error(`the worker exited:\n${process.tail()}`);
      if (Date.now() > deadline) throw new Error(`not caught up within ${timeoutMs} ms: ${JSON.stringify(partitions)}`);
      await new Promise((r) => setTimeout(r, 300));
    }
  }

  before(async () => {
    topology = projectionTopology({ application: app, orders: env.REPLAY_ORDERS_TOPIC, totals: env.REPLAY_TOTALS_TOPIC, amountFactor: 1 }).build();
    redis = connectRedis(connection.redisUrl);
    await admin.connect();
    await createTopics(admin, [env.REPLAY_ORDERS_TOPIC, env.REPLAY_TOTALS_TOPIC].map((topic) => ({ topic, numPartitions: 3 })));
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    // Orders updated several times, for customers spread over the partitions, so both stores hold entries on every task.
    const messages = Array.from({ length: 240 }, (_, i) => ({ key: `order-${i % 90}`, value: JSON.stringify({ customer: `customer-${(i * 7) % 13}`, amount: 1 + (i % 17) }) }));
    await producer.send({ topic: env.REPLAY_ORDERS_TOPIC, messages, acks: -1 });
    await producer.disconnect();
  });

  after(async () => {
    for (const started of workers) await started.kill(); // a test that failed half-way leaves none running
    await admin.deleteTopics({ topics: [env.REPLAY_ORDERS_TOPIC, env.REPLAY_TOTALS_TOPIC, repartitionTopic, `${env.REPLAY_ORDERS_TOPIC}.dlq`, `${repartitionTopic}.dlq`] }).catch(() => undefined);
    await admin.deleteGroups([app]).catch(() => undefined);
    await admin.disconnect();
    for await (const keys of namespaceKeys(redis, scope)) await Promise.all(keys.map((k) => redis.unlink(k)));
    await closeRedis(redis);
  });

  it('refuses, with one line and changing nothing, while a worker is a member of the group', async () => {
    const running = worker();
    try {
      await untilCaughtUp(running);
      live = await projectionDigest(redis, scope);
      assert.ok(live.entries > 90, `the projection holds ${live.entries} entries`);
      const before = { offsets: await lag(), keys: await countNamespaceKeys(redis, scope) };
      const refused = await tributary(env, 'replay', FIXTURE);
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, new RegExp(`^error: consumer group ${app} has 1 live member \\(\\w+\\): stop the application's workers first, or pass --force .*\\n$`));
      assert.deepEqual({ offsets: await lag(), keys: await countNamespaceKeys(redis, scope) }, before);
    } finally {
      assert.equal(await running.stop(), 0, running.tail());
    }
  });

  it('--dry-run prints every offset, record and key it would change, and changes none', async () => {
    const before = { offsets: await lag(), keys: await countNamespaceKeys(redis, scope) };
    const { code, stdout, stderr } = await tributary(env, 'replay', FIXTURE, '--dry-run', '--json');
    assert.equal(code, 0, stderr);
    const plan = JSON.parse(stdout) as ReplayPlan & { dryRun: boolean; deletedKeys: number };
    const sources = before.offsets.filter((p) => p.topic === env.REPLAY_ORDERS_TOPIC);
    const repartition = before.offsets.filter((p) => p.topic === repartitionTopic);
    assert.deepEqual(plan, {
      applicationId: app,
      sourceOffsets: sources.map((p) => ({ topic: p.topic, partition: p.partition, currentOffset: p.committedOffset, newOffset: p.logStartOffset, logEndOffset: p.logEndOffset })),
      repartitionTopics: repartition.map((p) => ({ topic: p.topic, partition: p.partition, currentOffset: p.committedOffset, newOffset: p.logEndOffset, logEndOffset: p.logEndOffset, recordsDeleted: p.logEndOffset - p.logStartOffset })),
      state: { namespace: '0', pattern: `tributary:{${app}:0:*}:*`, keys: before.keys },
      dryRun: true,
      deletedKeys: 0,
    });
    assert.equal(sources.reduce((sum, p) => sum + p.logEndOffset, 0), 240);
    assert.deepEqual({ offsets: await lag(), keys: await countNamespaceKeys(redis, scope) }, before);
  });

  it('resets offsets, deletes repartition records and clears the state; a worker then rebuilds the same projection, followed with --follow', async () => {
    const before = await lag();
    const replay = startCli(env, 'replay', FIXTURE, '--json', '--follow');
    const report = JSON.parse(await replay.printed()) as ReplayPlan & { deletedKeys: number };
    assert.equal(report.deletedKeys, report.state.keys);
    assert.equal(await countNamespaceKeys(redis, scope), 0);
    const after = await lag();
    for (const p of after) {
      const old = before.find((b) => b.topic === p.topic && b.partition === p.partition)!;
      // Sources start again at the beginning; a repartition topic keeps nothing, and the group starts at its end.
      if (p.topic === repartitionTopic) assert.deepEqual([p.logStartOffset, p.committedOffset], [old.logEndOffset, old.logEndOffset], `${p.topic}[${p.partition}]`);
      else assert.equal(p.committedOffset, old.logStartOffset, `${p.topic}[${p.partition}]`);
    }

    // --follow waits for workers started separately, and ends once each source partition is replayed to its old end.
    const rebuilding = worker({ TRIBUTARY_SESSION_TIMEOUT_MS: '20000' });
    const { code, stderr } = await replay.exited;
    assert.equal(code, 0, stderr);
    const sources = before.filter((p) => p.topic === env.REPLAY_ORDERS_TOPIC);
    assert.deepEqual(stderr.trimEnd().split('\n').sort(), sources.map((p) => `replayed ${p.topic}[${p.partition}]: ${p.logEndOffset - p.logStartOffset} records`));
    await untilCaughtUp(rebuilding);
    assert.deepEqual(await projectionDigest(redis, scope), live);
  });

  it('--force waits until the member of a killed worker expires, then replays', async () => {
    await workers.at(-1)!.kill(); // the worker that rebuilt the projection
    const members = async () => (await admin.describeGroups([app])).groups[0]!.members.length;
    // Its session (20 s for this worker) has not run out: Kafka would refuse to move the group's offsets now.
    assert.equal(await members(), 1);
    const { code, stdout, stderr } = await tributary(env, 'replay', FIXTURE, '--force', '--json');
    assert.equal(code, 0, stderr);
    assert.ok((JSON.parse(stdout) as { deletedKeys: number }).deletedKeys > 0);
    assert.equal(await members(), 0);
    assert.equal(await countNamespaceKeys(redis, scope), 0);
    assert.ok((await lag()).filter((p) => p.topic === env.REPLAY_ORDERS_TOPIC).every((p) => p.committedOffset === p.logStartOffset));
  });
});
