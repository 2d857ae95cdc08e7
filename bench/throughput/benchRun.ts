import { randomBytes } from 'node:crypto';
import { Kafka, logLevel, Partitioners, type Producer } from 'kafkajs';
import type { ConnectionConfig } from '../../runtime/config.ts';
import { createRegistryClient } from '../../schemas/registryClient.ts';
import { closeRedis, connectRedis } from '../../state/redis/redisConnection.ts';
import { dropState } from '../handoff/stateFill.ts';
import { preparePhase } from './benchPhase.ts';
import { measureLatency, type LatencyResult } from './latencyRun.ts';
import { preloadOrders } from './orderPreload.ts';
import { measureThroughput, type ThroughputResult } from './throughputRun.ts';
import type { Workload } from './workloads.ts';

export interface BenchSettings {
  /** Orders preloaded and read by every workload. */
  readonly records: number;
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
}

export interface WorkloadResult {
  readonly workload: string;
  readonly what: string;
  readonly throughput: ThroughputResult;
  /** eventsPerSecond / the baseline's, when the baseline ran. */
  readonly ratioToBaseline: number | undefined;
  readonly latency: LatencyResult | undefined;
}

export interface BenchResult {
  readonly settings: Omit<BenchSettings, 'workloads' | 'cpuProfileDir'>;
  readonly preloadSeconds: number;
  readonly results: WorkloadResult[];
}

/**
 * One run of the throughput bench: N orders preloaded once into fresh topics, each workload
 * run over them in turn as a fresh process (throughput, CPU, memory, Redis commands), then,
 * when asked, each again on its own empty topics under paced load at a share of its own
 * rate (latency). Removes its topics, groups and Redis keys whatever happens; the registry
 * keeps the subjects (the ccompat API has no delete we use).
 */
export async function runBench(settings: BenchSettings, connection: ConnectionConfig, progress: (line: string) => void): Promise<BenchResult> {
  const id = randomBytes(4).toString('hex');
  const kafka = new Kafka({ clientId: `bench-${id}`, brokers: connection.brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  const redis = connectRedis(connection.redisUrl);
  const registry = createRegistryClient({ url: connection.registryUrl });
  const groups: string[] = [];
  const group = (workload: Workload, phase: string) => {
    const name = `bench-${id}-${workload.name}-${phase}`;
    groups.push(name);
    return name;
  };
  let producer: Producer | undefined;
  try {
    await admin.connect();
    producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    for (const workload of settings.workloads) await workload.prepare?.(progress);
    progress(`preloading ${settings.customers} customers and ${settings.records} orders (run ${id})`);
    const { phase, preloadSeconds } = await preloadOrders(admin, producer, registry, {
      records: settings.records,
      customers: settings.customers,
      spacingMs: settings.spacingMs,
      prefix: `b${id}t.`,
      outputs: (topics) => settings.workloads.map((w) => w.output(topics)),
    });
    progress(`preloaded in ${preloadSeconds.toFixed(1)} s`);

    const throughputs = new Map<Workload, ThroughputResult>();
    for (const workload of settings.workloads) {
      progress(`${workload.name}: throughput over ${settings.records} orders`);
      const result = await measureThroughput(kafka, admin, redis, workload, phase, group(workload, 'throughput'), settings.records, settings.cpuProfileDir);
      throughputs.set(workload, result);
      progress(`${workload.name}: ${Math.round(result.eventsPerSecond)} orders/s, ${result.cpuSecondsPerMillion.toFixed(1)} CPU s per 1M, ${(result.peakRssBytes / 2 ** 20).toFixed(0)} MB peak RSS (${result.rssBytesByQuarter.map((b) => (b / 2 ** 20).toFixed(0)).join(' / ')} MB at each quarter of the run), ${result.redisCommandsPerEvent.toFixed(3)} Redis commands per order`);
    }
    const baseline = [...throughputs].find(([w]) => w.name === 'baseline')?.[1];

    const results: WorkloadResult[] = [];
    for (const [index, workload] of settings.workloads.entries()) {
      const throughput = throughputs.get(workload)!;
      let latency: LatencyResult | undefined;
      if (settings.latencySeconds > 0) {
        const rate = Math.max(1, Math.round(throughput.eventsPerSecond * settings.latencyLoad));
        progress(`${workload.name}: latency at ${rate} orders/s for ${settings.latencySeconds} s`);
        // Its own empty topics: a live worker must not start on another workload's backlog.
        const live = await preparePhase(admin, producer, registry, {
          prefix: `b${id}l${index}.`,
          outputs: (topics) => [workload.output(topics)],
          appendTime: false,
          customers: settings.customers,
          tableTime: Date.now() - 1,
        });
        latency = await measureLatency(kafka, admin, producer, workload, live, group(workload, 'latency'), {
          rate,
          seconds: settings.latencySeconds,
          warmUpFraction: 0.25,
          customers: settings.customers,
        });
        progress(`${workload.name}: p50 ${latency.p50Ms} ms, p99 ${latency.p99Ms} ms over ${latency.samples} outputs`);
      }
      results.push({
        workload: workload.name,
        what: workload.what,
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
