import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel, Partitioners, type Producer } from 'kafkajs';
import { loadConnectionConfig } from '../../../runtime/config.ts';
import { createLogger } from '../../../runtime/logger.ts';
import { EVENT_ID_HEADER, kafkaRecordSender } from '../../../runtime/outbox/kafkaRecordSender.ts';
import { OutboxRelay, type RecordSender } from '../../../runtime/outbox/outboxRelay.ts';
import { jsonSerde } from '../../../schemas/jsonSerde.ts';
import { stringSerde } from '../../../schemas/stringSerde.ts';
import { RedisCommandOutbox, type OutboxRecord } from '../../../state/redis/commandOutbox.ts';
import { closeRedis, connectRedis, type RedisClient } from '../../../state/redis/redisConnection.ts';
import { createTopics } from '../../../runtime/kafka/createTopics.ts';

const REPO = fileURLToPath(new URL('../../..', import.meta.url));
const connection = loadConnectionConfig();
const serdes = { key: stringSerde, value: jsonSerde<unknown>() } as never;

/** Every record on `topic` from the start, as [event id, key, value], once `count` arrived. */
async function readTopic(kafka: Kafka, topic: string, count: number): Promise<Array<[string, string, unknown]>> {
  const consumer = kafka.consumer({ groupId: `${topic}-reader-${randomBytes(4).toString('hex')}`, maxWaitTimeInMs: 200 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const seen: Array<[string, string, unknown]> = [];
  await new Promise<void>((resolve) => {
    void consumer.run({
      eachMessage: async ({ message }) => {
        seen.push([String(message.headers![EVENT_ID_HEADER]), message.key!.toString(), JSON.parse(message.value!.toString())]);
        if (seen.length >= count) resolve();
      },
    });
  });
  await consumer.disconnect();
  return seen;
}

async function drained(outbox: RedisCommandOutbox): Promise<void> {
  while ((await outbox.pending(1)).length) await new Promise((r) => setTimeout(r, 50));
}

describe('outbox relay (real Redis and Kafka)', function () {
  this.timeout(60_000);
  const id = randomBytes(4).toString('hex');
  const topic = `outbox.${id}.events`;
  const kafka = new Kafka({ brokers: connection.brokers, logLevel: logLevel.NOTHING });
  let redis: RedisClient;
  let producer: Producer;
  const logger = createLogger('silent');

  before(async () => {
    redis = connectRedis(connection.redisUrl);
    const admin = kafka.admin();
    await admin.connect();
    await createTopics(admin, [{ topic, numPartitions: 2 }]);
    await admin.disconnect();
    producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
  });

  after(async () => {
    await producer.disconnect();
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
    const keys = (await Promise.all(['idem', 'relay', 'lease'].map((test) => redis.keys(`tributary:{outbox-${test}-${id}:commands}:*`)))).flat();
    if (keys.length) await redis.del(...keys);
    await closeRedis(redis);
  });

  it('writes a command once per idempotency key: a retry gets the first answer and adds no record', async () => {
    const outbox = new RedisCommandOutbox(redis, { app: `outbox-idem-${id}` });
    const first = await outbox.write([RedisCommandOutbox.record(topic, 'k', { n: 1 })], { key: 'req-1', response: { orderId: 'a' }, ttlMs: 60_000 });
    const retry = await outbox.write([RedisCommandOutbox.record(topic, 'k', { n: 2 })], { key: 'req-1', response: { orderId: 'b' }, ttlMs: 60_000 });
    assert.deepEqual(first, { written: true });
    assert.deepEqual(retry, { written: false, response: { orderId: 'a' } });
    assert.deepEqual(await outbox.answered('req-1'), { orderId: 'a' });
    assert.deepEqual((await outbox.pending(10)).map((p) => p.record.value), [{ n: 1 }]);
  });

  it('loses nothing when the relay dies between send and trim; the resend repeats the same event ids', async () => {
    const outbox = new RedisCommandOutbox(redis, { app: `outbox-relay-${id}` });
    const written: OutboxRecord[] = [];
    for (let command = 0; command < 20; command++) {
      const records = [RedisCommandOutbox.record(topic, `order-${command}`, { command, step: 'a' }), RedisCommandOutbox.record(topic, `order-${command}`, { command, step: 'b' })];
      await outbox.write(records);
      written.push(...records);
    }
    const kafkaSender = kafkaRecordSender(producer, () => serdes);
    let crashes = 0;
    // The first batch reaches Kafka, then the relay "dies" before it trims.
    const crashingAfterSend: RecordSender = {
      async send(records) {
        await kafkaSender.send(records);
        if (crashes++ === 0) throw new Error('killed between send and trim');
      },
    };
    const relay = OutboxRelay.start({ outbox, sender: crashingAfterSend, logger, batchSize: 15, idleMs: 20 });
    await drained(outbox);
    await relay.stop();

    const received = await readTopic(kafka, topic, written.length + 15);
    const byId = new Map(received.map(([eventId, key, value]) => [eventId, { key, value }]));
    // No loss: every record, under its own event id.
    assert.deepEqual(new Map(written.map((r) => [r.id, { key: r.key, value: r.value }])), byId);
    // Duplicates only of the batch sent before the crash, with the ids it had.
    assert.equal(received.length, written.length + 15);
    const counts = new Map<string, number>();
    for (const [eventId] of received) counts.set(eventId, (counts.get(eventId) ?? 0) + 1);
    assert.deepEqual(written.map((r) => counts.get(r.id)), written.map((_r, i) => (i < 15 ? 2 : 1)));
    // Per key, Kafka keeps the outbox's order (duplicates aside).
    for (let command = 0; command < 20; command++) {
      const steps = received.filter(([, key]) => key === `order-${command}`).map(([, , value]) => (value as { step: string }).step);
      assert.deepEqual([...new Set(steps)], ['a', 'b']);
    }
  });

  it('sends through one relay at a time: two relays on one outbox send each record once', async () => {
    const outbox = new RedisCommandOutbox(redis, { app: `outbox-lease-${id}` });
    const kafkaSender = kafkaRecordSender(producer, () => serdes);
    const sent: string[][] = [[], []];
    const relays = [0, 1].map((i) => OutboxRelay.start({ outbox, logger, batchSize: 5, idleMs: 10, sender: { send: async (records) => (sent[i]!.push(...records.map((r) => r.id)), kafkaSender.send(records)) } }));
    const written: string[] = [];
    for (let command = 0; command < 30; command++) {
      const record = RedisCommandOutbox.record(topic, `lease-${command}`, { command });
      await outbox.write([record]);
      written.push(record.id);
    }
    await drained(outbox);
    await Promise.all(relays.map((r) => r.stop()));
    assert.deepEqual([...sent[0]!, ...sent[1]!].sort(), [...written].sort());
    assert.ok(sent.some((ids) => ids.length === 0), 'one relay held the lease');
  });

  it('resends after a relay process is killed between send and trim: the killed batch comes twice, with the same event ids', async () => {
    const app = `outbox-killed-${id}`;
    const outbox = new RedisCommandOutbox(redis, { app });
    const before = await topicSize(kafka, topic);
    const written = Array.from({ length: 12 }, (_v, i) => RedisCommandOutbox.record(topic, `killed-${i}`, { i }));
    await outbox.write(written);
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/integration/http/fixtures/relayKilledAfterSend.ts'], { cwd: REPO, env: { ...process.env, OUTBOX_APP: app, OUTBOX_BATCH: '5' }, stdio: 'ignore' });
    const [, signal] = await once(child, 'exit');
    assert.equal(signal, 'SIGKILL');
    assert.equal((await outbox.pending(100)).length, written.length, 'the killed relay trimmed nothing');

    const relay = OutboxRelay.start({ outbox, sender: kafkaRecordSender(producer, () => serdes), logger, idleMs: 20 });
    await drained(outbox);
    await relay.stop();
    const received = (await readTopic(kafka, topic, before + written.length + 5)).filter(([eventId]) => written.some((w) => w.id === eventId));
    const counts = written.map((w) => received.filter(([eventId]) => eventId === w.id).length);
    assert.deepEqual(counts, written.map((_w, i) => (i < 5 ? 2 : 1)));
    await redis.del(...(await redis.keys(`tributary:{${app}:commands}:*`)), `tributary:{${app}:commands}:outbox`);
  });
});

/** How many records the topic holds now, over its partitions. */
async function topicSize(kafka: Kafka, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  const offsets = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  return offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
}
