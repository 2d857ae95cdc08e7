import { randomUUID } from 'node:crypto';
import { Partitioners, type Admin, type Consumer, type EachBatchPayload, type Kafka, type Producer } from 'kafkajs';
import { topologyForApplication } from '../../processors/applicationTopology.ts';
import type { Topology } from '../../processors/topologyGraph.ts';
import { closeRedis, connectRedis, type RedisClient } from '../../state/redis/redisConnection.ts';
import { RedisTaskState } from '../../state/redis/redisTaskState.ts';
import { StateCacheBudget } from '../../state/redis/stateCacheBudget.ts';
import { TaskFencedError } from '../../state/taskFencedError.ts';
import { deadLetterTopicOf } from '../deadLetters/deadLetterTopicPattern.ts';
import type { Readiness } from '../http/readiness.ts';
import { connectKafka } from '../kafka/kafkaConnection.ts';
import { taskAssigner } from '../kafka/taskAssigner.ts';
import { prepareTopics } from '../kafka/topicLayout.ts';
import type { Logger } from '../logger.ts';
import { TaskMetrics } from '../metrics/taskMetrics.ts';
import { WorkerMetrics, type InputLag, type SagaInstanceCount } from '../metrics/workerMetrics.ts';
import { configureSerdes, serdeContext } from './configureSerdes.ts';
import { GlobalTables, isGlobalSubtopology } from './globalTables.ts';
import { InternalOutputsSender } from './internalOutputsSender.ts';
import { AtLeastOnceSender, ExactlyOnceSender, ProducerFencedError, type OutputSender } from './outputSender.ts';
import { retryUntilDone } from './retryUntilDone.ts';
import { StreamTask } from './streamTask.ts';
import { taskStores } from './taskStores.ts';
import { heartbeatIntervalMs, type WorkerConfig } from './workerConfig.ts';

/**
 * Bytes of fetched records a task may hold before the inputs running ahead are paused: a
 * bound on memory whatever the records' sizes (records are decoded only as a unit takes them).
 */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

/** How often the lag gauge's end offsets are read from the broker (fetches update them too). */
const END_OFFSETS_REFRESH_MS = 5_000;

/** How a replay runs workers besides the live ones (docs/replay.md, `--shadow`); a live worker needs none. */
export interface WorkerRole {
  /** The consumer group, also the transactional ids' prefix; default the application id. */
  readonly groupId?: string;
  /** Send only the outputs to the namespace's own repartition topics (a shadow's: the live run wrote the rest). */
  readonly internalOutputsOnly?: boolean;
  /**
   * Per source partition (`<topic>:<partition>`), the offset at which the worker stops: records
   * from there on are not applied, and the partition is paused for good.
   */
  readonly stopOffsets?: ReadonlyMap<string, number>;
}

/** Lost ownership: drop the task, do not retry. */
function isFenced(error: unknown): boolean {
  return error instanceof TaskFencedError || error instanceof ProducerFencedError;
}

/** Bugs are not outages: retrying them would hide them. */
function isFatal(error: unknown): boolean {
  return isFenced(error) || error instanceof TypeError || error instanceof RangeError || error instanceof ReferenceError || error instanceof SyntaxError;
}

/**
 * Runs a topology as one member of its application's consumer group (group id =
 * application id). Each assigned task (a subtopology on one partition, all its
 * co-partitioned inputs together) keeps its state in Redis, so taking a task over
 * needs no restore: the new owner claims it (bumping its epoch) and goes on.
 *
 * Start with `Worker.start`; `stop` finishes the units in flight, commits them, leaves
 * the group and closes every connection. `done` settles when the worker has stopped,
 * rejecting if it stopped because of an error it cannot recover from. Its metrics go to
 * the `WorkerMetrics` it is given; `readiness` says whether it is ready to serve.
 */
export class Worker {
  private readonly tasks = new Map<string, Promise<StreamTask>>();
  /** The tasks of `tasks` whose claim is done, so they process. */
  private readonly claimed = new Map<string, StreamTask>();
  private joined = false;
  private globalTablesReady = false;
  /** The worker's lag was within `readyMaxLag` once: it stays ready through later bursts. */
  private caughtUpOnce = false;
  private unwatch: (() => void) | undefined;
  private readonly taskBySource = new Map<string, number>();
  private readonly abort = new AbortController();
  private readonly logger: Logger;
  private readonly groupId: string;
  private readonly globalTables: GlobalTables;
  /** What the tasks' state caches hold together at most. */
  private readonly cacheBudget: StateCacheBudget;
  private punctuator: NodeJS.Timeout | undefined;
  private endOffsetsRefresher: NodeJS.Timeout | undefined;
  private stopping: Promise<void> | undefined;
  private settle!: { resolve: () => void; reject: (error: unknown) => void };
  readonly done: Promise<void>;
  readonly memberId = randomUUID().slice(0, 8);

  private constructor(
    readonly topology: Topology,
    readonly config: WorkerConfig,
    private readonly kafka: Kafka,
    private readonly admin: Admin,
    private readonly redis: RedisClient,
    private readonly consumer: Consumer,
    private readonly producer: Producer | undefined,
    logger: Logger,
    private readonly metrics: WorkerMetrics,
    private readonly role: WorkerRole,
  ) {
    this.groupId = role.groupId ?? config.applicationId;
    this.logger = logger.child({ app: config.applicationId, worker: this.memberId, ...(role.groupId ? { group: role.groupId } : {}) });
    this.done = new Promise((resolve, reject) => (this.settle = { resolve, reject }));
    this.done.catch(() => undefined);
    for (const s of topology.subtopologies) {
      if (isGlobalSubtopology(topology, s)) continue;
      for (const topic of s.sourceTopics) this.taskBySource.set(topic, s.id);
    }
    this.globalTables = new GlobalTables(topology, kafka, admin, `${config.applicationId}-global-${this.memberId}`, this.logger);
    this.cacheBudget = new StateCacheBudget(config.stateCacheEntries);
  }

  /** Checks and creates the topology's topics, connects, joins the group and starts processing. */
  static async start(loaded: Topology, config: WorkerConfig, logger: Logger, metrics: WorkerMetrics = new WorkerMetrics(), role: WorkerRole = {}): Promise<Worker> {
    const topology = topologyForApplication(loaded, config.applicationId, config.stateNamespace);
    configureSerdes(topology, serdeContext(config)); // the topology's serdes learn the registry here, never from the topology file
    const kafka = connectKafka(config, `${config.applicationId}-worker`, logger);
    const admin = kafka.admin();
    await admin.connect();
    let redis: RedisClient | undefined;
    try {
      await prepareTopics(admin, topology, config.deadLetterTopic);
      redis = connectRedis(config.redisUrl);
      const layout = { taskOf: (topic: string, partition: number) => worker.taskId(topic, partition), ownedTasks: () => worker.ownedTasks() };
      const consumer = kafka.consumer({
        groupId: role.groupId ?? config.applicationId,
        readUncommitted: config.guarantee === 'at_least_once',
        sessionTimeout: config.sessionTimeoutMs,
        heartbeatInterval: heartbeatIntervalMs(config.sessionTimeoutMs),
        rebalanceTimeout: Math.max(60_000, config.sessionTimeoutMs),
        allowAutoTopicCreation: false,
        // Kafka Streams' fetch.max.wait.ms; kafkajs' 5 s would hold an idle worker's SIGTERM that long.
        maxWaitTimeInMs: 500,
        partitionAssigners: [taskAssigner(layout)],
        retry: { initialRetryTime: 200, maxRetryTime: 5_000, retries: 15, restartOnFailure: async () => true },
      });
      const producer = config.guarantee === 'at_least_once' ? kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner }) : undefined;
      // The assigner asks the worker only once the group forms, after this line.
      const worker: Worker = new Worker(topology, config, kafka, admin, redis, consumer, producer, logger, metrics, role);
      await worker.run();
      return worker;
    } catch (error) {
      await admin.disconnect().catch(() => undefined);
      if (redis) await closeRedis(redis).catch(() => undefined);
      throw error;
    }
  }

  /** The ids of the tasks this worker owns now (`<subtopology>_<partition>`). */
  ownedTasks(): string[] {
    return [...this.tasks.keys()].sort();
  }

  /** Per input partition of the claimed tasks, the records not applied yet (see StreamTask.lags). */
  lags(): InputLag[] {
    const application = this.config.applicationId;
    return [...this.claimed.values()].flatMap((task) => task.lags().map((l) => ({ application, ...l })));
  }

  /** The saga instances of the tasks this worker holds, by state. */
  sagaInstances(): SagaInstanceCount[] {
    const application = this.config.applicationId;
    return [...this.claimed.values()].flatMap((task) => task.sagaInstances().map((c) => ({ application, ...c })));
  }

  /**
   * Ready to serve: the worker has joined its group and has an assignment, every task
   * assigned is claimed, the global tables are bootstrapped, and its lag is within
   * `readyMaxLag` now or was once (a later burst does not take it out of service).
   * Not ready while stopping.
   */
  readiness(): Readiness {
    if (this.stopping) return { ready: false, reason: 'stopping' };
    if (!this.globalTablesReady) return { ready: false, reason: 'bootstrapping global tables' };
    if (!this.joined) return { ready: false, reason: 'joining the consumer group' };
    const unclaimed = this.ownedTasks().filter((id) => !this.claimed.has(id));
    if (unclaimed.length) return { ready: false, reason: `claiming tasks ${unclaimed.join(', ')}` };
    const lag = this.totalLagUnlessCaughtUp();
    if (lag !== undefined) return { ready: false, reason: `catching up: lag ${lag} > ${this.config.readyMaxLag} records` };
    return { ready: true };
  }

  /** The lag of all claimed tasks while it has never been within `readyMaxLag`; undefined from the first time it is. */
  private totalLagUnlessCaughtUp(): number | undefined {
    if (this.caughtUpOnce) return undefined;
    const lag = this.lags().reduce((sum, l) => sum + l.lag, 0);
    if (lag > this.config.readyMaxLag) return lag;
    this.caughtUpOnce = true;
    return undefined;
  }

  /**
   * Stops gracefully: no new batches, the units in flight finish and commit, the
   * member leaves the group (its tasks move at once), connections close. Past
   * `shutdownTimeoutMs` the work in flight is abandoned (uncommitted, so replayed by
   * the next owner) and `done` rejects.
   */
  stop(): Promise<void> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  private async run(): Promise<void> {
    const { consumer, producer } = this;
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      this.joined = true;
      this.metrics.rebalances.inc({ application: this.config.applicationId });
      this.assign(payload.memberAssignment);
    });
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) =>
      this.batchEnded(payload.topic, payload.partition, payload.lastOffset, payload.highWatermark),
    );
    consumer.on(consumer.events.CRASH, ({ payload }) =>
      this.logger.error({ err: payload.error, restart: payload.restart }, 'consumer crashed'),
    );
    this.unwatch = this.metrics.watch({
      application: this.config.applicationId,
      lags: () => this.lags(),
      sagaInstances: () => this.sagaInstances(),
      claimedTasks: () => this.claimed.size,
      stateCacheEntries: () => this.cacheBudget.entries,
      ready: () => this.readiness().ready,
    });
    if (producer) await producer.connect();
    await this.globalTables.bootstrap(this.abort.signal);
    this.globalTablesReady = true;
    await consumer.connect();
    await consumer.subscribe({ topics: [...this.taskBySource.keys()], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: true,
      partitionsConsumedConcurrently: this.config.concurrency,
      eachBatch: (payload) => this.eachBatch(payload),
    });
    this.punctuator = setInterval(() => this.punctuateAll(), this.config.commitIntervalMs);
    this.endOffsetsRefresher = setInterval(() => void this.refreshEndOffsets(), END_OFFSETS_REFRESH_MS);
    this.logger.info({ guarantee: this.config.guarantee }, 'worker started');
  }

  private taskId(topic: string, partition: number): string {
    return `${this.taskBySource.get(topic) ?? 0}_${partition}`;
  }

  /** A new generation's assignment: close the tasks that moved away, claim the ones that arrived. */
  private assign(assignment: Record<string, number[]>): void {
    const ids = new Set(Object.entries(assignment).flatMap(([topic, partitions]) => partitions.map((p) => this.taskId(topic, p))));
    for (const [id, opening] of this.tasks) {
      if (ids.has(id)) continue;
      this.tasks.delete(id);
      this.claimed.delete(id);
      void opening.then((task) => task.enqueue(() => task.close())).catch(() => undefined);
    }
    for (const id of ids) if (!this.tasks.has(id)) this.openTask(id);
    this.logger.info({ tasks: this.ownedTasks() }, 'assigned');
  }

  private openTask(id: string): void {
    const [subtopologyId, partition] = id.split('_').map(Number) as [number, number];
    const subtopology = this.topology.subtopologies.find((s) => s.id === subtopologyId)!;
    const logger = this.logger.child({ task: id });
    const application = this.config.applicationId;
    const onRetry = (operation: string) => this.metrics.retries.inc({ application, operation });
    const retry = <T>(what: string, operation: () => Promise<T>) => retryUntilDone(what, operation, { fatal: isFatal, signal: this.abort.signal, logger, onRetry });
    const state = new RedisTaskState(this.redis, {
      app: this.config.applicationId,
      namespace: this.config.stateNamespace,
      prefix: this.config.redisKeyPrefix,
      taskId: id,
      stores: taskStores(this.topology, subtopology),
      cacheBudget: this.cacheBudget,
    });
    const globalStores = this.globalTables.stores;
    const opening = StreamTask.open({
      topology: this.topology,
      subtopology,
      partition,
      state,
      globalStores,
      sender: this.senderFor(id),
      unitRecords: this.config.unitRecords,
      committedOffsets: (topics) => this.committedOffsets(topics, partition),
      endOffsets: (topics) => this.endOffsets(topics, partition),
      retry,
      signal: this.abort.signal,
      logger,
      metrics: new TaskMetrics(this.metrics, application),
      deadLetterTopic: (topic) => deadLetterTopicOf(this.config.deadLetterTopic, topic),
      wallClockTime: () => Date.now(),
      afterStateCommit: () => this.countCommit(),
    });
    this.tasks.set(id, opening);
    const endClaim = this.metrics.claimDuration.startTimer({ application });
    opening
      .then((task) => {
        endClaim();
        if (this.tasks.get(id) === opening) this.claimed.set(id, task);
      })
      .catch(() => undefined); // failures are handled below
    opening.catch((error: unknown) => {
      // No task exists to close its state: release the cache and its share of the budget here.
      state.close();
      this.taskFailed(id, opening, error);
    });
  }

  private commits = 0;

  private countCommit(): void {
    if (++this.commits !== this.config.crashAfterCommits) return;
    this.logger.warn({ commits: this.commits }, 'crashing on purpose (TRIBUTARY_TEST_CRASH_AFTER_COMMITS)');
    process.kill(process.pid, 'SIGKILL');
  }

  private senderFor(taskId: string): OutputSender {
    const sender = this.producer ? new AtLeastOnceSender(this.producer, this.consumer, this.logger) : this.exactlyOnceSender(taskId);
    return this.role.internalOutputsOnly ? new InternalOutputsSender(sender, new Set(this.topology.internalTopics.map((t) => t.name))) : sender;
  }

  private exactlyOnceSender(taskId: string): OutputSender {
    const partition = Number(taskId.split('_')[1]);
    return new ExactlyOnceSender(
      this.kafka,
      this.groupId,
      `${this.groupId}-${taskId}`,
      (topics) => this.committedOffsets(topics, partition),
      this.logger.child({ task: taskId }),
    );
  }

  private async committedOffsets(topics: readonly string[], partition: number): Promise<Record<string, number | undefined>> {
    const result: Record<string, number | undefined> = {};
    const fetched = await this.admin.fetchOffsets({ groupId: this.groupId, topics: [...topics] });
    for (const { topic, partitions } of fetched) {
      const offset = Number(partitions.find((p) => p.partition === partition)?.offset ?? -1);
      result[topic] = offset >= 0 ? offset : undefined;
    }
    return result;
  }

  private async endOffsets(topics: readonly string[], partition: number): Promise<Record<string, number>> {
    const result: Record<string, number> = {};
    for (const topic of topics) {
      const offsets = await this.admin.fetchTopicOffsets(topic);
      result[topic] = Number(offsets.find((o) => o.partition === partition)?.high ?? 0);
    }
    return result;
  }

  private refreshing = false;

  /**
   * Reads the end offsets of the claimed tasks' inputs from the broker, for their lag (an
   * outage only leaves them stale), and notes a catch-up that no readiness probe saw.
   */
  private async refreshEndOffsets(): Promise<void> {
    if (this.refreshing || !this.claimed.size) return;
    this.refreshing = true;
    try {
      for (const topic of this.taskBySource.keys()) {
        const offsets = await this.admin.fetchTopicOffsets(topic);
        for (const { partition, high } of offsets) this.claimed.get(this.taskId(topic, partition))?.brokerEndOffset(topic, Number(high));
      }
      if (this.ownedTasks().every((id) => this.claimed.has(id))) this.totalLagUnlessCaughtUp();
    } catch (error) {
      this.logger.debug({ err: error }, 'reading end offsets for the lag failed');
    } finally {
      this.refreshing = false;
    }
  }

  /** A batch ended, perhaps one of transaction markers only that eachBatch never saw: the task may now apply what waited. */
  private batchEnded(topic: string, partition: number, lastOffset: string, highWatermark: string): void {
    const opening = this.tasks.get(this.taskId(topic, partition));
    void opening
      ?.then((task) => {
        // Past a stop offset the batch's records were dropped, not fetched: the task must never commit beyond it.
        const stop = this.role.stopOffsets?.get(`${topic}:${partition}`) ?? Infinity;
        task.fetched(topic, Math.min(Number(lastOffset) + 1, stop), highWatermark);
        return task.enqueue(() => task.drain());
      })
      .catch(() => undefined);
  }

  private async eachBatch({ batch, heartbeat, pause }: EachBatchPayload): Promise<void> {
    const id = this.taskId(batch.topic, batch.partition);
    const opening = this.tasks.get(id);
    const stop = this.role.stopOffsets?.get(`${batch.topic}:${batch.partition}`);
    // Paused for good: the records past the stop offset are never fetched again, so nothing needs seeking back.
    const messages = stop === undefined ? batch.messages : batch.messages.filter((m) => Number(m.offset) < stop);
    if (messages.length < batch.messages.length) pause();
    if (!opening || !messages.length) return; // not ours any more (fenced or revoked): the next owner reads it
    // Redis or registry outages can outlast a session; keep the membership while we wait them out.
    const keepAlive = setInterval(() => heartbeat().catch(() => undefined), Math.max(500, Math.floor(this.config.sessionTimeoutMs / 5)));
    try {
      const task = await opening;
      await task.enqueue(() => task.processBatch(batch.topic, messages, batch.highWatermark));
      // Backpressure: an input far ahead of the others in time stops being fetched until they catch up.
      if (task.bufferedBytes > MAX_BUFFERED_BYTES) this.resumeWhenDrained(task, pause());
    } catch (error) {
      this.taskFailed(id, opening, error);
    } finally {
      clearInterval(keepAlive);
    }
  }

  private resumeWhenDrained(task: StreamTask, resume: () => void): void {
    const check = setInterval(() => {
      if (task.bufferedBytes > MAX_BUFFERED_BYTES / 4 && !this.abort.signal.aborted) return;
      clearInterval(check);
      resume();
    }, 100);
  }

  private punctuateAll(): void {
    for (const [id, opening] of this.tasks) {
      void opening
        .then((task) => task.enqueue(() => task.punctuate()))
        .catch((error: unknown) => this.taskFailed(id, opening, error));
    }
  }

  /** A fenced task is dropped until the group assigns it again; anything else stops the worker. */
  private taskFailed(id: string, opening: Promise<StreamTask>, error: unknown): void {
    if (this.tasks.get(id) === opening) {
      this.tasks.delete(id);
      this.claimed.delete(id);
    }
    void opening.then((task) => task.close()).catch(() => undefined);
    if (this.abort.signal.aborted) return;
    if (isFenced(error)) {
      this.logger.warn({ task: id, err: error }, 'task fenced by a newer owner; dropped');
      return;
    }
    this.logger.error({ task: id, err: error }, 'task failed; stopping the worker');
    void this.stop().then(() => this.settle.reject(error));
  }

  private async shutdown(): Promise<void> {
    clearInterval(this.punctuator);
    clearInterval(this.endOffsetsRefresher);
    const timer = setTimeout(() => {
      this.logger.error({ timeoutMs: this.config.shutdownTimeoutMs }, 'shutdown timed out; abandoning work in flight');
      this.abort.abort(new Error('shutdown timed out'));
    }, this.config.shutdownTimeoutMs);
    try {
      // kafkajs waits for the batches in flight, whose units commit before they return.
      await this.consumer.disconnect();
      const open = await Promise.allSettled([...this.tasks.values()]);
      for (const result of open) if (result.status === 'fulfilled') await result.value.enqueue(() => result.value.close());
      this.tasks.clear();
      this.claimed.clear();
      await this.producer?.disconnect();
      await this.globalTables.close();
      await this.admin.disconnect();
      await closeRedis(this.redis);
    } finally {
      clearTimeout(timer);
      this.unwatch?.();
    }
    if (this.abort.signal.aborted) {
      const error = new Error(`shutdown took longer than ${this.config.shutdownTimeoutMs} ms`);
      this.settle.reject(error);
      throw error;
    }
    this.logger.info('worker stopped');
    this.settle.resolve();
  }
}
