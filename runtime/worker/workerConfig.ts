import { z } from 'zod';
import { connectionSchema, loadConnectionConfig, parse } from '../config.ts';
import { DEFAULT_STATE_CACHE_ENTRIES } from '../../state/redis/stateCacheBudget.ts';
import { DEAD_LETTER_TOPIC_PATTERN, DEFAULT_DEAD_LETTER_TOPIC } from '../deadLetters/deadLetterTopicPattern.ts';

/** How outputs and input offsets reach Kafka (`processing.guarantee`). */
export type ProcessingGuarantee = 'at_least_once' | 'exactly_once';

/** How often idle tasks punctuate and commit, unless TRIBUTARY_COMMIT_INTERVAL_MS or `--commit-interval-ms` says otherwise. */
export const DEFAULT_COMMIT_INTERVAL_MS = 1000;

/** Records per unit of work, unless TRIBUTARY_UNIT_RECORDS or `--unit-records` says otherwise. */
export const DEFAULT_UNIT_RECORDS = 500;

const saslSchema = z.object({
  mechanism: z.enum(['plain', 'scram-sha-256', 'scram-sha-512']),
  username: z.string().min(1),
  password: z.string().min(1),
});

/**
 * Everything a worker needs, parsed once at the edge. Durations are milliseconds.
 * Redis AUTH and TLS come with the URL (`rediss://user:pass@host:port`); a URL that
 * lists several hosts names a Redis Cluster.
 */
export const workerConfigSchema = connectionSchema.extend({
  /** Consumer group id, transactional id prefix and Redis namespace; defaults to the topology name. */
  applicationId: z.string().regex(/^[A-Za-z0-9._-]+$/, 'an application id is letters, digits, . _ or -'),
  guarantee: z.enum(['at_least_once', 'exactly_once']),
  /** How often idle tasks run wall-clock punctuations and commit what they produced. */
  commitIntervalMs: z.coerce.number().int().min(1).max(600_000),
  /**
   * Records per unit of work: a task loads the state a unit touches in one Redis round trip,
   * commits it in one, and sends its outputs in one Kafka send. Larger units cost fewer Redis and
   * Kafka round trips per record, but hold more decoded records and outputs in memory and add
   * latency (an output waits for its whole unit). Past a few thousand they also slow the send:
   * kafkajs groups a send's messages per partition by spreading the array once per message
   * (`groupMessagesPerPartition.js`), which is O(n²) in the unit's outputs.
   */
  unitRecords: z.coerce.number().int().min(1).max(10_000),
  /**
   * Entries the state caches of this worker's tasks hold together at most (StateCacheBudget):
   * past it, a task holding more than an equal share forgets what it loaded and committed, and
   * loads again what it reads next. About 1 KB of memory per entry with small values.
   */
  stateCacheEntries: z.coerce.number().int().min(0).max(100_000_000),
  /** Partitions processed at once by this worker. */
  concurrency: z.coerce.number().int().min(1).max(256),
  /** The state namespace (`ns` in the Redis key layout); replay builds the next one. */
  stateNamespace: z.string().regex(/^[A-Za-z0-9._-]+$/, 'a state namespace is letters, digits, . _ or -'),
  redisKeyPrefix: z.string(),
  kafkaSsl: z.boolean(),
  kafkaSasl: saslSchema.optional(),
  registryAuth: z.object({ username: z.string().min(1), password: z.string() }).optional(),
  /** A member that sends no heartbeat for this long loses its partitions. */
  sessionTimeoutMs: z.coerce.number().int().min(1000).max(1_800_000),
  /** SIGTERM: finish, commit and leave within this, or exit non-zero. */
  shutdownTimeoutMs: z.coerce.number().int().min(100).max(600_000),
  /** Where dead letters go: a topic name, `{topic}` standing for the input's (see deadLetterTopicPattern.ts). */
  deadLetterTopic: z
    .string()
    .max(249)
    .regex(DEAD_LETTER_TOPIC_PATTERN, 'a dead-letter topic is letters, digits, . _ - and {topic} for the input topic')
    .refine((pattern) => pattern !== '{topic}', 'a dead-letter topic must differ from the input topic'),
  /** The port of the worker process's HTTP endpoints (/metrics, /healthz, /readyz); 0 picks a free one. */
  httpPort: z.coerce.number().int().min(0).max(65535),
  /** /readyz answers 200 once the worker's lag (records, all its tasks) is at most this, and from then on. */
  readyMaxLag: z.coerce.number().int().min(0),
  /**
   * Fault injection for tests: the process SIGKILLs itself right after its Nth state
   * commit, before the outputs reach Kafka — the narrowest window of the commit protocol.
   */
  crashAfterCommits: z.coerce.number().int().min(1).optional(),
});
export type WorkerConfig = z.infer<typeof workerConfigSchema>;

type Env = Record<string, string | undefined>;

/**
 * The worker's settings: `overrides` (CLI flags or library options) first, then the
 * environment (`TRIBUTARY_*`, `KAFKA_*`, `REDIS_URL`, `SCHEMA_REGISTRY_*`), then defaults
 * for the local stack. An invalid value throws a one-line ConfigError naming the setting.
 */
export function loadWorkerConfig(defaultApplicationId: string, overrides: Partial<WorkerConfig> = {}, env: Env = process.env): WorkerConfig {
  const connection = loadConnectionConfig(
    { brokers: overrides.brokers, redisUrl: overrides.redisUrl, registryUrl: overrides.registryUrl },
    env,
  );
  const sasl = env.KAFKA_SASL_MECHANISM
    ? { mechanism: env.KAFKA_SASL_MECHANISM.toLowerCase(), username: env.KAFKA_SASL_USERNAME, password: env.KAFKA_SASL_PASSWORD }
    : undefined;
  const registryAuth = env.SCHEMA_REGISTRY_USERNAME
    ? { username: env.SCHEMA_REGISTRY_USERNAME, password: env.SCHEMA_REGISTRY_PASSWORD ?? '' }
    : undefined;
  return parse(workerConfigSchema, 'worker', {
    ...connection,
    applicationId: env.TRIBUTARY_APPLICATION_ID ?? defaultApplicationId,
    guarantee: env.TRIBUTARY_GUARANTEE ?? 'at_least_once',
    commitIntervalMs: env.TRIBUTARY_COMMIT_INTERVAL_MS ?? DEFAULT_COMMIT_INTERVAL_MS,
    unitRecords: env.TRIBUTARY_UNIT_RECORDS ?? DEFAULT_UNIT_RECORDS,
    stateCacheEntries: env.TRIBUTARY_STATE_CACHE_ENTRIES ?? DEFAULT_STATE_CACHE_ENTRIES,
    concurrency: env.TRIBUTARY_CONCURRENCY ?? 4,
    stateNamespace: env.TRIBUTARY_STATE_NAMESPACE ?? '0',
    redisKeyPrefix: env.TRIBUTARY_REDIS_KEY_PREFIX ?? 'tributary:',
    kafkaSsl: env.KAFKA_SSL === undefined ? false : /^(1|true|yes)$/i.test(env.KAFKA_SSL),
    sessionTimeoutMs: env.TRIBUTARY_SESSION_TIMEOUT_MS ?? 10_000,
    shutdownTimeoutMs: env.TRIBUTARY_SHUTDOWN_TIMEOUT_MS ?? 30_000,
    deadLetterTopic: env.TRIBUTARY_DEAD_LETTER_TOPIC ?? DEFAULT_DEAD_LETTER_TOPIC,
    httpPort: env.TRIBUTARY_HTTP_PORT ?? 0,
    readyMaxLag: env.TRIBUTARY_READY_MAX_LAG ?? 1000,
    ...(env.TRIBUTARY_TEST_CRASH_AFTER_COMMITS ? { crashAfterCommits: env.TRIBUTARY_TEST_CRASH_AFTER_COMMITS } : {}),
    ...(sasl ? { kafkaSasl: sasl } : {}),
    ...(registryAuth ? { registryAuth } : {}),
    ...Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)),
  });
}

/**
 * How often a worker heartbeats to its group: a tenth of the session timeout (at least 300 ms).
 * A member learns of a rebalance only on its next heartbeat, so this bounds how long a task
 * waits to move when its owner leaves (about a second with the default 10 s session).
 */
export function heartbeatIntervalMs(sessionTimeoutMs: number): number {
  return Math.max(300, Math.floor(sessionTimeoutMs / 10));
}
