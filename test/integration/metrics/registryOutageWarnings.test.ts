import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import type { KafkaMessage } from 'kafkajs';
import { pino } from 'pino';
import { topology } from '../../../processors/topologyBuilder.ts';
import { loadConnectionConfig } from '../../../runtime/config.ts';
import { TaskMetrics } from '../../../runtime/metrics/taskMetrics.ts';
import { WorkerMetrics } from '../../../runtime/metrics/workerMetrics.ts';
import type { OutboxRecord } from '../../../runtime/worker/outboxRecord.ts';
import { StreamTask } from '../../../runtime/worker/streamTask.ts';
import { taskStores } from '../../../runtime/worker/taskStores.ts';
import { DEFAULT_UNIT_RECORDS } from '../../../runtime/worker/workerConfig.ts';
import { RegistryUnavailableError } from '../../../schemas/errors.ts';
import type { Serde } from '../../../schemas/serde.ts';
import { stringSerde } from '../../../schemas/stringSerde.ts';
import { closeRedis, connectRedis } from '../../../state/redis/redisConnection.ts';
import { RedisTaskState } from '../../../state/redis/redisTaskState.ts';

const RECORDS = 50;
const OUTAGE_ROUNDS = 3;

describe('a task reading a batch through a registry outage', function () {
  this.timeout(60_000);
  const redis = connectRedis(loadConnectionConfig().redisUrl);
  after(() => closeRedis(redis));

  it('logs one warning and counts one registry retry per retry round of the batch, not per record, and loses no record', async () => {
    let registryDown = true;
    const warnings: string[] = [];
    // The registry comes back once the batch has waited OUTAGE_ROUNDS rounds.
    const logs = new Writable({
      write(chunk: Buffer, _encoding, done) {
        const line = JSON.parse(chunk.toString()) as { msg: string };
        if (line.msg === 'registry unavailable; retrying' && warnings.push(line.msg) === OUTAGE_ROUNDS) registryDown = false;
        done();
      },
    });
    const values: Serde<string> = {
      serialize: stringSerde.serialize,
      deserialize: async (topic, bytes) => {
        if (registryDown) throw new RegistryUnavailableError('connect ECONNREFUSED');
        return stringSerde.deserialize(topic, bytes);
      },
    };
    const id = randomBytes(4).toString('hex');
    const app = topology(`outage-${id}`, { serdes: { key: stringSerde, value: values } });
    app.stream<string, string>('in').mapValues((v) => v.toUpperCase()).to('out');
    const built = app.build();
    const subtopology = built.subtopologies[0]!;
    const sent: OutboxRecord[] = [];
    const metrics = new WorkerMetrics();
    const task = await StreamTask.open({
      topology: built,
      subtopology,
      partition: 0,
      state: new RedisTaskState(redis, { app: `outage-${id}`, taskId: '0_0', stores: taskStores(built, subtopology) }),
      globalStores: new Map(),
      sender: { open: async () => undefined, send: async (records) => void sent.push(...records), close: async () => undefined },
      unitRecords: DEFAULT_UNIT_RECORDS,
      committedOffsets: async () => ({}),
      endOffsets: async () => ({ in: RECORDS }),
      retry: (_what, operation) => operation(),
      signal: new AbortController().signal,
      logger: pino({ level: 'warn' }, logs),
      metrics: new TaskMetrics(metrics, 'outage'),
      deadLetterTopic: (topic) => `${topic}.dlq`,
      wallClockTime: () => Date.now(),
    });
    const messages = Array.from({ length: RECORDS }, (_, i): KafkaMessage => ({
      key: Buffer.from(`k${i}`),
      value: Buffer.from(`v${i}`),
      timestamp: String(1_000 + i),
      offset: String(i),
      attributes: 0,
      headers: {},
    }));
    await task.enqueue(() => task.processBatch('in', messages, String(RECORDS)));

    assert.equal(warnings.length, OUTAGE_ROUNDS);
    const [retries] = (await metrics.registryRetries.get()).values;
    assert.equal(retries?.value, OUTAGE_ROUNDS);
    assert.deepEqual(
      sent.map((r) => r.value?.toString()),
      messages.map((m) => m.value!.toString().toUpperCase()),
    );
    await task.close();
  });
});
