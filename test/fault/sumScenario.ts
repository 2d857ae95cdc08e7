import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { loadConnectionConfig } from '../../runtime/config.ts';
import { loadTopology } from '../../runtime/loadTopology.ts';
import { OUTPUT_ID_HEADER } from '../../runtime/worker/outboxRecord.ts';
import { taskStores } from '../../runtime/worker/taskStores.ts';
import type { KeyValueStore } from '../../state/keyValueStore.ts';
import { closeRedis, connectRedis } from '../../state/redis/redisConnection.ts';
import { RedisTaskState } from '../../state/redis/redisTaskState.ts';
import { readUntilLatestValues } from '../support/readLatestValues.ts';
import { FAULT_WORKER_ENV, WorkerProcess } from '../support/workerProcess.ts';
import { createTopics } from '../../runtime/kafka/createTopics.ts';
import { defaultPartition } from '../../runtime/queries/defaultPartitioner.ts';

const FIXTURE = fileURLToPath(new URL('./fixtures/sumTopology.ts', import.meta.url));

export interface SumOutput {
  readonly key: string;
  readonly sum: number;
  readonly id: string;
}

/**
 * One run of the fault tests' running-sum topology on the real stack: its own topics,
 * application id and Redis keys; a producer of numbers per key; a read_committed reader
 * of the output; a reader of the state in Redis; and the reference fold both must equal.
 */
export class SumScenario {
  readonly id = randomBytes(4).toString('hex');
  readonly input = `fault.${this.id}.numbers`;
  readonly output = `fault.${this.id}.sums`;
  readonly factorsTopic = `fault.${this.id}.factors`;
  readonly scaled = `fault.${this.id}.scaled`;
  /** Each key's final count per window, when the scenario is windowed. */
  readonly windows = `fault.${this.id}.windows`;
  /** Each key's sum times the factor of its sum's foreign key, when the scenario joins on one. */
  readonly enriched = `fault.${this.id}.enriched`;
  /** Each key's factor in the joined table. */
  readonly factors = new Map<string, number>();
  readonly app = `fault-sum-${this.id}`;
  readonly partitions = 6;
  readonly workers: WorkerProcess[] = [];
  /** What was produced, per key, in order. */
  readonly sent = new Map<string, number[]>();
  /** The event time of each record produced, per key, in order: 10 ms apart, in production order. */
  readonly sentAt = new Map<string, number[]>();
  private firstTimestamp: number | undefined;
  private readonly connection = loadConnectionConfig();
  private readonly kafka = new Kafka({ clientId: `fault-test-${this.id}`, brokers: this.connection.brokers, logLevel: logLevel.NOTHING });
  private producer: Producer | undefined;
  private produced = 0;

  constructor(
    readonly guarantee: 'at_least_once' | 'exactly_once',
    private readonly keys = 40,
    private readonly workerEnv: Record<string, string> = {},
    /**
     * What the workers do besides: count per key and hopping window, with suppressed finals
     * (`windows`); join each key's sum with the factor of a foreign key the sum names (`foreignKeyJoin`).
     */
    private readonly extras: { readonly windows?: boolean; readonly foreignKeyJoin?: boolean } = {},
  ) {}

  async setup(): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    await createTopics(admin, this.topics.map((topic) => ({ topic, numPartitions: this.partitions, replicationFactor: 1 })));
    await admin.disconnect();
    this.producer = this.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await this.producer.connect();
    for (let i = 0; i < this.keys; i++) this.factors.set(keyName(i), 1 + (i % 7));
    await this.producer.send({ topic: this.factorsTopic, messages: [...this.factors].map(([key, f]) => ({ key, value: JSON.stringify(f) })), acks: -1 });
  }

  /**
   * Waits until the workers have put every factor in the table's store. Records of two
   * topics of one task are applied in arrival order, not by timestamp (see the notes), so
   * a join test first lets the table fill.
   */
  async factorsApplied(timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while ((await this.readState('factors', [...this.factors.keys()])).size < this.factors.size) {
      if (Date.now() > deadline) throw new Error(`the factors table did not fill within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 300));
    }
  }

  /** Starts another worker process (not yet waiting for it to join). */
  worker(env: Record<string, string> = {}): WorkerProcess {
    const worker = new WorkerProcess(`worker-${this.workers.length + 1}`, [FIXTURE, '--application-id', this.app, '--guarantee', this.guarantee], {
      SUM_INPUT_TOPIC: this.input,
      SUM_OUTPUT_TOPIC: this.output,
      SUM_FACTORS_TOPIC: this.factorsTopic,
      SUM_SCALED_TOPIC: this.scaled,
      ...(this.extras.windows ? { SUM_WINDOWS_TOPIC: this.windows } : {}),
      ...(this.extras.foreignKeyJoin ? { SUM_ENRICHED_TOPIC: this.enriched } : {}),
      ...FAULT_WORKER_ENV,
      ...this.workerEnv,
      ...env,
    }).start();
    this.workers.push(worker);
    return worker;
  }

  /** Produces `count` numbers (1–9) round-robin over the keys, in batches of 100. */
  async produce(count: number): Promise<void> {
    for (let done = 0; done < count; done += 100) {
      const messages = [];
      for (let i = 0; i < Math.min(100, count - done); i++) {
        this.firstTimestamp ??= Date.now();
        const timestamp = this.firstTimestamp + 10 * this.produced;
        const key = keyName(this.produced++ % this.keys);
        const value = 1 + Math.floor(Math.random() * 9);
        this.sent.set(key, [...(this.sent.get(key) ?? []), value]);
        this.sentAt.set(key, [...(this.sentAt.get(key) ?? []), timestamp]);
        messages.push({ key, value: JSON.stringify(value), timestamp: String(timestamp) });
      }
      await this.producer!.send({ topic: this.input, messages, acks: -1 });
    }
  }

  get total(): number {
    return this.produced;
  }

  /** The running sums each key's outputs must show, in order: the reference fold. */
  expectedSums(): Map<string, number[]> {
    const expected = new Map<string, number[]>();
    for (const [key, values] of this.sent) {
      let sum = 0;
      expected.set(key, values.map((v) => (sum += v)));
    }
    return expected;
  }

  /** Each number times its key's factor, in order: what the join must write. */
  expectedScaled(): Map<string, number[]> {
    return new Map([...this.sent].map(([key, values]) => [key, values.map((v) => v * this.factors.get(key)!)]));
  }

  /** Resolves once the foreign-key join's latest result per key is `expectedEnriched()`; fails after two minutes. */
  enrichedSettles(): Promise<void> {
    return readUntilLatestValues(this.kafka, this.enriched, this.expectedEnriched(), 120_000);
  }

  /** Per key, its final sum times the factor of the key its sum names (`sumTopology.ts`'s foreign key). */
  expectedEnriched(): Map<string, number> {
    return new Map([...this.expectedSums()].map(([key, sums]) => [key, sums.at(-1)! * this.factors.get(foreignKeyOf(sums.at(-1)!))!]));
  }

  /**
   * Each key's count per 1 s window hopping by 500 ms (`<key>@<start>`), for the windows
   * that closed: those ending at or before the latest event time of the key's partition.
   */
  expectedWindowFinals(): Map<string, number> {
    const latest = new Map<number, number>();
    for (const [key, times] of this.sentAt) latest.set(partitionOf(key, this.partitions), Math.max(latest.get(partitionOf(key, this.partitions)) ?? -1, ...times));
    const finals = new Map<string, number>();
    for (const [key, times] of this.sentAt) {
      for (const t of times) {
        for (let start = t - (t % 500) - 500; start <= t; start += 500) {
          if (start < 0 || t >= start + 1000 || start + 1000 > latest.get(partitionOf(key, this.partitions))!) continue;
          finals.set(`${key}@${start}`, (finals.get(`${key}@${start}`) ?? 0) + 1);
        }
      }
    }
    return finals;
  }

  /**
   * Reads an output topic (read_committed; the running sums by default) until `enough` holds for what was read, or fails
   * after `timeoutMs` saying how far it got.
   */
  async readOutputs(enough: (outputs: SumOutput[]) => boolean, topic = this.output, timeoutMs = 120_000): Promise<SumOutput[]> {
    const consumer = this.kafka.consumer({ groupId: `fault-reader-${randomBytes(4).toString('hex')}`, readUncommitted: false });
    const outputs: SumOutput[] = [];
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    let satisfied!: () => void;
    const done = new Promise<void>((resolve) => (satisfied = resolve));
    await consumer.run({
      eachMessage: async ({ message }) => {
        outputs.push({
          key: message.key!.toString(),
          sum: JSON.parse(message.value!.toString()) as number,
          id: message.headers?.[OUTPUT_ID_HEADER]?.toString() ?? '',
        });
        if (enough(outputs)) satisfied();
      },
    });
    const timer = new Promise<void>((_, reject) =>
      setTimeout(() => reject(new Error(`read ${outputs.length} outputs in ${timeoutMs} ms; ${this.total} inputs\n${this.workers.map((w) => `--- ${w.name}\n${w.tail(15)}`).join('\n')}`)), timeoutMs).unref(),
    );
    try {
      await Promise.race([done, timer]);
      await new Promise((r) => setTimeout(r, 1000)); // anything extra (a duplicate) shows up too
      return [...outputs];
    } finally {
      await consumer.disconnect();
    }
  }

  /** Each key's sum as the state store in Redis holds it. */
  async stateSums(): Promise<Map<string, number>> {
    return this.readState('sums', [...this.sent.keys()]);
  }

  /** The values of `keys` in one of the topology's key-value stores, read from Redis as any worker would. */
  private async readState(storeName: string, keys: readonly string[]): Promise<Map<string, number>> {
    const topology = await loadTopology(FIXTURE);
    const redis = connectRedis(this.redisUrl);
    const found = new Map<string, number>();
    try {
      for (let partition = 0; partition < this.partitions; partition++) {
        const state = new RedisTaskState(redis, { app: this.app, taskId: `0_${partition}`, stores: taskStores(topology, topology.subtopologies[0]!) });
        await state.load(keys.map((key) => ({ store: storeName, kind: 'key' as const, key })));
        const store = state.store(storeName) as KeyValueStore<string, { value: number }>;
        for (const key of keys) {
          const entry = store.get(key);
          if (entry === undefined) continue;
          assert.ok(!found.has(key), `key ${key} has state in two tasks`);
          found.set(key, entry.value);
        }
        state.close();
      }
    } finally {
      await closeRedis(redis);
    }
    return found;
  }

  private get topics(): string[] {
    return [this.input, this.output, this.factorsTopic, this.scaled, ...(this.extras.windows ? [this.windows] : []), ...(this.extras.foreignKeyJoin ? [this.enriched] : [])];
  }

  private get redisUrl(): string {
    return this.workerEnv.REDIS_URL ?? this.connection.redisUrl;
  }

  async teardown(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.kill()));
    await this.producer?.disconnect();
    const admin = this.kafka.admin();
    await admin.connect();
    const topics = this.topics;
    await admin.deleteTopics({ topics: [...topics, ...topics.map((t) => `${t}.dlq`)] }).catch(() => undefined);
    await admin.disconnect();
    const redis = connectRedis(this.redisUrl);
    try {
      const nodes = 'nodes' in redis ? redis.nodes('master') : [redis];
      for (const node of nodes) for (const key of await node.keys(`tributary:{${this.app}:*`)) await redis.del(key);
    } finally {
      await closeRedis(redis);
    }
  }
}

function partitionOf(key: string, partitions: number): number {
  return defaultPartition(Buffer.from(key), partitions);
}

function keyName(i: number): string {
  return `k${i.toString().padStart(3, '0')}`;
}

/** The foreign key a sum names in the fixture's foreign-key join: one of the first seven keys, whose factors exist. */
export function foreignKeyOf(sum: number): string {
  return keyName(sum % 7);
}

/** Per key, the outputs' sums in the order read. */
export function sumsByKey(outputs: readonly SumOutput[]): Map<string, number[]> {
  const byKey = new Map<string, number[]>();
  for (const o of outputs) byKey.set(o.key, [...(byKey.get(o.key) ?? []), o.sum]);
  return byKey;
}

/** Keeps the first output of each id: what a `dedupe()` downstream would see. */
export function firstOfEachId(outputs: readonly SumOutput[]): SumOutput[] {
  const seen = new Map<string, SumOutput>();
  for (const o of outputs) {
    const first = seen.get(o.id);
    if (first) assert.deepEqual(o, first, `outputs sharing id ${o.id} differ`);
    else seen.set(o.id, o);
  }
  return [...seen.values()];
}
