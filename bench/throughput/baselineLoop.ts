/**
 * The ceiling: a raw kafkajs consume → produce loop with no framework, run as its own process
 * by the throughput bench (`node --import tsx bench/throughput/baselineLoop.ts`). It copies each
 * record's key, value bytes and timestamp from BENCH_INPUT_TOPIC to BENCH_OUTPUT_TOPIC as the
 * consumer group BENCH_GROUP, with the worker's at_least_once settings: the same consumer
 * (fetch wait 500 ms, 4 partitions at once, no auto-commit), an idempotent producer with one
 * request in flight and acks from all replicas, and per unit of up to BENCH_UNIT_RECORDS
 * records (the worker's default unit, 500, when unset) a send followed by the offset commit.
 * No decoding, no state.
 *
 * It prints the markers the bench reads, as JSON lines like the worker's pino logs:
 * `assigned` when the group assigns it partitions, `first record since claim` at its first record.
 */
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { loadConnectionConfig } from '../../runtime/config.ts';
import { DEFAULT_UNIT_RECORDS } from '../../runtime/worker/workerConfig.ts';

function mark(msg: string, fields: Record<string, unknown> = {}): void {
  process.stderr.write(`${JSON.stringify({ level: 30, time: Date.now(), msg, ...fields })}\n`);
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} must be set`);
  return value;
}

async function main(): Promise<void> {
  const input = required('BENCH_INPUT_TOPIC');
  const output = required('BENCH_OUTPUT_TOPIC');
  const groupId = required('BENCH_GROUP');
  // The worker's unit: up to this many records are sent, then their offsets committed.
  const unit = Number(process.env.BENCH_UNIT_RECORDS ?? DEFAULT_UNIT_RECORDS);
  if (!Number.isInteger(unit) || unit < 1) throw new Error(`BENCH_UNIT_RECORDS must be a positive integer, not '${process.env.BENCH_UNIT_RECORDS}'`);
  const kafka = new Kafka({ clientId: groupId, brokers: loadConnectionConfig().brokers, logLevel: logLevel.WARN, retry: { initialRetryTime: 200, maxRetryTime: 5_000, retries: 15 } });
  const consumer = kafka.consumer({ groupId, readUncommitted: true, sessionTimeout: 10_000, heartbeatInterval: 2_000, maxWaitTimeInMs: 500, allowAutoTopicCreation: false });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await consumer.disconnect();
    await producer.disconnect();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());

  let first = true;
  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => mark('assigned', { partitions: payload.memberAssignment[input] ?? [] }));
  await producer.connect();
  await consumer.connect();
  await consumer.subscribe({ topics: [input], fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: true,
    partitionsConsumedConcurrently: 4,
    eachBatch: async ({ batch }) => {
      if (first && batch.messages.length) {
        first = false;
        mark('first record since claim', { partition: batch.partition, offset: batch.messages[0]!.offset });
      }
      for (let i = 0; i < batch.messages.length; i += unit) {
        const messages = batch.messages.slice(i, i + unit);
        await producer.send({ topic: output, acks: -1, messages: messages.map((m) => ({ key: m.key, value: m.value, timestamp: m.timestamp })) });
        await consumer.commitOffsets([{ topic: input, partition: batch.partition, offset: String(Number(messages[messages.length - 1]!.offset) + 1) }]);
      }
    },
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
