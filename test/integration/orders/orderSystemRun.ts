import { randomBytes } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import type { OrderCreated, SagaTransitioned, ValueAndTimestamp } from '../../../index.ts';
import { loadConnectionConfig } from '../../../runtime/config.ts';
import { AGGREGATE_TOPICS, orderCatalogue, type OrderCatalogue, type RunTopicName } from '../../../runtime/demo/orderCatalogue.ts';
import { cancellationRecord, OrderProducer, type OrderRecord } from '../../../runtime/demo/orderProducer.ts';
import { OrderTopicFollower, type FollowedRecord } from '../../../runtime/demo/orderTopicFollower.ts';
import { prepareOrderTopics } from '../../../runtime/demo/orderTopicSetup.ts';
import { OrderWorkers, ORDER_TOPOLOGIES } from '../../../runtime/demo/orderWorkers.ts';
import { outcomeFeed } from '../../../runtime/demo/outcomeFollower.ts';
import { closeRedis, connectRedis, type RedisClient } from '../../../state/redis/redisConnection.ts';
import { decodeStored } from '../../../state/redis/storedValueCodec.ts';
import { clearNamespace, namespaceKeys } from '../../../state/redis/stateNamespace.ts';
import { DEFAULT_KEY_PREFIX } from '../../../state/redis/taskKeys.ts';
import type { OrderFlow } from '../../../topologies/orders/aggregate.ts';
import { OrderGenerator, type OrderMix, type PlannedBatch } from '../../../topologies/orders/load/orderGenerator.ts';
import { outcomeOf, isSagaEnd } from '../../../topologies/orders/load/orderOutcome.ts';
import type { OutcomeTracker } from '../../../topologies/orders/load/outcomeTracker.ts';
import type { DailyRevenue } from '../../../topologies/orders/orderProjections.ts';
import type { OrderSummary } from '../../../topologies/orders/projections/orderSummary.ts';

const DAY_MS = 86_400_000;

/** A generated load: how many orders, of which mix, from which seed. */
export interface GeneratedOrders {
  readonly orders: number;
  readonly mix: OrderMix;
  readonly seed: number;
}

/** Batches planned per producer request. */
const CHUNK = 500;

export interface OrderSystemRunOptions {
  /** Names the run's topics: `orders-<label>-<random>.` */
  readonly label: string;
  readonly topologies?: readonly string[];
  /** Worker environment besides the topic prefix (saga settings, service behaviour). */
  readonly env?: Readonly<Record<string, string>>;
  readonly partitions?: number;
  readonly processes?: number;
}

/**
 * One test file's order system on the real stack: its own topic prefix (so its topics,
 * groups and Redis state are its own), its topics and schemas, the order workers as real
 * processes (exactly once), a producer, and a follower that keeps every record of every
 * catalogue topic and of the Order aggregate's log and rejections for assertions. `stop()`
 * stops the workers and deletes the run's topics.
 */
export class OrderSystemRun {
  private constructor(
    /** Every record of the catalogue topics read so far, in the order read. */
    readonly records: readonly FollowedRecord[],
    readonly orders: OrderCatalogue,
    readonly kafka: Kafka,
    readonly redis: RedisClient,
    readonly producer: OrderProducer,
    readonly workers: OrderWorkers,
    private readonly follower: OrderTopicFollower,
    private readonly onRecord: Set<(record: FollowedRecord) => void>,
  ) {}

  static async start(options: OrderSystemRunOptions): Promise<OrderSystemRun> {
    const connection = loadConnectionConfig();
    const prefix = `orders-${options.label}-${randomBytes(3).toString('hex')}.`;
    const orders = orderCatalogue(prefix, connection.registryUrl);
    const kafka = new Kafka({ clientId: 'order-tests', brokers: connection.brokers, logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await prepareOrderTopics(admin, orders, connection.registryUrl, options.partitions ?? 2);
    await admin.disconnect();
    const listeners = new Set<(record: FollowedRecord) => void>();
    const records: FollowedRecord[] = [];
    const topics = [...orders.catalogue.entries.map((e) => e.topic.slice(prefix.length) as RunTopicName), ...AGGREGATE_TOPICS];
    const follower = await OrderTopicFollower.start(kafka, orders, topics, (record) => {
      records.push(record);
      for (const listener of listeners) listener(record);
    });
    const workers = new OrderWorkers({
      topologies: options.topologies ?? ORDER_TOPOLOGIES,
      processes: options.processes ?? 1,
      guarantee: 'exactly_once',
      env: { ORDER_TOPIC_PREFIX: prefix, TRIBUTARY_COMMIT_INTERVAL_MS: '200', ...options.env },
    }).start();
    const run = new OrderSystemRun(records, orders, kafka, connectRedis(connection.redisUrl), await OrderProducer.connect(kafka, orders), workers, follower, listeners);
    try {
      await workers.ready(180_000);
    } catch (error) {
      await run.stop(); // the caller has no run to stop
      throw error;
    }
    return run;
  }

  /** Calls `listener` with every record read from now on. */
  listen(listener: (record: FollowedRecord) => void): () => void {
    this.onRecord.add(listener);
    return () => this.onRecord.delete(listener);
  }

  /**
   * Places generated orders all at once, the flow's outcomes fed to `tracker` (`outcomeFeed`)
   * as they are read, then sends each customer's cancellation as the tracker hands it out
   * (once the order's flow is seen running), until every order and group ended and the order
   * service announced every cancellation a flow took (`tracker.settled`); fails after
   * `timeoutMs`. The services fail orders by their data rules only (no failure rates), and a
   * group waits 10 minutes for its guests. Resolves with what was placed.
   */
  async placeGenerated(tracker: OutcomeTracker, flow: OrderFlow, { orders, mix, seed }: GeneratedOrders, timeoutMs: number): Promise<PlannedBatch[]> {
    const feed = outcomeFeed(tracker, flow);
    this.listen((record) => feed.take(record, Date.now()));
    const generator = new OrderGenerator({ mix, failureRates: { payment: 0, inventory: 0, shipping: 0 }, seed, groupDeadlineMs: 600_000 });
    const batches: PlannedBatch[] = [];
    for (let placed = 0; placed < orders; ) {
      const batch = generator.next(Date.now());
      batches.push(batch);
      placed += batch.orders.length;
    }
    for (let i = 0; i < batches.length; i += CHUNK) {
      const chunk = batches.slice(i, i + CHUNK);
      chunk.forEach((b) => tracker.planned(b));
      await this.producer.sendPlanned(chunk);
    }
    await this.waitFor(
      async () => {
        await this.send(tracker.dueCancellations().map(cancellationRecord));
        return tracker.settled;
      },
      timeoutMs,
      `every order to end and every cancellation taken to be announced (${tracker.snapshot().inFlight} in flight, ${tracker.cancellationsUnannounced().length} unannounced)`,
    );
    return batches;
  }

  send(records: readonly OrderRecord[]): Promise<void> {
    return this.producer.send(records);
  }

  /** The records of one topic read so far, optionally only those of one key, in the order read. */
  recordsOf<T extends RunTopicName>(topic: T, key?: string): FollowedRecord<T>[] {
    return this.records.filter((r): r is FollowedRecord<T> => r.topic === topic && (key === undefined || r.key === key));
  }

  /** One order's saga moves that changed its state (ignored inputs left out), in order. */
  moves(orderId: string): SagaTransitioned[] {
    return this.recordsOf('orders.saga.transitioned', orderId)
      .map((r) => r.value)
      .filter((t) => t.from !== t.to);
  }

  /** Resolves with how the order's saga ended, once it has. */
  outcome(orderId: string, timeoutMs = 60_000): Promise<string> {
    return this.waitFor(() => {
      const end = this.recordsOf('orders.saga.transitioned', orderId).find((r) => isSagaEnd(r.value));
      return end && outcomeOf(end.value);
    }, timeoutMs, `the saga of ${orderId} to end`);
  }

  /** Polls `probe` until it returns something other than undefined/false; fails after `timeoutMs` naming what it waited for. */
  async waitFor<T>(probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs: number, what: string): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}\nlast worker lines:\n${this.workers.tail(0, 10)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /**
   * Every entry of a key-value store of one of the run's applications (all its tasks), read
   * straight from Redis: key → stored value (a table's stores hold ValueAndTimestamp).
   */
  async keyValueStore<V>(application: string, store: string): Promise<Map<string, V>> {
    const entries = new Map<string, V>();
    for (const [, text] of await this.storeHashes(application, `kv:${store}`)) {
      const [key, stored] = decodeStored(text) as [string, V];
      entries.set(key, stored);
    }
    return entries;
  }

  /** The order summaries, once each of these orders' shows its outcome: COMPLETED for a completed order, else COMPENSATED. */
  async summariesShowing(orders: readonly OrderCreated[], outcome: (orderId: string) => string | undefined): Promise<Map<string, OrderSummary>> {
    return this.waitFor(
      async () => {
        const read = await this.tableStore<OrderSummary>('order-projections', 'order-summaries');
        return orders.every((o) => read.get(o.orderId)?.status === (outcome(o.orderId) === 'completed' ? 'COMPLETED' : 'COMPENSATED')) && read;
      },
      120_000,
      'every summary to show its order’s outcome',
    );
  }

  /**
   * The revenue per day these completions (order id, event time) add up to, in EUR (the generator's
   * currency), keyed as `windowStore` gives them, and the projection once it counts them.
   */
  async revenueOf(completions: Iterable<readonly [string, number]>, orders: readonly OrderCreated[]): Promise<{ expected: Map<string, DailyRevenue>; actual: Map<string, DailyRevenue> }> {
    const totals = new Map(orders.map((o) => [o.orderId, o.totalMinor]));
    const expected = new Map<string, DailyRevenue>();
    for (const [orderId, at] of completions) {
      const day = `EUR@${at - (at % DAY_MS)}`;
      const sum = expected.get(day) ?? { orders: 0, amountMinor: 0 };
      expected.set(day, { orders: sum.orders + 1, amountMinor: sum.amountMinor + totals.get(orderId)! });
    }
    const actual = await this.waitFor(
      async () => {
        const read = await this.windowStore<DailyRevenue>('order-projections', 'revenue-per-day');
        return [...expected].every(([day, r]) => read.get(day)?.orders === r.orders) && read;
      },
      60_000,
      'revenue per day to count every completed order',
    );
    return { expected, actual };
  }

  /** The values of a table's key-value store (a projection): key → value, without the timestamps. */
  async tableStore<V>(application: string, store: string): Promise<Map<string, V>> {
    const stored = await this.keyValueStore<ValueAndTimestamp<V>>(application, store);
    return new Map([...stored].map(([key, { value }]) => [key, value]));
  }

  /** Every entry of a windowed table's store: `<key>@<window start>` → value. */
  async windowStore<V>(application: string, store: string): Promise<Map<string, V>> {
    const entries = new Map<string, V>();
    for (const [field, text] of await this.storeHashes(application, `w:${store}:data`)) {
      const [key, stored] = decodeStored(text) as [string, ValueAndTimestamp<V>];
      entries.set(`${key}@${field.slice(field.lastIndexOf(':') + 1)}`, stored.value);
    }
    return entries;
  }

  /** Deletes the state of every application of the run (their ids start with its prefix), so runs do not pile up in Redis. */
  private async clearState(): Promise<void> {
    const apps = new Set<string>();
    for (const node of 'nodes' in this.redis ? this.redis.nodes('master') : [this.redis]) {
      for await (const keys of node.scanStream({ match: `${DEFAULT_KEY_PREFIX}{${this.orders.prefix}*`, count: 500 })) {
        for (const key of keys as string[]) apps.add(key.slice(key.indexOf('{') + 1, key.indexOf(':', key.indexOf('{'))));
      }
    }
    for (const app of apps) await clearNamespace(this.redis, { app });
  }

  private async storeHashes(application: string, suffix: string): Promise<[string, string][]> {
    const fields: [string, string][] = [];
    for await (const keys of namespaceKeys(this.redis, { app: this.orders.prefix + application })) {
      for (const key of keys.filter((k) => k.endsWith(`}:${suffix}`))) fields.push(...Object.entries(await this.redis.hgetall(key)));
    }
    return fields;
  }

  /** Stops the workers (SIGTERM), the follower and the producer, and deletes the run's topics and state. */
  async stop(): Promise<void> {
    await this.workers.stop();
    await Promise.allSettled([this.follower.stop(), this.producer.disconnect(), this.clearState().finally(() => closeRedis(this.redis))]);
    const admin = this.kafka.admin();
    await admin.connect();
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(this.orders.prefix));
    await admin.deleteTopics({ topics }).catch(() => undefined);
    await admin.disconnect();
  }
}
