import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel, type IHeaders, type Producer } from 'kafkajs';
import { loadConnectionConfig } from '../../runtime/config.ts';
import { loadTopology } from '../../runtime/loadTopology.ts';
import { OUTPUT_ID_HEADER } from '../../runtime/worker/outboxRecord.ts';
import { taskStores } from '../../runtime/worker/taskStores.ts';
import { AvroSerde } from '../../schemas/avroSerde.ts';
import { loadCatalogue } from '../../schemas/catalogue.ts';
import { registerEntry } from '../../schemas/catalogueRegistration.ts';
import { deadLetterTopic } from '../../schemas/deadLetterHeaders.ts';
import { createRegistryClient, type RegistryClient } from '../../schemas/registryClient.ts';
import type { KeyValueStore } from '../../state/keyValueStore.ts';
import { closeRedis, connectRedis } from '../../state/redis/redisConnection.ts';
import { RedisTaskState } from '../../state/redis/redisTaskState.ts';
import { FAULT_WORKER_ENV, WorkerProcess } from '../support/workerProcess.ts';
import { FAULT_CATALOGUE_DIR, type AmountRecorded, type TotalUpdated } from './fixtures/avroTotalsTopology.ts';
import { createTopics } from '../../runtime/kafka/createTopics.ts';

const FIXTURE = fileURLToPath(new URL('./fixtures/avroTotalsTopology.ts', import.meta.url));

/** A record ready to send: the value bytes as a producer wrote them, and the amount they carry when valid. */
export interface Outgoing {
  readonly key: string;
  readonly value: Buffer;
  /** Undefined for a record that is not a readable AmountRecorded. */
  readonly amount?: number;
}

/** A record read back from a topic, bytes and headers as they are. */
export interface Consumed {
  readonly partition: number;
  readonly offset: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: Record<string, string>;
}

/** Where a sent record landed. */
export interface Landed extends Outgoing {
  readonly partition: number;
  readonly offset: string;
}

export type TotalsByAccount = Map<string, TotalUpdated[]>;

/**
 * One run of the Avro fault tests' running-totals topology on the real stack: its own topics
 * and subjects (a per-run prefix), application id and Redis keys; a producer that encodes
 * with the test's own serde (bound straight to the registry, so its ids are cached before any
 * outage); a read_committed reader of the totals and of the dead-letter topic; a reader of
 * the totals in Redis; and the reference fold they must all equal.
 */
export class AvroTotalsScenario {
  readonly id = randomBytes(4).toString('hex');
  readonly prefix = `f${this.id}.`;
  readonly catalogue = loadCatalogue(FAULT_CATALOGUE_DIR, { topicPrefix: this.prefix });
  readonly input = `${this.prefix}fault.amount.recorded`;
  readonly output = `${this.prefix}fault.total.updated`;
  readonly deadLetters = deadLetterTopic(this.input);
  readonly app = `fault-avro-${this.id}`;
  readonly partitions = 6;
  readonly accounts = 24;
  readonly workers: WorkerProcess[] = [];
  readonly connection = loadConnectionConfig();
  /** The test's own registry client: never behind the gate the workers may use. */
  readonly registry: RegistryClient = createRegistryClient({ url: this.connection.registryUrl });
  readonly serde = new AvroSerde({ registry: this.registry, catalogue: this.catalogue });
  /** Valid amounts as sent, per account, in order. */
  readonly sent = new Map<string, number[]>();
  private readonly kafka = new Kafka({ clientId: `fault-avro-${this.id}`, brokers: this.connection.brokers, logLevel: logLevel.NOTHING });
  private producer: Producer | undefined;
  private encoded = 0;

  constructor(
    readonly guarantee: 'at_least_once' | 'exactly_once',
    private readonly workerEnv: Record<string, string> = {},
  ) {}

  /** Creates the topics, registers both schemas (as `tributary schemas register` would) and connects the producer. */
  async setup(): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    await createTopics(admin, [this.input, this.output].map((topic) => ({ topic, numPartitions: this.partitions, replicationFactor: 1 })));
    await admin.disconnect();
    for (const entry of this.catalogue.entries) await registerEntry(this.registry, entry);
    this.producer = this.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await this.producer.connect();
  }

  /** Starts another worker process (not yet waiting for it to join). */
  worker(env: Record<string, string> = {}): WorkerProcess {
    const worker = new WorkerProcess(`worker-${this.workers.length + 1}`, [FIXTURE, '--application-id', this.app, '--guarantee', this.guarantee], {
      AVRO_FAULT_TOPIC_PREFIX: this.prefix,
      ...FAULT_WORKER_ENV,
      ...this.workerEnv,
      ...env,
    }).start();
    this.workers.push(worker);
    return worker;
  }

  /** The next valid amount, round-robin over the accounts (amounts 1–999). */
  nextAmount(): AmountRecorded {
    const n = this.encoded++;
    return { eventId: `${this.id}-${n}`, account: accountName(n % this.accounts), amountMinor: 1 + Math.floor(Math.random() * 999) };
  }

  /**
   * `count` valid records, encoded now (with the test's serde, or `encode` for another writer
   * schema) and sent later: bytes encoded before an outage need no registry to be sent during it.
   */
  async encode(count: number, encode: (value: AmountRecorded) => Promise<Buffer> | Buffer = (v) => this.serde.serialize(this.input, v)): Promise<Outgoing[]> {
    const out: Outgoing[] = [];
    for (let i = 0; i < count; i++) {
      const value = this.nextAmount();
      out.push({ key: value.account, value: await encode(value), amount: value.amountMinor });
    }
    return out;
  }

  /** Sends records in order, in batches of 100, and notes the valid ones' amounts for the reference. */
  async send(records: readonly Outgoing[]): Promise<void> {
    for (let i = 0; i < records.length; i += 100) {
      const batch = records.slice(i, i + 100);
      await this.producer!.send({ topic: this.input, messages: batch.map(({ key, value }) => ({ key, value })), acks: -1 });
      for (const r of batch) if (r.amount !== undefined) this.sent.set(r.key, [...(this.sent.get(r.key) ?? []), r.amount]);
    }
  }

  /** Sends one record on its own and says where it landed. */
  async sendOne(record: Outgoing): Promise<Landed> {
    const [meta] = await this.producer!.send({ topic: this.input, messages: [{ key: record.key, value: record.value }], acks: -1 });
    if (record.amount !== undefined) this.sent.set(record.key, [...(this.sent.get(record.key) ?? []), record.amount]);
    return { ...record, partition: meta!.partition, offset: meta!.baseOffset! };
  }

  get total(): number {
    return [...this.sent.values()].reduce((n, amounts) => n + amounts.length, 0);
  }

  /** The totals each account's outputs must show, in order: the reference fold. */
  expectedTotals(): TotalsByAccount {
    return new Map(
      [...this.sent].map(([account, amounts]) => {
        let totalMinor = 0;
        return [account, amounts.map((a, i) => ({ account, totalMinor: (totalMinor += a), count: i + 1 }))];
      }),
    );
  }

  /** The committed totals, decoded with the test's serde, until there are `count` (and a second more, to show any extra). */
  async readTotals(count: number, timeoutMs = 90_000): Promise<Array<TotalUpdated & { id: string }>> {
    const records = await this.read(this.output, count, timeoutMs);
    return Promise.all(
      records.map(async (r) => ({ ...((await this.serde.deserialize(this.output, r.value!)) as TotalUpdated), id: r.headers[OUTPUT_ID_HEADER] ?? '' })),
    );
  }

  /** The committed dead letters, until there are `count` (and a second more). */
  readDeadLetters(count: number, timeoutMs = 60_000): Promise<Consumed[]> {
    return this.read(this.deadLetters, count, timeoutMs);
  }

  /** How many records a topic's partitions hold in all (committed or not): 0 means nothing was ever written. */
  async recordsIn(topic: string): Promise<number> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const offsets = await admin.fetchTopicOffsets(topic);
      return offsets.reduce((n, o) => n + Number(o.high) - Number(o.low), 0);
    } finally {
      await admin.disconnect();
    }
  }

  /** Each account's total and count as the store in Redis holds them. */
  async stateTotals(): Promise<Map<string, TotalUpdated>> {
    const topology = await loadTopology(FIXTURE);
    const redis = connectRedis(this.connection.redisUrl);
    const keys = [...this.sent.keys()];
    const found = new Map<string, TotalUpdated>();
    try {
      for (let partition = 0; partition < this.partitions; partition++) {
        const state = new RedisTaskState(redis, { app: this.app, taskId: `0_${partition}`, stores: taskStores(topology, topology.subtopologies[0]!) });
        await state.load(keys.map((key) => ({ store: 'totals', kind: 'key' as const, key })));
        const store = state.store('totals') as KeyValueStore<string, { value: TotalUpdated }>;
        for (const key of keys) {
          const entry = store.get(key);
          if (entry === undefined) continue;
          assert.ok(!found.has(key), `account ${key} has state in two tasks`);
          found.set(key, { ...entry.value });
        }
        state.close();
      }
    } finally {
      await closeRedis(redis);
    }
    return found;
  }

  /** The last lines each worker logged, for failure messages. */
  tails(lines = 15): string {
    return this.workers.map((w) => `--- ${w.name}\n${w.tail(lines)}`).join('\n');
  }

  private async read(topic: string, count: number, timeoutMs: number): Promise<Consumed[]> {
    const consumer = this.kafka.consumer({ groupId: `fault-reader-${randomBytes(4).toString('hex')}`, readUncommitted: false });
    const records: Consumed[] = [];
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    let satisfied!: () => void;
    const done = new Promise<void>((resolve) => (satisfied = resolve));
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        records.push({ partition, offset: message.offset, key: message.key, value: message.value, headers: textHeaders(message.headers) });
        if (records.length >= count) satisfied();
      },
    });
    const timer = new Promise<void>((_, reject) =>
      setTimeout(() => reject(new Error(`read ${records.length} of ${count} records of ${topic} in ${timeoutMs} ms\n${this.tails()}`)), timeoutMs).unref(),
    );
    try {
      await Promise.race([done, timer]);
      await new Promise((r) => setTimeout(r, 1000)); // anything extra (a duplicate) shows up too
      return [...records];
    } finally {
      await consumer.disconnect();
    }
  }

  async teardown(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.kill()));
    await this.producer?.disconnect();
    const admin = this.kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [this.input, this.output, this.deadLetters, deadLetterTopic(this.output)] }).catch(() => undefined);
    await admin.disconnect();
  }
}

export function accountName(i: number): string {
  return `acct-${String(i).padStart(2, '0')}`;
}

/** Groups outputs by account, in the order read (one account lives in one partition, so that is the order written). */
export function totalsByAccount(outputs: readonly TotalUpdated[]): TotalsByAccount {
  const by = new Map<string, TotalUpdated[]>();
  for (const { account, totalMinor, count } of outputs) by.set(account, [...(by.get(account) ?? []), { account, totalMinor, count }]);
  return by;
}

export function sortedByKey<V>(map: Map<string, V>): Map<string, V> {
  return new Map([...map].sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** Waits until each worker has logged `count` assignments. */
export async function assignedTimes(workers: readonly WorkerProcess[], count = 1): Promise<void> {
  await Promise.all(
    workers.map(async (w) => {
      for (let from = 0, seen = 0; seen < count; seen++) {
        await w.waitForLog(/"msg":"assigned"/, 60_000, from);
        from = w.logs.findIndex((l, i) => i >= from && /"msg":"assigned"/.test(l)) + 1;
      }
    }),
  );
}

function textHeaders(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, raw] of Object.entries(headers ?? {})) {
    const value = Array.isArray(raw) ? raw[0] : raw;
    if (value !== undefined) out[name] = value.toString();
  }
  return out;
}
