import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { loadConnectionConfig } from '../../../runtime/config.ts';
import { tributary } from '../replay/tributaryCli.ts';
import { createTopics } from '../../../runtime/kafka/createTopics.ts';

const FIXTURE = 'test/integration/replay/fixtures/projectionTopology.ts';
const connection = loadConnectionConfig();

// The offsets are made by hand, so the expected lag is known without asking the broker the way the command does.
describe('tributary lag against Kafka', function () {
  this.timeout(120_000);
  const id = randomBytes(4).toString('hex');
  const app = `lag-${id}`;
  const source = `lag.${id}.orders`;
  const repartition = `${app}-by-customer-repartition`;
  const env = { REPLAY_APPLICATION: app, REPLAY_ORDERS_TOPIC: source, KAFKA_BROKERS: connection.brokers.join(',') };
  const kafka = new Kafka({ clientId: `lag-test-${id}`, brokers: connection.brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();

  before(async () => {
    await admin.connect();
    await createTopics(admin, [source, repartition].map((topic) => ({ topic, numPartitions: 3 })));
    const producer = kafka.producer();
    await producer.connect();
    const records = (n: number, partition: number) => Array.from({ length: n }, (_, i) => ({ partition, key: `k${i}`, value: '{}' }));
    await producer.send({ topic: source, messages: [...records(10, 0), ...records(5, 1)], acks: -1 });
    await producer.send({ topic: repartition, messages: records(4, 1), acks: -1 });
    await producer.disconnect();
    // Retention took the first two records of partition 0: the log starts at 2, the lag still counts from the committed offset.
    await admin.fetchTopicMetadata({ topics: [source] }); // kafkajs finds the partition leaders for deleteTopicRecords only in metadata it already holds
    await admin.deleteTopicRecords({ topic: source, partitions: [{ partition: 0, offset: '2' }] });
    await admin.setOffsets({ groupId: app, topic: source, partitions: [{ partition: 0, offset: '4' }] });
    await admin.setOffsets({ groupId: app, topic: repartition, partitions: [{ partition: 0, offset: '0' }, { partition: 1, offset: '1' }] });
  });

  after(async () => {
    await admin.deleteGroups([app]).catch(() => undefined);
    await admin.deleteTopics({ topics: [source, repartition] }).catch(() => undefined);
    await admin.disconnect();
  });

  it('prints, per source and repartition partition, the committed offset, log offsets and lag, and their total, as JSON', async () => {
    const { code, stdout, stderr } = await tributary(env, 'lag', FIXTURE, '--json');
    assert.equal(code, 0, stderr);
    const row = (topic: string, partition: number, committedOffset: number | null, logStartOffset: number, logEndOffset: number, lag: number | null) => ({ topic, partition, committedOffset, logStartOffset, logEndOffset, lag });
    assert.deepEqual(JSON.parse(stdout), {
      applicationId: app,
      partitions: [row(source, 0, 4, 2, 10, 6), row(source, 1, null, 0, 5, null), row(source, 2, null, 0, 0, null), row(repartition, 0, 0, 0, 0, 0), row(repartition, 1, 1, 0, 4, 3), row(repartition, 2, null, 0, 0, null)],
      totalLag: 9,
      partitionsWithoutOffset: 3,
    });
  });

  it("prints a table in kafka-consumer-groups' columns, - where the group has committed nothing", async () => {
    const { code, stdout, stderr } = await tributary(env, 'lag', FIXTURE);
    assert.equal(code, 0, stderr);
    const lines = stdout.trimEnd().split('\n').map((line) => line.split(/\s+/));
    assert.deepEqual(lines, [
      ['TOPIC', 'PARTITION', 'CURRENT-OFFSET', 'LOG-END-OFFSET', 'LAG'],
      [source, '0', '4', '10', '6'],
      [source, '1', '-', '5', '-'],
      [source, '2', '-', '0', '-'],
      [repartition, '0', '0', '0', '0'],
      [repartition, '1', '1', '4', '3'],
      [repartition, '2', '-', '0', '-'],
      ...[`total lag of ${app}: 9 (3 partitions without a committed offset not counted)`.split(' ')],
    ]);
  });
});
