import { randomBytes } from 'node:crypto';
import { Kafka, logLevel, Partitioners, type Admin, type Producer } from 'kafkajs';
import type { ConnectionConfig } from '../../runtime/config.ts';
import { createRegistryClient } from '../../schemas/registryClient.ts';
import { closeRedis, connectRedis } from '../../state/redis/redisConnection.ts';
import { dropState } from '../handoff/stateFill.ts';
import type { BenchProcess } from '../support/benchProcess.ts';
import { ProcessSampler } from '../support/processSampler.ts';
import { until } from '../support/until.ts';
import { parseLog } from '../support/workerLog.ts';
import { preloadOrders } from '../throughput/orderPreload.ts';
import { caughtUp, lastTimestamp, recordCount } from '../throughput/topicProbes.ts';
import type { Workload } from '../throughput/workloads.ts';
import { coresBusy, cpuSnapshot, stackPids, type CoresBusy, type CpuSnapshot } from './cpuShares.ts';

export interface ScalingSettings {
  readonly records: number;
  readonly customers: number;
  readonly spacingMs: number;
  /** How many worker processes to run, one run each (1, 2, 3). */
  readonly processCounts: readonly number[];
  readonly workload: Workload;
}

/** From the moment the group was stable with every process in it to the last output. */
export interface SteadyWindow {
  readonly seconds: number;
  readonly outputs: number;
  readonly eventsPerSecond: number;
  /** Cores each part kept busy over the window (its end is when the bench saw the group caught up). */
  readonly cores: CoresBusy;
}

export interface ScalingPoint {
  readonly processes: number;
  readonly records: number;
  readonly outputs: number;
  /** The earliest process's first record → the last output appended. */
  readonly seconds: number;
  readonly eventsPerSecond: number;
  /** Undefined when the work was done before every process had joined. */
  readonly steady: SteadyWindow | undefined;
  /** User + system CPU of all the workers between first record and last output, per million orders. */
  readonly workerCpuSecondsPerMillion: number;
  /** `assigned` lines over all the workers' logs: one per process per rebalance it took part in. */
  readonly assignments: number;
  readonly exitCodes: Array<number | null>;
}

export interface ScalingResult {
  readonly settings: Omit<ScalingSettings, 'workload'> & { readonly workload: string };
  readonly preloadSeconds: number;
  readonly points: ScalingPoint[];
}

/**
 * The throughput bench's data preloaded once; then, for each process count n, n workers of
 * the workload started together as one group (a fresh application id each time) over all of
 * it, until the group has committed the end of the input. Removes its topics, groups and
 * Redis keys whatever happens.
 */
export async function runScaling(settings: ScalingSettings, connection: ConnectionConfig, progress: (line: string) => void): Promise<ScalingResult> {
  const id = randomBytes(4).toString('hex');
  const kafka = new Kafka({ clientId: `bench-scaling-${id}`, brokers: connection.brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  const redis = connectRedis(connection.redisUrl);
  const registry = createRegistryClient({ url: connection.registryUrl });
  const groups: string[] = [];
  let producer: Producer | undefined;
  try {
    await admin.connect();
    producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    progress(`preloading ${settings.customers} customers and ${settings.records} orders (run ${id})`);
    const { phase, preloadSeconds } = await preloadOrders(admin, producer, registry, {
      records: settings.records,
      customers: settings.customers,
      spacingMs: settings.spacingMs,
      prefix: `b${id}s.`,
      outputs: (topics) => [settings.workload.output(topics)],
    });
    progress(`preloaded in ${preloadSeconds.toFixed(1)} s`);
    const points: ScalingPoint[] = [];
    for (const n of settings.processCounts) {
      const group = `bench-${id}-scaling-${n}`;
      groups.push(group);
      progress(`${n} × ${settings.workload.name}: throughput over ${settings.records} orders`);
      const point = await measure(kafka, admin, settings, phase, group, n);
      points.push(point);
      progress(
        `${n} × ${settings.workload.name}: ${Math.round(point.eventsPerSecond)} orders/s over the run, ${point.steady ? `${Math.round(point.steady.eventsPerSecond)} with all ${n} in, machine ${point.steady.cores.machine.toFixed(2)} cores busy` : 'done before all had joined'}`,
      );
    }
    return { settings: { ...settings, workload: settings.workload.name }, preloadSeconds, points };
  } finally {
    await producer?.disconnect().catch(() => undefined);
    const topics = (await admin.listTopics().catch(() => [] as string[])).filter((t) => t.startsWith(`b${id}s.`) || groups.some((g) => t.startsWith(`${g}-`)));
    for (const topic of topics) await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    for (const g of groups) await admin.deleteGroups([g]).catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
    let keys = 0;
    for (const g of groups) keys += await dropState(redis, g);
    await closeRedis(redis);
    progress(`cleaned up: ${topics.length} topics, ${groups.length} groups, ${keys} Redis keys`);
  }
}

async function measure(kafka: Kafka, admin: Admin, settings: ScalingSettings, phase: Parameters<Workload['start']>[0]['phase'], group: string, n: number): Promise<ScalingPoint> {
  const { workload, records } = settings;
  const output = workload.output(phase.topics);
  const inputs = workload.inputs(phase.topics);
  const outputsBefore = await recordCount(admin, output);
  const stack = stackPids();
  const workers: BenchProcess[] = Array.from({ length: n }, () => workload.start({ group, phase }));
  const samplers = workers.map((w) => new ProcessSampler(w.pid));
  const pids = workers.map((w) => w.pid);
  let steadyFrom: { snapshot: CpuSnapshot; outputs: number } | undefined;
  try {
    await until(workers, `${n} × ${workload.name} have processed all ${records} orders`, async () => {
      const gone = workers.find((w) => !w.running);
      if (gone) throw new Error(`${gone.name} exited early:\n${gone.tail()}`);
      // The window starts once every process is in and outputs flow (a lone worker is in long before it reads).
      if (!steadyFrom && (await stableWith(admin, group, n))) {
        const outputs = await recordCount(admin, output);
        if (outputs > outputsBefore) steadyFrom = { snapshot: cpuSnapshot(pids, stack), outputs };
      }
      return caughtUp(admin, group, inputs);
    }, 180_000 + records);
    const end = cpuSnapshot(pids, stack);
    const last = await lastTimestamp(kafka, admin, output);
    const firsts = workers.map((w) => workload.firstRecordAt(w.lines)).filter((t): t is number => t !== undefined);
    if (!firsts.length) throw new Error(`no ${workload.name} process said when it read its first record`);
    const first = Math.min(...firsts);
    for (const s of samplers) s.stop();
    const outputs = (await recordCount(admin, output)) - outputsBefore;
    const seconds = (last - first) / 1000;
    let steady: SteadyWindow | undefined;
    if (steadyFrom && last > steadyFrom.snapshot.at) {
      const steadySeconds = (last - steadyFrom.snapshot.at) / 1000;
      const steadyOutputs = outputsBefore + outputs - steadyFrom.outputs;
      steady = { seconds: steadySeconds, outputs: steadyOutputs, eventsPerSecond: steadyOutputs / steadySeconds, cores: coresBusy(steadyFrom.snapshot, end) };
    }
    const workerCpu = samplers.reduce((sum, s) => sum + s.cpuSecondsBetween(first, last), 0);
    const assignments = workers.reduce((sum, w) => sum + parseLog(w.lines).events.filter((e) => e.msg === 'assigned').length, 0);
    const exitCodes: Array<number | null> = [];
    for (const w of workers) exitCodes.push(await w.stop());
    return { processes: n, records, outputs, seconds, eventsPerSecond: records / seconds, steady, workerCpuSecondsPerMillion: (workerCpu / records) * 1e6, assignments, exitCodes };
  } finally {
    for (const s of samplers) s.stop();
    await Promise.all(workers.map((w) => (w.running ? w.stop(5_000) : undefined)));
  }
}

/** True once the group is stable with exactly `members` members (every worker has joined and been given its share). */
async function stableWith(admin: Admin, group: string, members: number): Promise<boolean> {
  const [description] = (await admin.describeGroups([group])).groups;
  return description?.state === 'Stable' && description.members.length === members;
}
