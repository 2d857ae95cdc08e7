import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** One input partition's queue depth: records the broker has that the task has not applied yet. */
export interface InputLag {
  readonly application: string;
  readonly topic: string;
  readonly partition: number;
  readonly lag: number;
}

/** How many instances of a saga one worker's tasks hold in one state. */
export interface SagaInstanceCount {
  readonly application: string;
  readonly saga: string;
  readonly state: string;
  readonly count: number;
}

/** What the gauges read at each scrape from one running worker. */
export interface WorkerGauges {
  lags(): Iterable<InputLag>;
  sagaInstances(): Iterable<SagaInstanceCount>;
  readonly application: string;
  claimedTasks(): number;
  /** Entries its tasks' state caches hold together (StateCacheBudget). */
  stateCacheEntries(): number;
  ready(): boolean;
}

/** Work that takes milliseconds normally and seconds during an outage. */
const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
/** Record time to output: milliseconds when live, hours when a backlog or a replay is processed. */
const END_TO_END_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 14_400];

/**
 * Every metric a worker process exports, on one prom-client Registry per process
 * (several topologies run by one `tributary run` share it, told apart by the
 * `application` label), plus Node's default process metrics. Label values are bounded:
 * application ids, topics, partitions, processor names, error codes and drop reasons,
 * never a key or an id from a record. Durations are seconds.
 */
export class WorkerMetrics {
  readonly registry: Registry;
  private readonly workers = new Set<WorkerGauges>();

  readonly recordsConsumed: Counter<'application' | 'topic'>;
  readonly recordsProduced: Counter<'application' | 'topic'>;
  readonly processorRecords: Counter<'application' | 'processor'>;
  readonly recordsDropped: Counter<'application' | 'processor' | 'reason'>;
  readonly deadLetters: Counter<'application' | 'topic' | 'reason'>;
  readonly unitDuration: Histogram<'application'>;
  readonly endToEndLatency: Histogram<'application' | 'topic'>;
  readonly commitDuration: Histogram<'application'>;
  readonly redisDuration: Histogram<'application' | 'operation'>;
  readonly claimDuration: Histogram<'application'>;
  readonly rebalances: Counter<'application'>;
  readonly retries: Counter<'application' | 'operation'>;
  readonly registryRetries: Counter<'application'>;
  readonly sagaCompensations: Counter<'application' | 'saga' | 'cause'>;

  constructor(registry: Registry = new Registry()) {
    this.registry = registry;
    collectDefaultMetrics({ register: registry });
    // Gauges named like counters (promtool's lint refuses them); `nodejs_active_handles` and the
    // others without `_total` carry the same numbers by type.
    for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) registry.removeSingleMetric(name);
    const registers = [registry];
    this.recordsConsumed = new Counter({
      name: 'tributary_records_consumed_total',
      help: 'Input records applied (committed with the state), by input topic; dead-lettered ones included.',
      labelNames: ['application', 'topic'],
      registers,
    });
    this.recordsProduced = new Counter({
      name: 'tributary_records_produced_total',
      help: 'Records written to Kafka (acknowledged, or committed in a transaction), by output topic; dead-letter topics included.',
      labelNames: ['application', 'topic'],
      registers,
    });
    this.processorRecords = new Counter({
      name: 'tributary_processor_records_total',
      help: 'Records each processor node forwarded downstream, in committed units of work.',
      labelNames: ['application', 'processor'],
      registers,
    });
    this.recordsDropped = new Counter({
      name: 'tributary_records_dropped_total',
      help: 'Records an operator dropped, by processor and reason (late, null-key, null-value, expired-window).',
      labelNames: ['application', 'processor', 'reason'],
      registers,
    });
    this.deadLetters = new Counter({
      name: 'tributary_dead_letter_records_total',
      help: 'Input records sent to a dead-letter topic, by input topic and error code.',
      labelNames: ['application', 'topic', 'reason'],
      registers,
    });
    this.unitDuration = new Histogram({
      name: 'tributary_unit_duration_seconds',
      help: 'One unit of work (up to 500 records or one punctuation): state load, processing, commit and send.',
      labelNames: ['application'],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.endToEndLatency = new Histogram({
      name: 'tributary_end_to_end_latency_seconds',
      help: 'From an output record\'s timestamp (event time, inherited from its input) to the moment Kafka has it, by output topic.',
      labelNames: ['application', 'topic'],
      buckets: END_TO_END_BUCKETS,
      registers,
    });
    this.commitDuration = new Histogram({
      name: 'tributary_commit_duration_seconds',
      help: 'Committing a unit: state, watermark and outbox to Redis, outputs and offsets to Kafka, outbox trimmed.',
      labelNames: ['application'],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.redisDuration = new Histogram({
      name: 'tributary_redis_duration_seconds',
      help: 'Redis round trips of the task state scripts, by operation (claim, load, commit, trim).',
      labelNames: ['application', 'operation'],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.claimDuration = new Histogram({
      name: 'tributary_task_claim_duration_seconds',
      help: 'Task handoff: from assignment to the task ready to process (epoch bumped, producer fenced, last unit finished).',
      labelNames: ['application'],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.rebalances = new Counter({
      name: 'tributary_rebalances_total',
      help: 'Assignments received from the consumer group (one per generation this worker joined).',
      labelNames: ['application'],
      registers,
    });
    this.retries = new Counter({
      name: 'tributary_retries_total',
      help: 'Attempts that failed and were retried while Redis or Kafka was unavailable, by operation.',
      labelNames: ['application', 'operation'],
      registers,
    });
    this.registryRetries = new Counter({
      name: 'tributary_registry_retries_total',
      help: 'Retry rounds of a batch waiting for the schema registry to come back.',
      labelNames: ['application'],
      registers,
    });
    this.sagaCompensations = new Counter({
      name: 'tributary_saga_compensations_total',
      help: 'Saga instances that ended compensated, by cause (<failed|timed-out|cancelled> <step>).',
      labelNames: ['application', 'saga', 'cause'],
      registers,
    });
    const workers = this.workers;
    new Gauge({
      name: 'tributary_saga_instances',
      help: "Saga instances held by this worker's tasks, by state (running:<step>, compensating:<step>, completed, compensated, failed; ended ones until forgotten).",
      labelNames: ['application', 'saga', 'state'],
      registers,
      collect() {
        this.reset();
        const totals = new Map<string, number>();
        for (const worker of workers) {
          for (const c of worker.sagaInstances()) {
            const key = JSON.stringify([c.application, c.saga, c.state]);
            totals.set(key, (totals.get(key) ?? 0) + c.count);
          }
        }
        for (const [key, count] of totals) {
          const [application, saga, state] = JSON.parse(key) as [string, string, string];
          this.set({ application, saga, state }, count);
        }
      },
    });
    new Gauge({
      name: 'tributary_consumer_lag',
      help: 'Records in an input partition not applied yet: the broker\'s high watermark minus the task\'s position (watermark + 1).',
      labelNames: ['application', 'topic', 'partition'],
      registers,
      collect() {
        this.reset(); // tasks that moved away must not linger
        for (const worker of workers) for (const l of worker.lags()) this.set({ application: l.application, topic: l.topic, partition: l.partition }, l.lag);
      },
    });
    new Gauge({
      name: 'tributary_tasks',
      help: 'Tasks this worker owns and has claimed.',
      labelNames: ['application'],
      registers,
      collect() {
        this.reset();
        for (const worker of workers) this.set({ application: worker.application }, worker.claimedTasks());
      },
    });
    new Gauge({
      name: 'tributary_state_cache_entries',
      help: "Entries the state caches of this worker's tasks hold together; past TRIBUTARY_STATE_CACHE_ENTRIES a task over its share empties its cache.",
      labelNames: ['application'],
      registers,
      collect() {
        this.reset();
        for (const worker of workers) this.set({ application: worker.application }, worker.stateCacheEntries());
      },
    });
    new Gauge({
      name: 'tributary_worker_ready',
      help: '1 when the worker answers /readyz with 200 (joined, tasks claimed, caught up once), else 0.',
      labelNames: ['application'],
      registers,
      collect() {
        this.reset();
        for (const worker of workers) this.set({ application: worker.application }, worker.ready() ? 1 : 0);
      },
    });
  }

  /** Reads a worker's gauges at every scrape until the returned function is called. */
  watch(worker: WorkerGauges): () => void {
    this.workers.add(worker);
    return () => this.workers.delete(worker);
  }
}
