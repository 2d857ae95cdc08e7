import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel, Partitioners, type Producer } from 'kafkajs';
import type { Topology } from '../../processors/topologyGraph.ts';
import type { ConnectionConfig } from '../../runtime/config.ts';
import { loadTopology } from '../../runtime/loadTopology.ts';
import { taskStores } from '../../runtime/worker/taskStores.ts';
import type { KeyValueStore } from '../../state/keyValueStore.ts';
import { closeRedis, connectRedis, type RedisClient } from '../../state/redis/redisConnection.ts';
import { RedisTaskState } from '../../state/redis/redisTaskState.ts';
import { TaskKeys } from '../../state/redis/taskKeys.ts';
import { WorkerProcess } from '../../test/support/workerProcess.ts';
import { createTopics } from '../support/createTopics.ts';
import { until } from '../support/until.ts';
import { measureMoves, type Move } from './handoffMoves.ts';
import { kafkaPartitioner } from './kafkaPartition.ts';
import { timeRedisClaims } from './redisClaimTiming.ts';
import { dropState, fillState, subtopologyOf, type StateFill, type StoredAggregate } from './stateFill.ts';
import { Trickle } from './trickle.ts';
import { assignedTasks, firstEvent, parseLog, type LogEvent } from '../support/workerLog.ts';

const FIXTURE = fileURLToPath(new URL('../../test/fault/fixtures/sumTopology.ts', import.meta.url));
const STORE = 'sums';
const PARTITIONS = 6;
const INITIAL: StoredAggregate = { value: 0, timestamp: Date.now() };

export interface HandoffSettings {
  /** Keys of state pre-populated in the `sums` store, over the 6 tasks. */
  readonly keys: number;
  /** Handoffs per state size: each round adds a worker, then SIGTERMs the one that owned everything. */
  readonly rounds: number;
  /** Input records per second for the whole run. */
  readonly rate: number;
  readonly guarantee: 'at_least_once' | 'exactly_once';
  /** Passed to the workers (TRIBUTARY_SESSION_TIMEOUT_MS) when set; the worker's default otherwise. */
  readonly sessionTimeoutMs: number | undefined;
  /** Entries per pre-population commit. */
  readonly chunk: number;
  /** Quiet time after each handoff completes, before the next step. */
  readonly settleMs: number;
  /** When set, every worker's log is written to `<logDir>/<app>.<worker>.log`. */
  readonly logDir: string | undefined;
}

export interface HandoffResult {
  readonly settings: HandoffSettings;
  readonly fill: StateFill;
  /** Redis used_memory grown by the pre-population (single node only). */
  readonly redisBytes: number | undefined;
  /** Claim script + processor-times load, timed directly against the filled state (ms), before any worker runs. */
  readonly redisClaimMs: number[];
  readonly moves: Move[];
  readonly sent: number;
  readonly runMs: number;
  /** Exit codes of the workers stopped with SIGTERM (0: drained in time). */
  readonly exitCodes: Array<number | null>;
  /** Keys the trickle touched whose state in Redis equals the initial value plus what was sent, of how many. */
  readonly stateCheck: { readonly exact: number; readonly checked: number; readonly strayKeys: number };
  /** Warn and error lines of every worker, by message, with counts. */
  readonly problems: Map<string, number>;
  /** Non-JSON lines the workers printed. */
  readonly otherLines: string[];
}

/** `k<i>`: the bench's keyspace. */
function keyOf(i: number): string {
  return `k${i}`;
}

/**
 * One state size: fresh topics and application id, N keys written straight into Redis,
 * then `rounds` handoffs under a steady input; each round starts a worker beside the one
 * that owns every task, waits for the rebalance, then SIGTERMs the old one. Cleans up its
 * topics, group and Redis keys whatever happens.
 */
export async function runHandoff(settings: HandoffSettings, connection: ConnectionConfig, progress: (line: string) => void): Promise<HandoffResult> {
  const id = randomBytes(4).toString('hex');
  const app = `bench-handoff-${id}`;
  const topicPrefix = `bench.handoff.${id}.`;
  const topics = fixtureTopics(topicPrefix);
  const input = topics.SUM_INPUT_TOPIC;
  if (!input) throw new Error(`${FIXTURE} no longer reads SUM_INPUT_TOPIC; the bench needs its input topic`);
  const kafka = new Kafka({ clientId: app, brokers: connection.brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  const redis = connectRedis(connection.redisUrl);
  const workers: WorkerProcess[] = [];
  let producer: Producer | undefined;
  let trickle: Trickle | undefined;
  const partitionOf = kafkaPartitioner(PARTITIONS);
  const topology = await loadTopology(FIXTURE);
  let cleaning: Promise<void> | undefined;
  // Once only: SIGINT and the `finally` below may both ask for it.
  const cleanup = () => (cleaning ??= cleanUp());
  const cleanUp = async () => {
    await trickle?.stop().catch(() => undefined);
    await Promise.all(workers.map((w) => w.kill()));
    if (settings.logDir) {
      mkdirSync(settings.logDir, { recursive: true });
      for (const w of workers) writeFileSync(path.join(settings.logDir, `${app}.${w.name}.log`), `${w.logs.join('\n')}\n`);
      progress(`worker logs in ${settings.logDir}/${app}.*.log`);
    }
    await producer?.disconnect().catch(() => undefined);
    // Ours: the fixture's topics, their dead-letter topics, and any internal topic of the application.
    // The names we created are deleted even when the listing misses them (a create that failed half way).
    const existing = await admin.listTopics().catch(() => [] as string[]);
    const ours = new Set([...Object.values(topics), ...existing.filter((t) => t.startsWith(topicPrefix) || t.startsWith(`${app}-`))]);
    let deleted = 0;
    for (const topic of ours) if (await admin.deleteTopics({ topics: [topic] }).then(() => true, () => false)) deleted++;
    await admin.deleteGroups([app]).catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
    const removed = await dropState(redis, app);
    await closeRedis(redis);
    progress(`cleaned up: ${deleted} topics, group ${app}, ${removed} Redis keys`);
  };
  const interrupted = () => void cleanup().finally(() => process.exit(130));
  process.once('SIGINT', interrupted);
  try {
    await admin.connect();
    await createTopics(admin, Object.values(topics), PARTITIONS);
    const memoryBefore = await usedMemory(redis);
    progress(`filling ${settings.keys} keys of '${STORE}' into Redis (app ${app})`);
    const fill = await fillState(redis, { app, topology, store: STORE, partitions: PARTITIONS, keyOf, count: settings.keys, partitionOf, chunk: settings.chunk, value: INITIAL });
    const memoryAfter = await usedMemory(redis);
    progress(`filled in ${fill.ms} ms; per task ${fill.perTask.join(', ')}`);
    const redisClaimMs = await timeRedisClaims(redis, app, topology, STORE, PARTITIONS, 5);

    producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    trickle = new Trickle(producer, { topic: input, rate: settings.rate, keyCount: settings.keys, keyOf });
    const startWorker = () => {
      const env: Record<string, string> = { ...topics };
      if (settings.sessionTimeoutMs !== undefined) env.TRIBUTARY_SESSION_TIMEOUT_MS = String(settings.sessionTimeoutMs);
      const worker = new WorkerProcess(`worker-${workers.length + 1}`, [FIXTURE, '--application-id', app, '--guarantee', settings.guarantee], env).start();
      workers.push(worker);
      return worker;
    };
    const all = topology.subtopologies.flatMap((sub) => Array.from({ length: PARTITIONS }, (_, p) => `${sub.id}_${p}`));
    // The tasks the trickle feeds (the others, if any, read only topics nobody writes): only they log a first record.
    const fedId = subtopologyOf(topology, STORE).id;
    const fed = all.filter((t) => t.startsWith(`${fedId}_`));
    const started = Date.now();

    let owner = startWorker();
    const everyTask = (worker: WorkerProcess, msg: string) => () => {
      const log = events(worker);
      return (msg === 'first record since claim' ? fed : all).every((t) => firstEvent(log, msg, 0, t));
    };
    await until(workers, `${owner.name} claims every task`, everyTask(owner, 'task claimed'));
    trickle.start();
    await until(workers, `${owner.name} processes every task`, everyTask(owner, 'first record since claim'));
    await sleep(settings.settleMs);

    const moves: Move[] = [];
    const exitCodes: Array<number | null> = [];
    for (let round = 1; round <= settings.rounds; round++) {
      const old = owner;
      const joining = startWorker();
      const joinedAt = Date.now();
      const first = await until(workers, `${joining.name} is assigned tasks`, () => events(joining).find((e) => e.msg === 'assigned' && assignedTasks(e).length > 0));
      const scaledOut = assignedTasks(first);
      await handedOver(workers, old, joining, scaledOut, fed, joinedAt);
      moves.push(...measureMoves('scale-out', round, scaledOut, events(old), events(joining), joinedAt));
      await sleep(settings.settleMs);

      const signalledAt = Date.now();
      exitCodes.push(await old.stop());
      const rest = all.filter((t) => !scaledOut.includes(t));
      await handedOver(workers, old, joining, rest, fed, signalledAt);
      moves.push(...measureMoves('shutdown', round, rest, events(old), events(joining), signalledAt));
      progress(`round ${round}/${settings.rounds}: ${scaledOut.length} tasks moved on scale-out, ${rest.length} on shutdown`);
      await sleep(settings.settleMs);
      owner = joining;
    }
    await trickle.stop();
    const runMs = Date.now() - started;
    const stateCheck = await checkState(redis, app, topology, trickle.sums, partitionOf, fill.perTask);
    exitCodes.push(await owner.stop());

    const problems = new Map<string, number>();
    const otherLines: string[] = [];
    for (const worker of workers) {
      const log = parseLog(worker.logs);
      otherLines.push(...log.other.map((line) => `${worker.name}: ${line}`));
      for (const e of log.events) {
        if (e.level < 40) continue;
        // pino's serialized `err`, or kafkajs' own `error` string.
        const err = e.fields.err as { message?: string } | undefined;
        const detail = err?.message ?? (typeof e.fields.error === 'string' ? e.fields.error : undefined);
        const what = `${e.level >= 50 ? 'error' : 'warn'}: ${clip(e.msg)}${detail ? ` (${clip(detail)})` : ''}`;
        problems.set(what, (problems.get(what) ?? 0) + 1);
      }
    }
    return {
      settings,
      fill,
      redisClaimMs,
      redisBytes: memoryBefore !== undefined && memoryAfter !== undefined ? memoryAfter - memoryBefore : undefined,
      moves,
      sent: trickle.sent,
      runMs,
      exitCodes,
      stateCheck,
      problems,
      otherLines,
    };
  } finally {
    process.removeListener('SIGINT', interrupted);
    await cleanup();
  }
}

/**
 * A per-run name for every topic the fixture takes from the environment (`SUM_<NAME>_TOPIC`,
 * read from its source, so a topic added to the fixture is created too): `<prefix><name>`.
 */
function fixtureTopics(prefix: string): Record<string, string> {
  const source = readFileSync(FIXTURE, 'utf8');
  const topics: Record<string, string> = {};
  for (const [, variable, name] of source.matchAll(/process\.env\.(SUM_([A-Z0-9_]+)_TOPIC)/g)) topics[variable!] = `${prefix}${name!.toLowerCase()}`;
  return topics;
}

function clip(text: string, length = 100): string {
  return text.length > length ? `${text.slice(0, length - 1)}…` : text;
}

function events(worker: WorkerProcess): LogEvent[] {
  return parseLog(worker.logs).events;
}

/** Waits until the new owner claimed each task (and read a record of each fed one) and the old owner closed it. */
async function handedOver(
  workers: readonly WorkerProcess[],
  old: WorkerProcess,
  joining: WorkerProcess,
  tasks: readonly string[],
  fed: readonly string[],
  since: number,
): Promise<void> {
  await until(workers, `${joining.name} claims ${tasks.join(', ')} and reads a record of each`, () => {
    const log = events(joining);
    return tasks.every((t) => {
      const claimed = firstEvent(log, 'task claimed', since, t);
      return claimed && (!fed.includes(t) || firstEvent(log, 'first record since claim', claimed.time, t));
    });
  });
  await until(workers, `${old.name} closes ${tasks.join(', ')}`, () => {
    const log = events(old);
    return tasks.every((t) => firstEvent(log, 'task closed', since, t));
  });
}

async function usedMemory(redis: RedisClient): Promise<number | undefined> {
  if ('nodes' in redis) return undefined;
  const info = await redis.info('memory');
  const match = /^used_memory:(\d+)/m.exec(info);
  return match ? Number(match[1]) : undefined;
}

/**
 * After the last worker caught up: every key the trickle touched holds the initial value
 * plus the sum of what was sent to it (waits up to a minute for the lag to drain), and no
 * task's hash gained keys (which it would if the fill had put a key in the wrong task).
 */
async function checkState(
  redis: RedisClient,
  app: string,
  topology: Topology,
  sums: ReadonlyMap<string, number>,
  partitionOf: (key: string) => number,
  perTask: readonly number[],
): Promise<HandoffResult['stateCheck']> {
  const subtopology = subtopologyOf(topology, STORE);
  const byTask = new Map<number, string[]>();
  for (const key of sums.keys()) {
    const p = partitionOf(key);
    byTask.set(p, [...(byTask.get(p) ?? []), key]);
  }
  const deadline = Date.now() + 60_000;
  let exact = 0;
  for (;;) {
    exact = 0;
    for (const [p, keys] of byTask) {
      const state = new RedisTaskState(redis, { app, taskId: `${subtopology.id}_${p}`, stores: taskStores(topology, subtopology) });
      await state.load(keys.map((key) => ({ store: STORE, kind: 'key' as const, key })));
      const store = state.store(STORE) as KeyValueStore<string, StoredAggregate>;
      for (const key of keys) if (store.get(key)?.value === INITIAL.value + sums.get(key)!) exact++;
      state.close();
    }
    if (exact === sums.size || Date.now() > deadline) break;
    await sleep(1000);
  }
  let strayKeys = 0;
  for (let p = 0; p < PARTITIONS; p++) {
    const hash = new TaskKeys({ app, taskId: `${subtopology.id}_${p}` }).keyValue(STORE);
    strayKeys += (await redis.hlen(hash)) - perTask[p]!;
  }
  return { exact, checked: sums.size, strayKeys };
}
