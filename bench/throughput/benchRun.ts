import { randomBytes } from 'node:crypto';
import { Kafka, logLevel, Partitioners, type Producer } from 'kafkajs';
import type { ConnectionConfig } from '../../runtime/config.ts';
import { createRegistryClient } from '../../schemas/registryClient.ts';
import { closeRedis, connectRedis } from '../../state/redis/redisConnection.ts';
import { dropState } from '../handoff/stateFill.ts';
import { preparePhase } from './benchPhase.ts';
import { describeKnobs, KNOB_DEFAULTS, knobsSuffix, sweepPoints, type KnobValues, type Sweep } from './benchSweep.ts';
import { measureLatency, type LatencyResult } from './latencyRun.ts';
import { preloadOrders } from './orderPreload.ts';
import { measureThroughput, type ThroughputResult } from './throughputRun.ts';
import type { Workload } from './workloads.ts';

export interface BenchSettings {
  /** Orders preloaded and read by every workload. */
  readonly records: number;
  /**
   * Orders the order-saga workload reads (the first of `records`): each costs it about 26
   * records read and written across five applications, so a million would take it minutes.
   */
  readonly sagaOrders: number;
  /** Distinct customers (message keys, and rows of the customer table). */
  readonly customers: number;
  /** Event time between consecutive preloaded orders (they span records × this). */
  readonly spacingMs: number;
  /** Seconds of paced load per workload for the latency figures; 0 leaves latency out. */
  readonly latencySeconds: number;
  /** Share of the workload's own measured rate the latency run sends at. */
  readonly latencyLoad: number;
  readonly workloads: readonly Workload[];
  /** When set, each Node workload's throughput run is CPU-profiled into `<dir>/<workload>/`. */
  readonly cpuProfileDir?: string;
  /** When set, each workload runs once per value of each swept knob it takes (benchSweep.ts). */
  readonly sweep?: Sweep;
}

export interface WorkloadResult {
  readonly workload: string;
  readonly what: string;
  /** In a sweep, the knob values of this run (those of the knobs the workload takes). */
  readonly knobs?: KnobValues;
  readonly throughput: ThroughputResult;
  /** eventsPerSecond / the baseline's, when the baseline ran (in a sweep: the baseline run with the same unit size). */
  readonly ratioToBaseline: number | undefined;
  readonly latency: LatencyResult | undefined;
}

export interface BenchResult {
  readonly settings: Omit<BenchSettings, 'workloads' | 'cpuProfileDir'>;
  readonly preloadSeconds: number;
  readonly results: WorkloadResult[];
}

/** One process the bench measures: a workload, with its knob values in a sweep. */
interface WorkloadRun {
  readonly workload: Workload;
  readonly knobs: KnobValues | undefined;
  /** For progress lines: `stateful (unit 100 records, commit interval 1,000 ms)`. */
  readonly label: string;
}

function runsOf(settings: BenchSettings): WorkloadRun[] {
  return settings.workloads.flatMap((workload): WorkloadRun[] =>
    settings.sweep
      ? sweepPoints(settings.sweep, workload.knobs ?? []).map((knobs) => ({ workload, knobs, label: `${workload.name}${describeKnobs(knobs) ? ` (${describeKnobs(knobs)})` : ''}` }))
      : [{ workload, knobs: undefined, label: workload.name }],
  );
}

/** The unit size a run's ratio is taken at: its own, or the default for a workload without one. */
function unitOf(run: WorkloadRun): number {
  return run.knobs?.unitRecords ?? KNOB_DEFAULTS.unitRecords;
}

/**
 * One run of the throughput bench: N orders preloaded once into fresh topics, each workload
 * run over them in turn as a fresh process (throughput, CPU, memory, Redis commands), then,
 * when asked, each again on its own empty topics under paced load at a share of its own
 * rate (latency). In a sweep, a workload runs once per value of each swept knob it takes, each
 * time a fresh process with its own group over the same orders. Removes its topics, groups and
 * Redis keys whatever happens; the registry keeps the subjects (the ccompat API has no delete we
 * use).
 */
export async function runBench(settings: BenchSettings, connection: ConnectionConfig, progress: (line: string) => void): Promise<BenchResult> {
  const id = randomBytes(4).toString('hex');
  const kafka = new Kafka({ clientId: `bench-${id}`, brokers: connection.brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  const redis = connectRedis(connection.redisUrl);
  const registry = createRegistryClient({ url: connection.registryUrl });
  const groups: string[] = [];
  const group = ({ workload, knobs }: WorkloadRun, phase: string) => {
    const suffix = knobs ? knobsSuffix(knobs) : '';
    const name = `bench-${id}-${workload.name}${suffix ? `-${suffix}` : ''}-${phase}`;
    groups.push(name);
    return name;
  };
  let producer: Producer | undefined;
  try {
    await admin.connect();
    producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    for (const workload of settings.workloads) await workload.prepare?.(progress);
    // The order saga reads the first of the orders: each costs it tens of records.
    const sagaRecords = Math.min(settings.records, settings.sagaOrders);
    progress(`preloading ${settings.customers} customers and ${settings.records} orders (run ${id})`);
    const { phase, preloadSeconds } = await preloadOrders(admin, producer, registry, {
      records: settings.records,
      customers: settings.customers,
      spacingMs: settings.spacingMs,
      prefix: `b${id}t.`,
      outputs: (topics) => settings.workloads.map((w) => w.output(topics)),
      inputs: settings.workloads.map((w) => w.orders ?? 'bench'),
      orderSystemRecords: sagaRecords,
    });
    for (const workload of settings.workloads) groups.push(...(workload.groups?.(phase) ?? []));
    progress(`preloaded in ${preloadSeconds.toFixed(1)} s`);

    const runs = runsOf(settings);
    const throughputs = new Map<WorkloadRun, ThroughputResult>();
    for (const run of runs) {
      const records = run.workload.orders === 'order-system' ? sagaRecords : settings.records;
      progress(`${run.label}: throughput over ${records} orders`);
      const result = await measureThroughput(kafka, admin, redis, run.workload, phase, group(run, 'throughput'), records, {
        ...(settings.cpuProfileDir ? { cpuProfileDir: settings.cpuProfileDir } : {}),
        ...(run.knobs ? { knobs: run.knobs } : {}),
      });
      throughputs.set(run, result);
      progress(`${run.label}: ${Math.round(result.eventsPerSecond)} orders/s, ${result.cpuSecondsPerMillion.toFixed(1)} CPU s per 1M, ${(result.peakRssBytes / 2 ** 20).toFixed(0)} MB peak RSS (${result.rssBytesByQuarter.map((b) => (b / 2 ** 20).toFixed(0)).join(' / ')} MB at each quarter of the run), ${result.redisCommandsPerEvent.toFixed(3)} Redis commands per order`);
    }
    const baselineAt = (unit: number) => [...throughputs].find(([r]) => r.workload.name === 'baseline' && unitOf(r) === unit)?.[1];

    const results: WorkloadResult[] = [];
    for (const [index, run] of runs.entries()) {
      const { workload } = run;
      const throughput = throughputs.get(run)!;
      const baseline = baselineAt(unitOf(run));
      let latency: LatencyResult | undefined;
      if (settings.latencySeconds > 0) {
        const rate = Math.max(1, Math.round(throughput.eventsPerSecond * settings.latencyLoad));
        progress(`${run.label}: latency at ${rate} orders/s for ${settings.latencySeconds} s`);
        // Its own empty topics: a live worker must not start on another workload's backlog.
        const live = await preparePhase(admin, producer, registry, {
          prefix: `b${id}l${index}.`,
          outputs: (topics) => [workload.output(topics)],
          appendTime: false,
          customers: settings.customers,
          tableTime: Date.now() - 1,
          orderSystem: workload.orders === 'order-system',
        });
        groups.push(...(workload.groups?.(live) ?? []));
        latency = await measureLatency(kafka, admin, producer, workload, live, group(run, 'latency'), {
          rate,
          seconds: settings.latencySeconds,
          warmUpFraction: 0.25,
          customers: settings.customers,
          ...(run.knobs ? { knobs: run.knobs } : {}),
        });
        progress(`${run.label}: p50 ${latency.p50Ms} ms, p99 ${latency.p99Ms} ms over ${latency.samples} outputs`);
      }
      results.push({
        workload: workload.name,
        what: workload.what,
        ...(run.knobs ? { knobs: run.knobs } : {}),
        throughput,
        ratioToBaseline: baseline ? throughput.eventsPerSecond / baseline.eventsPerSecond : undefined,
        latency,
      });
    }
    const { workloads: _, cpuProfileDir: __, ...rest } = settings;
    return { settings: rest, preloadSeconds, results };
  } finally {
    await producer?.disconnect().catch(() => undefined);
    const topics = (await admin.listTopics().catch(() => [] as string[])).filter((t) => t.startsWith(`b${id}`) || groups.some((g) => t.includes(g))); // internal topics: `<group>-…` (tributary, Kafka Streams), `changelog__<group>--…` (Quix)
    for (const topic of topics) await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    for (const g of groups.flatMap((g) => [g, `${g}-latency-probe`])) await admin.deleteGroups([g]).catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
    let keys = 0;
    for (const g of groups) keys += await dropState(redis, g);
    await closeRedis(redis);
    progress(`cleaned up: ${topics.length} topics, ${groups.length} groups, ${keys} Redis keys`);
  }
}
