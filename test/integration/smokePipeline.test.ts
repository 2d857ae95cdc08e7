import assert from 'node:assert/strict';
import avro from 'avsc';
import { Redis } from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import { loadConnectionConfig } from '../../runtime/config.ts';
import { createLogger } from '../../runtime/logger.ts';
import { READING_SCHEMA, runSmokePipeline, type SmokeRun } from '../../runtime/stack/smokePipeline.ts';
import { UnreadableRecordError } from '../../runtime/unreadableRecordError.ts';
import { createRegistryClient } from '../../schemas/registryClient.ts';

// Runs the pipeline once against the real stack and checks each component independently of it:
// a fake registry, Kafka or Redis would pass the pipeline's own bookkeeping but not these reads.
describe('smoke pipeline through Kafka, the schema registry and Redis', function () {
  this.timeout(120_000);
  const connection = loadConnectionConfig();
  let run: SmokeRun;
  const reported: UnreadableRecordError[] = [];

  before(async () => {
    run = await runSmokePipeline({
      connection,
      logger: createLogger('silent'),
      onUnreadable: (error) => reported.push(error),
    });
  });

  it('counts every well-formed record per key in Redis, read back on a separate connection', async () => {
    const redis = new Redis(connection.redisUrl, { lazyConnect: true });
    try {
      await redis.connect();
      const info = await redis.info('server');
      assert.match(info, /redis_version:\d+\./, 'a real Redis answers INFO');
      for (const [key, produced] of Object.entries(run.produced)) {
        assert.equal(Number(await redis.get(run.redisPrefix + key)), produced, `count of ${key}`);
      }
      assert.ok((await redis.ttl(run.redisPrefix + 'sensor-a')) > 0, 'smoke keys expire');
    } finally {
      redis.disconnect();
    }
    assert.deepEqual(run.counted, run.produced);
  });

  it('registers the schema in the registry, which returns it by id and under the topic subject', async () => {
    const registry = createRegistryClient({ url: connection.registryUrl });
    const fetched = await registry.schemaById(run.schemaId);
    assert.ok(fetched.equals(avro.Type.forSchema(READING_SCHEMA)), 'the schema stored under the id is ours');
    const latest = await registry.version(run.subject, 'latest');
    assert.equal(latest.id, run.schemaId);
  });

  it('stores Confluent-framed Avro in Kafka and commits the consumer group at the end of each partition', async () => {
    const kafka = new Kafka({ clientId: 'smoke-test', brokers: connection.brokers, logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    try {
      const ends = await admin.fetchTopicOffsets(run.topic);
      const [committed] = await admin.fetchOffsets({ groupId: run.groupId, topics: [run.topic] });
      for (const end of ends) {
        const partition = committed!.partitions.find((p) => p.partition === end.partition);
        assert.equal(partition?.offset, end.high, `group committed partition ${end.partition} to its end`);
      }
      const total = ends.reduce((sum, end) => sum + Number(end.high), 0);
      assert.equal(total, run.consumed);
      assert.equal(total, Object.values(run.produced).reduce((a, b) => a + b, 0) + run.malformedAt.length);
    } finally {
      await admin.disconnect();
    }
  });

  it('reports a malformed record as UNREADABLE_RECORD naming topic, partition and offset, and counts the records around it', () => {
    assert.equal(run.malformedAt.length, 2, 'one malformed record per partition');
    assert.deepEqual(
      reported.map((e) => ({ partition: e.partition, offset: e.offset })).sort((a, b) => a.partition - b.partition),
      run.malformedAt,
    );
    for (const error of reported) {
      assert.ok(error instanceof UnreadableRecordError);
      assert.equal(error.code, 'UNREADABLE_RECORD');
      assert.equal(error.reason, 'NOT_FRAMED');
      assert.ok(error.message.startsWith(`cannot read record ${run.topic}[${error.partition}]@${error.offset}: `), error.message);
      assert.match(error.message, /not a Confluent-framed Avro record/);
      // Records were produced on both sides of it in its partition, and all of them were counted.
      assert.ok(Number(error.offset) > 0);
    }
    assert.deepEqual(run.unreadable, reported);
    assert.deepEqual(run.counted, run.produced);
  });
});
