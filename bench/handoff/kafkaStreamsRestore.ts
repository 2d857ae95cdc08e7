import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel, Partitioners, type Producer } from 'kafkajs';
import type { ConnectionConfig } from '../../runtime/config.ts';
import { BenchProcess } from '../support/benchProcess.ts';
import { createTopics } from '../support/createTopics.ts';
import { until } from '../support/until.ts';
import { parseLog, firstEvent, type LogEvent } from '../support/workerLog.ts';
import { sendAll } from '../throughput/orderLoad.ts';
import { REPO } from '../throughput/workloads.ts';
import { kafkaPartitioner } from './kafkaPartition.ts';
import { measureRestoreMoves, restoresOf, tasksRestoredSince, type RestoreMove } from './kafkaStreamsMoves.ts';
import { Trickle } from './trickle.ts';

const PARTITIONS = 6;
const TASKS = Array.from({ length: PARTITIONS }, (_, p) => `0_${p}`);
/** A restore of a million records on a loaded 2-core machine takes a while; leave room, not forever. */
const RESTORE_TIMEOUT_MS = 600_000;

export interface KafkaStreamsRestoreSettings {
  /** Keys in the `sums` store's changelog, over the 6 partitions. */
  readonly keys: number;
  /** Input records per second for the whole run (the trickle tributary's handoff bench sends). */
  readonly rate: number;
  /** Quiet time after each step. */
  readonly settleMs: number;
  /** When set, each instance's output is written to `<logDir>/<app>.<instance>.log`. */
  readonly logDir: string | undefined;
}

export interface KafkaStreamsRestoreResult {
  readonly settings: KafkaStreamsRestoreSettings;
  /** Writing the changelog (ms). */
  readonly fillMs: number;
  /** The first instance's own restore of every task at its start (an instance restarted without its state folder). */
  readonly coldStart: Array<{ task: string; restored: number; restoreMs: number }>;
  /** Scale-out (the second instance joins: half the tasks move) and shutdown (the first leaves: the rest move). */
  readonly moves: RestoreMove[];
  /** Exit codes of the instances stopped with SIGTERM (143: the JVM's on SIGTERM after its shutdown hook). */
  readonly exitCodes: Array<number | null>;
}

/**
 * Kafka Streams' side of the handoff bench for one state size: fresh topics and application
 * id; the `sums` changelog written directly with N keys (8-byte longs, each key in the
 * partition the input routes it to: what an instance that had counted them would have left
 * there); instance A (HandoffStreams, empty state folder) restores it and takes the trickle;
 * instance B (empty state folder) joins and takes half the tasks, restoring them; A is
 * SIGTERMed and B takes the rest, restoring them. Cleans up its topics and group.
 */
export async function runKafkaStreamsRestore(settings: KafkaStreamsRestoreSettings, classpath: string, connection: ConnectionConfig, progress: (line: string) => void): Promise<KafkaStreamsRestoreResult> {
  const id = randomBytes(4).toString('hex');
  const app = `bench-ks-handoff-${id}`;
  const topics = { input: `bench.ks-handoff.${id}.input`, output: `bench.ks-handoff.${id}.output`, changelog: `${app}-sums-changelog` };
  const kafka = new Kafka({ clientId: app, brokers: connection.brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  const instances: BenchProcess[] = [];
  let producer: Producer | undefined;
  let trickle: Trickle | undefined;
  const keyOf = (i: number) => `k${i}`;
  const start = (name: string) => {
    const instance = new BenchProcess(name, 'java', ['-Xmx256m', '-Dorg.slf4j.simpleLogger.defaultLogLevel=warn', '-cp', classpath, 'tributary.bench.HandoffStreams'], {
      cwd: REPO,
      env: { BENCH_GROUP: app, BENCH_INSTANCE: name, BENCH_BROKERS: connection.brokers.join(','), BENCH_INPUT_TOPIC: topics.input, BENCH_OUTPUT_TOPIC: topics.output },
    }).start();
    instances.push(instance);
    return instance;
  };
  try {
    await admin.connect();
    await createTopics(admin, [topics.input, topics.output], PARTITIONS);
    await createTopics(admin, [topics.changelog], PARTITIONS, [{ name: 'cleanup.policy', value: 'compact' }]);
    producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();

    progress(`writing ${settings.keys} keys into ${topics.changelog}`);
    const filling = Date.now();
    const partitionOf = kafkaPartitioner(PARTITIONS);
    const zero = Buffer.alloc(8); // Serdes.Long() of 0: tributary's bench fills 0 too
    // Distinct keys: the order between requests does not matter, so several go at once.
    await sendAll(settings.keys, async (i) => ({ key: keyOf(i), value: zero, partition: partitionOf(keyOf(i)) }), { producer, topic: topics.changelog, batch: 5000, inFlight: 4 });
    const fillMs = Date.now() - filling;
    progress(`written in ${fillMs} ms`);

    const a = start('kafka-streams-A');
    const startedA = Date.now();
    await until(instances, 'A restores every task', () => TASKS.every((t) => firstEvent(events(a), 'restore end', 0, t)), RESTORE_TIMEOUT_MS);
    const coldStart = restoresOf(events(a), TASKS, startedA);
    progress(`A restored every task: ${coldStart.map((r) => `${r.task} ${r.restored} in ${r.restoreMs} ms`).join(', ')}`);
    trickle = new Trickle(producer, { topic: topics.input, rate: settings.rate, keyCount: settings.keys, keyOf });
    trickle.start();
    await until(instances, 'A processes every task', () => TASKS.every((t) => firstEvent(events(a), 'first record since claim', 0, t)));
    await sleep(settings.settleMs);

    const joinedAt = Date.now();
    const b = start('kafka-streams-B');
    // Scale-out: done once B has processed a record of every task it restored and the group has settled.
    const scaledOut = await until(instances, 'B takes tasks over from A', async () => {
      const moved = tasksRestoredSince(events(b), joinedAt);
      if (!moved.length || !moved.every((t) => firstEvent(events(b), 'first record since claim', joinedAt, t))) return undefined;
      await sleep(settings.settleMs);
      const settled = tasksRestoredSince(events(b), joinedAt);
      return settled.length === moved.length ? settled : undefined;
    }, RESTORE_TIMEOUT_MS);
    const moves = measureRestoreMoves('scale-out', scaledOut, events(a), events(b), joinedAt);
    progress(`scale-out: ${scaledOut.length} tasks moved to B`);

    const signalledAt = Date.now();
    const exitCodes = [await a.stop()];
    const rest = TASKS.filter((t) => !scaledOut.includes(t));
    await until(instances, `B takes ${rest.join(', ')} over`, () => rest.every((t) => firstEvent(events(b), 'first record since claim', signalledAt, t)), RESTORE_TIMEOUT_MS);
    moves.push(...measureRestoreMoves('shutdown', rest, events(a), events(b), signalledAt));
    progress(`shutdown: ${rest.length} tasks moved to B`);
    await trickle.stop();
    exitCodes.push(await b.stop());
    return { settings, fillMs, coldStart, moves, exitCodes };
  } finally {
    await trickle?.stop().catch(() => undefined);
    await Promise.all(instances.map((i) => i.stop(5_000)));
    if (settings.logDir) {
      mkdirSync(settings.logDir, { recursive: true });
      for (const i of instances) writeFileSync(path.join(settings.logDir, `${app}.${i.name}.log`), `${i.lines.join('\n')}\n`);
    }
    await producer?.disconnect().catch(() => undefined);
    const ours = (await admin.listTopics().catch(() => [] as string[])).filter((t) => t.startsWith(`bench.ks-handoff.${id}.`) || t.startsWith(`${app}-`));
    for (const topic of new Set([...Object.values(topics), ...ours])) await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.deleteGroups([app]).catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
  }
}

function events(instance: BenchProcess): LogEvent[] {
  return parseLog(instance.lines).events;
}
