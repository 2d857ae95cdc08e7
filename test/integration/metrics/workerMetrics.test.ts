import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { loadConnectionConfig } from '../../../runtime/config.ts';
import { connectDeadLetterKafka } from '../../../runtime/deadLetters/deadLetterKafka.ts';
import { readDeadLetters } from '../../../runtime/deadLetters/readDeadLetters.ts';
import { createLogger } from '../../../runtime/logger.ts';
import { redisAnswers } from '../../../runtime/stack/componentProbes.ts';
import { waitFor } from '../../../runtime/stack/waitFor.ts';
import { loadWorkerConfig } from '../../../runtime/worker/workerConfig.ts';
import { WorkerProcess } from '../../support/workerProcess.ts';
import { createTopics } from '../../../runtime/kafka/createTopics.ts';

const FIXTURE = 'test/fault/fixtures/sumTopology.ts';
const PARTITIONS = 2;
const KEYS = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  return port;
}

/** Polls `probe` until it returns a value, or fails after `timeoutMs` naming `what`. */
async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  let value: T | undefined;
  const result = await waitFor(async () => (value = await probe()) !== undefined, { timeoutMs, intervalMs: 200 });
  if (!result.ok) throw new Error(`waiting for ${what}: ${result.reason}`);
  return value!;
}

/** Runs a program with `input` on stdin; resolves with its exit code and output. */
function runWithInput(command: string, args: readonly string[], input: string): Promise<{ code: number | null; output: string }> {
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stdin.end(input);
  return once(child, 'exit').then(([code]) => ({ code: code as number | null, output }));
}

/** Samples of one metric in a text exposition, by their label sets (`topic="x",partition="0"`, in the order printed). */
function samples(exposition: string, name: string, application: string): Map<string, number> {
  const result = new Map<string, number>();
  for (const line of exposition.split('\n')) {
    const match = /^(\w+)\{([^}]*)\} (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const labels = match[2]!.split(',').filter((l) => l !== `application="${application}"`);
    if (labels.length === match[2]!.split(',').length) continue; // another application's
    result.set(labels.join(','), Number(match[3]));
  }
  return result;
}

/** Per partition of `topic`: the broker's end offset minus the group's committed offset. */
async function brokerLag(admin: Admin, groupId: string, topic: string): Promise<Map<string, number>> {
  const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
  const ends = await admin.fetchTopicOffsets(topic);
  return new Map(
    ends.map(({ partition, high }) => {
      const offset = Number(committed!.partitions.find((p) => p.partition === partition)!.offset);
      return [`topic="${topic}",partition="${partition}"`, Number(high) - Math.max(0, offset)];
    }),
  );
}

describe('a worker\'s metrics and health endpoints, scraped by Prometheus', function () {
  this.timeout(120_000);
  const id = randomBytes(4).toString('hex');
  const app = `metrics-${id}`;
  const topics = { SUM_INPUT_TOPIC: `metrics.${id}.numbers`, SUM_OUTPUT_TOPIC: `metrics.${id}.sums`, SUM_FACTORS_TOPIC: `metrics.${id}.factors`, SUM_SCALED_TOPIC: `metrics.${id}.scaled` };
  const deadLetterTopic = `metrics.${id}.dead-letters`; // one for the application, not <topic>.dlq
  const input = topics.SUM_INPUT_TOPIC;
  const kafka = new Kafka({ brokers: loadConnectionConfig().brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  const producer = kafka.producer();
  let dir: string;
  let redis: ChildProcess;
  let prometheus: ChildProcess | undefined;
  let prometheusUrl: string;
  let worker: WorkerProcess;
  let metricsUrl: string;
  /** Records produced per input partition, and how many are not JSON (dead letters). */
  const produced = { total: 0, garbage: 0 };
  let readinessSeen: number[] = [];

  /** One produce request for all records, so each partition's share lands at once. */
  async function produce(count: number, garbageEvery: number): Promise<void> {
    const messages = Array.from({ length: count }, (_, i) => {
      const garbage = garbageEvery > 0 && i % garbageEvery === 0;
      if (garbage) produced.garbage++;
      return { key: KEYS[i % KEYS.length]!, value: garbage ? 'not json' : String(i) };
    });
    await producer.send({ topic: input, messages, acks: -1 });
    produced.total += count;
  }

  async function scrape(): Promise<string> {
    const response = await fetch(metricsUrl);
    assert.equal(response.status, 200);
    return response.text();
  }

  before(async () => {
    const missing = (['promtool', 'prometheus'] as const).filter((binary) => spawnSync('sh', ['-c', `command -v ${binary}`]).status !== 0);
    if (missing.length) throw new Error(`${missing.join(' and ')} not found: install the Debian package prometheus (.ci/run does)`);
    dir = await mkdtemp(path.join(tmpdir(), 'tributary-metrics-'));
    await admin.connect();
    await producer.connect();
    await createTopics(admin, Object.values(topics).map((topic) => ({ topic, numPartitions: PARTITIONS })));
    // A Redis of this test's own, which it can freeze (SIGSTOP) without touching the shared stack's.
    const redisPort = await freePort();
    redis = spawn('redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    const redisUrl = `redis://127.0.0.1:${redisPort}`;
    await eventually('the test Redis to answer', async () => ((await redisAnswers(redisUrl)) ? true : undefined), 10_000);
    await produce(400, 50);
    worker = new WorkerProcess('worker', [FIXTURE, '--application-id', app, '--http-port', '0', '--dead-letter-topic', deadLetterTopic], {
      ...topics,
      REDIS_URL: redisUrl,
      TRIBUTARY_COMMIT_INTERVAL_MS: '200',
      TRIBUTARY_READY_MAX_LAG: '0',
    }).start();
    const line = await worker.waitForLog(/http endpoints listening/, 60_000);
    const port = (JSON.parse(line) as { port: number }).port;
    metricsUrl = `http://127.0.0.1:${port}/metrics`;
    // Poll readiness from the moment the port is open, before the worker has joined its group.
    readinessSeen = [];
    await eventually('/readyz to answer 200', async () => {
      const { status } = await fetch(`http://127.0.0.1:${port}/readyz`);
      if (readinessSeen.at(-1) !== status) readinessSeen.push(status);
      return status === 200 ? true : undefined;
    });
  });

  after(async () => {
    redis?.kill('SIGCONT');
    await worker?.stop();
    prometheus?.kill('SIGTERM');
    redis?.kill('SIGTERM');
    await admin.deleteTopics({ topics: [...Object.values(topics), deadLetterTopic] }).catch(() => undefined);
    await producer.disconnect();
    await admin.disconnect();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('answers /readyz 503 until the worker has joined, claimed its tasks and caught up, then 200; /healthz 200', async () => {
    assert.deepEqual(readinessSeen, [503, 200]);
    assert.equal((await fetch(metricsUrl.replace('/metrics', '/healthz'))).status, 200);
  });

  it('serves /metrics that promtool check metrics accepts', async () => {
    const { code, output } = await runWithInput('promtool', ['check', 'metrics'], await scrape());
    assert.equal(code, 0, output);
  });

  it('counts consumed records, outputs and dead letters by reason (the dead letters are in the configured topic), tasks and state cache entries', async () => {
    const good = produced.total - produced.garbage;
    const text = await eventually('every record counted', async () => {
      const t = await scrape();
      return samples(t, 'tributary_records_consumed_total', app).get(`topic="${input}"`) === produced.total ? t : undefined;
    });
    assert.deepEqual(samples(text, 'tributary_dead_letter_records_total', app), new Map([[`topic="${input}",reason="DECODE_FAILED"`, produced.garbage]]));
    assert.equal(samples(text, 'tributary_records_produced_total', app).get(`topic="${topics.SUM_OUTPUT_TOPIC}"`), good);
    assert.equal(samples(text, 'tributary_records_produced_total', app).get(`topic="${deadLetterTopic}"`), produced.garbage);
    assert.equal(samples(text, 'tributary_tasks', app).get(''), PARTITIONS);
    assert.ok((samples(text, 'tributary_state_cache_entries', app).get('') ?? 0) > 0, 'the sums per key are in the state caches');
    const client = await connectDeadLetterKafka(loadWorkerConfig(app), createLogger('silent'));
    try {
      const listing = await readDeadLetters(client, input, { deadLetterTopic });
      assert.equal(listing.topic, deadLetterTopic);
      assert.deepEqual(listing.letters.map((l) => [l.info?.topic, l.info?.errorCode]), Array(produced.garbage).fill([input, 'DECODE_FAILED']));
    } finally {
      await client.close();
    }
  });

  it('is scraped by a real Prometheus server, whose queries see the worker\'s counts', async () => {
    const port = await freePort();
    prometheusUrl = `http://127.0.0.1:${port}`;
    const config = path.join(dir, 'prometheus.yml');
    await writeFile(
      config,
      ['global:', '  scrape_interval: 1s', 'scrape_configs:', '  - job_name: tributary', '    static_configs:', `      - targets: ["${new URL(metricsUrl).host}"]`, ''].join('\n'),
    );
    prometheus = spawn('prometheus', [`--config.file=${config}`, `--storage.tsdb.path=${path.join(dir, 'tsdb')}`, `--web.listen-address=127.0.0.1:${port}`], { stdio: 'ignore' });
    const query = `sum(tributary_records_consumed_total{application="${app}"})`;
    const value = await eventually('Prometheus to scrape the worker', async () => {
      const response = await fetch(`${prometheusUrl}/api/v1/query?query=${encodeURIComponent(query)}`);
      const body = (await response.json()) as { data: { result: Array<{ value: [number, string] }> } };
      return body.data.result[0]?.value[1];
    });
    assert.equal(Number(value), produced.total);
  });

  it('reports as lag per partition what the broker\'s offsets give, while a frozen Redis holds the worker mid-unit and once it is back', async () => {
    const stableLag = async () => {
      // Quiescent: two reads a second apart agree, and the gauge equals the broker's view.
      const first = samples(await scrape(), 'tributary_consumer_lag', app);
      await sleep(1000);
      const second = samples(await scrape(), 'tributary_consumer_lag', app);
      const broker = new Map([...(await brokerLag(admin, app, input)), ...(await brokerLag(admin, app, topics.SUM_FACTORS_TOPIC))]);
      return JSON.stringify([...first]) === JSON.stringify([...second]) && JSON.stringify([...second].sort()) === JSON.stringify([...broker].sort()) ? second : undefined;
    };
    const idle = await eventually('the lag to settle with everything processed', stableLag);
    assert.deepEqual([...idle.values()], Array(2 * PARTITIONS).fill(0));

    redis.kill('SIGSTOP');
    await produce(300, 0);
    const held = await eventually('the lag to settle while Redis is frozen', stableLag);
    assert.equal([...held.values()].reduce((a, b) => a + b, 0), 300, JSON.stringify([...held]));

    redis.kill('SIGCONT');
    const caughtUp = await eventually('the lag to return to 0 once Redis is back', async () => {
      const lag = await stableLag();
      return lag && [...lag.values()].every((n) => n === 0) ? lag : undefined;
    });
    assert.equal(caughtUp.size, 2 * PARTITIONS);
    assert.equal(await worker.stop(), 0);
  });
});
