import { randomBytes } from 'node:crypto';
import avro from 'avsc';
import { Redis } from 'ioredis';
import { Kafka, Partitioners, type Producer } from 'kafkajs';
import type { ConnectionConfig } from '../config.ts';
import { TributaryError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { UnreadableRecordError } from '../unreadableRecordError.ts';
import { DecodeFailedError, DeserializationError } from '../../schemas/errors.ts';
import { createRegistryClient } from '../../schemas/registryClient.ts';
import { frame, unframe } from '../../schemas/wireFormat.ts';
import { kafkajsLogs } from '../kafka/kafkajsLogs.ts';

/** The smoke record: one sensor reading. Its full name is also the registered schema's name. */
export const READING_SCHEMA = {
  type: 'record',
  name: 'Reading',
  namespace: 'tributary.smoke',
  fields: [
    { name: 'sensor', type: 'string' },
    { name: 'seq', type: 'int' },
    { name: 'celsius', type: 'double' },
  ],
} as const satisfies avro.Schema;

export interface Reading {
  sensor: string;
  seq: number;
  celsius: number;
}

export interface SmokePipelineOptions {
  connection: ConnectionConfig;
  logger: Logger;
  /** Well-formed records to produce per key (default four sensors, 5–11 records each). */
  recordsPerKey?: Readonly<Record<string, number>>;
  /** Partitions of the fresh topic (default 2); key i goes to partition i mod partitions. */
  partitions?: number;
  /** Put one malformed record (plain text, not Confluent-framed Avro) in the middle of each partition (default true). */
  includeMalformed?: boolean;
  /** Called for every record the consumer cannot read; the consumer goes on. */
  onUnreadable?: (error: UnreadableRecordError) => void;
  /** Give up when the consumer has not seen every record by then (default 60 s). */
  timeoutMs?: number;
}

/** Everything a caller needs to check a run against the real components. */
export interface SmokeRun {
  topic: string;
  subject: string;
  groupId: string;
  /** The id the registry gave the schema; every well-formed record is framed with it. */
  schemaId: number;
  /** Redis keys are `<redisPrefix><sensor>`, fresh per run, expiring after a day. */
  redisPrefix: string;
  /** Well-formed records produced per key. */
  produced: Record<string, number>;
  /** (partition, offset) of each malformed record produced. */
  malformedAt: { partition: number; offset: string }[];
  /** Per-key counts read back from Redis on a fresh connection after the consumer finished. */
  counted: Record<string, number>;
  unreadable: UnreadableRecordError[];
  /** Records the consumer group handled, readable or not. */
  consumed: number;
}

/** The consumer did not see every produced record in time. */
export class SmokeTimeoutError extends TributaryError {
  constructor(seen: number, expected: number, timeoutMs: number) {
    super('SMOKE_TIMEOUT', `the consumer saw ${seen} of ${expected} records within ${timeoutMs / 1000} s`);
  }
}

const DEFAULT_RECORDS: Record<string, number> = { 'sensor-a': 7, 'sensor-b': 5, 'sensor-c': 11, 'sensor-d': 9 };
const KEY_TTL_SECONDS = 24 * 3600;

/**
 * One pass through all three real components: registers the Reading schema under
 * `<topic>-value`, produces Avro records in the Confluent wire format to a fresh topic (plus,
 * by default, one malformed record in the middle of each partition), consumes them with a fresh
 * consumer group, increments a per-key count in Redis for each readable record, reports each
 * unreadable one as UnreadableRecordError without stopping, and reads the counts back.
 */
export async function runSmokePipeline(options: SmokePipelineOptions): Promise<SmokeRun> {
  const runId = `${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
  const topic = `tributary.smoke.readings.${runId}`;
  const subject = `${topic}-value`;
  const groupId = `tributary-smoke-${runId}`;
  const redisPrefix = `tributary:smoke:${runId}:count:`;
  const partitions = options.partitions ?? 2;
  const recordsPerKey = options.recordsPerKey ?? DEFAULT_RECORDS;
  const timeoutMs = options.timeoutMs ?? 60_000;
  const logger = options.logger.child({ component: 'smoke', topic });

  const kafka = new Kafka({ clientId: 'tributary-smoke', brokers: options.connection.brokers, logCreator: kafkajsLogs(logger.child({ client: 'kafkajs' })) });
  const registry = createRegistryClient({ url: options.connection.registryUrl });
  const type = avro.Type.forSchema(READING_SCHEMA);

  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }], waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
  const schemaId = await registry.register(subject, READING_SCHEMA, 'BACKWARD');
  logger.info({ subject, schemaId }, 'registered schema');

  const { produced, malformedAt } = await produceReadings(kafka, topic, partitions, recordsPerKey, schemaId, type, options.includeMalformed ?? true);
  const expected = Object.values(produced).reduce((a, b) => a + b, 0) + malformedAt.length;

  const redis = new Redis(options.connection.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 2 });
  const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false });
  const unreadable: UnreadableRecordError[] = [];
  let consumed = 0;
  const resolvers = new Map<number, avro.Resolver>();
  // Reads with the writer schema fetched by the frame's id (as any consumer must), resolved into ours.
  const readReading = async (value: Buffer | null): Promise<Reading> => {
    const { schemaId: writerId, payload } = unframe(value);
    let resolver = resolvers.get(writerId);
    if (!resolver) resolvers.set(writerId, (resolver = type.createResolver(await registry.schemaById(writerId))));
    try {
      return type.fromBuffer(payload, resolver) as Reading;
    } catch (error) {
      throw new DecodeFailedError(writerId, (error as Error).message, { cause: error });
    }
  };
  try {
    await redis.connect();
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    const allSeen = new Promise<void>((resolve) => {
      void consumer.run({
        eachMessage: async ({ partition, message }) => {
          try {
            const reading = await readReading(message.value);
            await redis.multi().incr(redisPrefix + reading.sensor).expire(redisPrefix + reading.sensor, KEY_TTL_SECONDS).exec();
          } catch (error) {
            if (!(error instanceof DeserializationError)) throw error; // Redis or registry trouble: let kafkajs retry the record
            const report = new UnreadableRecordError(topic, partition, message.offset, error.code, error);
            // A caller that takes the reports shows them itself; otherwise the log is where they go.
            logger[options.onUnreadable ? 'debug' : 'warn']({ code: report.code, reason: report.reason, partition, offset: message.offset }, report.message);
            unreadable.push(report);
            options.onUnreadable?.(report);
          }
          if (++consumed === expected) resolve();
        },
      });
    });
    await withDeadline(allSeen, timeoutMs, () => new SmokeTimeoutError(consumed, expected, timeoutMs));
  } finally {
    await consumer.disconnect().catch(() => {});
    redis.disconnect();
  }

  return { topic, subject, groupId, schemaId, redisPrefix, produced, malformedAt, counted: await readCounts(options.connection.redisUrl, redisPrefix, Object.keys(recordsPerKey)), unreadable, consumed };
}

/** Produces the readings (idempotent producer, explicit partitions), with one malformed record mid-way through each partition. */
async function produceReadings(
  kafka: Kafka,
  topic: string,
  partitions: number,
  recordsPerKey: Readonly<Record<string, number>>,
  schemaId: number,
  type: avro.Type,
  includeMalformed: boolean,
): Promise<{ produced: Record<string, number>; malformedAt: { partition: number; offset: string }[] }> {
  const producer: Producer = kafka.producer({ idempotent: true, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  try {
    const keys = Object.keys(recordsPerKey);
    const partitionOf = (key: string) => keys.indexOf(key) % partitions;
    const readings = (half: 0 | 1) =>
      keys.flatMap((sensor) => {
        const n = recordsPerKey[sensor]!;
        const [from, to] = half === 0 ? [0, Math.floor(n / 2)] : [Math.floor(n / 2), n];
        return Array.from({ length: to - from }, (_, i) => ({ sensor, seq: from + i, celsius: 18 + ((from + i) % 7) * 0.5 }));
      });
    const encode = (r: Reading) => ({ key: r.sensor, value: frame(schemaId, type.toBuffer(r)), partition: partitionOf(r.sensor) });

    await producer.send({ topic, messages: readings(0).map(encode) });
    const malformedAt: { partition: number; offset: string }[] = [];
    if (includeMalformed) {
      const results = await producer.send({
        topic,
        messages: Array.from({ length: partitions }, (_, partition) => ({ key: 'malformed', value: Buffer.from('{"sensor":"not avro"}'), partition })),
      });
      for (const result of results) malformedAt.push({ partition: result.partition, offset: result.baseOffset ?? '?' });
    }
    await producer.send({ topic, messages: readings(1).map(encode) });
    return { produced: { ...recordsPerKey }, malformedAt: malformedAt.sort((a, b) => a.partition - b.partition) };
  } finally {
    await producer.disconnect();
  }
}

async function readCounts(redisUrl: string, prefix: string, keys: string[]): Promise<Record<string, number>> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 2 });
  try {
    await redis.connect();
    const values = await redis.mget(keys.map((key) => prefix + key));
    return Object.fromEntries(keys.map((key, i) => [key, Number(values[i] ?? 0)]));
  } finally {
    redis.disconnect();
  }
}

function withDeadline<T>(promise: Promise<T>, ms: number, error: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(error()), ms)))]).finally(() => clearTimeout(timer));
}
