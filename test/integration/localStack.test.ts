import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import { loadStackConfig } from '../../runtime/config.ts';
import { createLogger } from '../../runtime/logger.ts';
import { LocalStack, type ComponentStatus } from '../../runtime/stack/localStack.ts';
import { createTopics } from '../../runtime/kafka/createTopics.ts';

const REPO = fileURLToPath(new URL('../..', import.meta.url));

/** Runs the CLI as a user would; resolves with its exit code and output, never rejects. */
function tributary(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('node', ['bin/tributary.js', ...args], { cwd: REPO, timeout: 120_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

async function statusByName(): Promise<Record<string, ComponentStatus>> {
  const { code, stdout } = await tributary('stack', 'status', '--json');
  assert.equal(code, 0);
  return Object.fromEntries((JSON.parse(stdout) as ComponentStatus[]).map((s) => [s.name, s]));
}

describe('tributary stack (CLI) with bad input', () => {
  it('exits non-zero with one error line naming an unknown component and the known ones', async () => {
    const { code, stdout, stderr } = await tributary('stack', 'up', 'kafak');
    assert.equal(code, 1);
    assert.equal(stdout, '');
    assert.equal(stderr, "error: unknown component 'kafak' (expected kafka, registry, redis)\n");
  });

  it('rejects an unknown flag with a non-zero exit', async () => {
    const { code, stderr } = await tributary('stack', 'status', '--jsn');
    assert.notEqual(code, 0);
    assert.match(stderr.split('\n')[0]!, /^error: unknown option '--jsn'/);
  });
});

// These tests stop and fault components of the stack the global fixture (or you) started, and
// restore it before they finish. They only run when all three components are this stack's own.
describe('the local stack', function () {
  this.timeout(180_000);
  const stack = new LocalStack(loadStackConfig(), { logger: createLogger('silent') });

  before(async function () {
    const statuses = await stack.status();
    if (!statuses.every((s) => s.state === 'up')) this.skip();
  });

  after(async () => {
    await stack.kill('redis', 'SIGCONT');
    await stack.up();
  });

  it('reports three healthy components with address and pid in `stack status --json`', async () => {
    const status = await statusByName();
    assert.deepEqual(Object.keys(status), ['kafka', 'registry', 'redis']);
    for (const component of Object.values(status)) {
      assert.equal(component.healthy, true, component.name);
      assert.equal(component.state, 'up');
      assert.ok(Number.isInteger(component.pid), `${component.name} has a pid`);
    }
    assert.equal(status.kafka!.address, `localhost:${stack.config.kafkaPort}`);
  });

  it('`stack down redis` stops only Redis, and `stack up` brings it back while leaving the others alone', async () => {
    const before = await statusByName();
    const down = await tributary('stack', 'down', 'redis');
    assert.equal(down.code, 0, down.stderr);
    assert.match(down.stdout, /^redis\s+stopped$/m);

    const during = await statusByName();
    assert.equal(during.redis!.state, 'down');
    assert.equal(during.redis!.pid, null);
    assert.equal(during.kafka!.state, 'up');
    assert.equal(during.registry!.state, 'up');

    const up = await tributary('stack', 'up');
    assert.equal(up.code, 0, up.stderr);
    assert.match(up.stdout, /^redis\s+redis:\/\/localhost:\d+\s+started \(pid \d+/m);
    assert.match(up.stdout, /^kafka\s+\S+\s+already running$/m);

    const after = await statusByName();
    assert.ok(Object.values(after).every((s) => s.state === 'up'));
    assert.equal(after.kafka!.pid, before.kafka!.pid, 'kafka was left alone');
    assert.notEqual(after.redis!.pid, before.redis!.pid, 'redis is a new process');
  });

  it('shows a frozen component (SIGSTOP) as not answering, and it answers again after SIGCONT', async () => {
    assert.equal(stack.kill('redis', 'SIGSTOP'), true);
    const [frozen] = await stack.status(['redis']);
    assert.equal(frozen!.state, 'unresponsive');
    stack.kill('redis', 'SIGCONT');
    const [thawed] = await stack.status(['redis']);
    assert.equal(thawed!.state, 'up');
  });

  it('keeps Redis data across a SIGKILL and restart (append-only file)', async () => {
    const key = `tributary:test:aof:${Date.now()}`;
    const redis = new Redis(stack.component('redis').address, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await redis.connect();
    await redis.set(key, 'kept', 'EX', 600);
    redis.disconnect();
    await sleep(1500); // appendfsync everysec: at most one second of writes is at risk

    assert.equal(stack.kill('redis', 'SIGKILL'), true);
    await sleep(200);
    assert.equal((await stack.status(['redis']))[0]!.state, 'down');
    const outcome = await stack.restart('redis');
    assert.equal(outcome.action, 'started');

    const again = new Redis(stack.component('redis').address, { lazyConnect: true });
    await again.connect();
    assert.equal(await again.get(key), 'kept');
    again.disconnect();
  });

  it('keeps Kafka topics and records across a broker restart (the log dir is formatted once)', async () => {
    const kafka = new Kafka({ clientId: 'stack-test', brokers: [stack.component('kafka').address], logLevel: logLevel.NOTHING });
    const topic = `tributary.test.restart.${Date.now()}`;
    const admin = kafka.admin();
    await admin.connect();
    await createTopics(admin, [{ topic, numPartitions: 1 }]);
    const producer = kafka.producer({ idempotent: true });
    await producer.connect();
    await producer.send({ topic, messages: [{ key: 'k', value: 'before restart' }] });
    await producer.disconnect();
    await admin.disconnect();

    const outcome = await stack.restart('kafka');
    assert.equal(outcome.action, 'started');

    const afterAdmin = kafka.admin();
    await afterAdmin.connect();
    try {
      assert.ok((await afterAdmin.listTopics()).includes(topic));
      const [offsets] = await afterAdmin.fetchTopicOffsets(topic);
      assert.equal(offsets!.high, '1');
    } finally {
      await afterAdmin.disconnect();
    }
  });
});
