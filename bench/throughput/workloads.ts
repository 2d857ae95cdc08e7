import { fileURLToPath } from 'node:url';
import type { KafkaMessage } from 'kafkajs';
import { BenchProcess } from '../support/benchProcess.ts';
import { parseLog } from '../support/workerLog.ts';
import type { BenchPhase } from './benchPhase.ts';
import { KNOBS, knobsEnv, type Knob, type KnobValues } from './benchSweep.ts';
import { PARTITIONS, TOPIC_PREFIX_ENV, type BenchTopics } from './benchTopics.ts';
import type { OrderInput } from './orderFeed.ts';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));

/** What a workload's process is started with. */
export interface WorkloadContext {
  /** Consumer group (for a tributary worker, the application id). */
  readonly group: string;
  /** The topics it reads and writes, their schemas and registry ids. */
  readonly phase: BenchPhase;
  /** When set, a Node process writes a V8 CPU profile (`--cpu-prof`) into this folder as it exits. */
  readonly cpuProfileDir?: string;
  /** In a sweep, the values of the knobs the workload takes; absent, it runs with its defaults. */
  readonly knobs?: KnobValues;
}

/** Node refuses --cpu-prof in NODE_OPTIONS: it goes on the command line. */
export function profilerFlags(cpuProfileDir: string | undefined): string[] {
  return cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfileDir}`] : [];
}

/** One thing the bench measures: a process that reads the bench's orders and writes one output topic. */
export interface Workload {
  readonly name: string;
  /** One line for the report. */
  readonly what: string;
  /** Topics the process reads: its group must have committed their end before the run counts as done. */
  inputs(topics: BenchTopics): string[];
  output(topics: BenchTopics): string;
  /** Its state is in Redis under its group (application id), to be removed afterwards. */
  readonly redisState: boolean;
  /** The settings a sweep may vary for it (benchSweep.ts); absent or empty, a sweep runs it once. */
  readonly knobs?: readonly Knob[];
  /** Done once before any run (a build, an install). */
  prepare?(progress: (line: string) => void): Promise<void>;
  start(context: WorkloadContext): BenchProcess;
  /**
   * It owns every partition and reads: records sent from now on are processed at once. A
   * workload that prints no such marker leaves it out, and the bench waits for its group to be
   * stable with every partition assigned instead.
   */
  ready?(lines: readonly string[]): boolean;
  /** When it applied its first record (epoch ms), from its output. */
  firstRecordAt(lines: readonly string[]): number | undefined;
  /** Where it reads the orders; the bench's orders topic unless told. */
  readonly orders?: OrderInput;
  /**
   * For an output with several records per order: the order a record of it completes, or
   * undefined. The run is then over once every order has completed (each counted once, see
   * outputFollower.ts) rather than once its group has read every input, its last output is the
   * last order's completion, and its latency is taken on completions only.
   */
  completes?(phase: BenchPhase, message: KafkaMessage): Promise<string | undefined>;
  /** The consumer groups (application ids) its process runs as instead of the one it is given: removed afterwards, with their Redis state. */
  groups?(phase: BenchPhase): string[];
}

export function earliest(lines: readonly string[], msg: string): number | undefined {
  const times = parseLog(lines).events.filter((e) => e.msg === msg).map((e) => e.time);
  return times.length ? Math.min(...times) : undefined;
}

/** How `tributary run` takes each knob. */
const WORKER_KNOB_ENV = { unitRecords: 'TRIBUTARY_UNIT_RECORDS', commitIntervalMs: 'TRIBUTARY_COMMIT_INTERVAL_MS' } as const;

/** A topology file of bench/throughput/topologies run by `tributary run`, at_least_once with the worker's defaults (or a sweep's knob values). */
function tributaryWorkload(name: string, file: string, what: string, output: (topics: BenchTopics) => string, inputs: (topics: BenchTopics) => string[], redisState: boolean): Workload {
  const topologyFile = fileURLToPath(new URL(`./topologies/${file}`, import.meta.url));
  return {
    name,
    what,
    inputs,
    output,
    redisState,
    knobs: KNOBS,
    start: ({ group, phase, cpuProfileDir, knobs }) =>
      new BenchProcess(name, 'node', [...profilerFlags(cpuProfileDir), 'bin/tributary.js', 'run', topologyFile, '--application-id', group], {
        cwd: REPO,
        env: { [TOPIC_PREFIX_ENV]: phase.prefix, TRIBUTARY_LOG_LEVEL: 'info', ...knobsEnv(knobs, WORKER_KNOB_ENV) },
      }).start(),
    // Every bench topology is one subtopology: one task per partition.
    ready: (lines) => new Set(parseLog(lines).events.filter((e) => e.msg === 'task claimed').map((e) => e.task)).size >= PARTITIONS,
    firstRecordAt: (lines) => earliest(lines, 'first record since claim'),
  };
}

const ordersOnly = (topics: BenchTopics) => [topics.orders];

/**
 * The raw kafkajs loop (baselineLoop.ts): the ceiling the others are compared with. A sweep
 * varies its unit (its send + offset commit batch) with the workers'; it has no commit
 * interval (it commits every unit), so the commit-interval sweep runs it once.
 */
export const baseline: Workload = {
  name: 'baseline',
  what: 'raw kafkajs consume → produce loop, bytes copied, no framework',
  inputs: ordersOnly,
  output: (topics) => topics.baselineCopy,
  redisState: false,
  knobs: ['unitRecords'],
  start: ({ group, phase, cpuProfileDir, knobs }) =>
    new BenchProcess('baseline', 'node', [...profilerFlags(cpuProfileDir), '--import', 'tsx', fileURLToPath(new URL('./baselineLoop.ts', import.meta.url))], {
      cwd: REPO,
      env: { BENCH_INPUT_TOPIC: phase.topics.orders, BENCH_OUTPUT_TOPIC: phase.topics.baselineCopy, BENCH_GROUP: group, ...knobsEnv(knobs, { unitRecords: 'BENCH_UNIT_RECORDS' }) },
    }).start(),
  ready: (lines) => {
    const assigned = parseLog(lines).events.filter((e) => e.msg === 'assigned');
    const last = assigned[assigned.length - 1]?.fields.partitions;
    return Array.isArray(last) && last.length >= PARTITIONS;
  },
  firstRecordAt: (lines) => earliest(lines, 'first record since claim'),
};

/** tributary's workloads, cheapest first. */
export const tributaryWorkloads: readonly Workload[] = [
  tributaryWorkload('passthrough', 'passthrough.ts', 'Avro deserialize → serialize', (t) => t.copied, ordersOnly, false),
  tributaryWorkload('stateless', 'stateless.ts', 'Avro, filter (about half pass) + mapValues to a summary', (t) => t.summarized, ordersOnly, false),
  tributaryWorkload('stateful', 'statefulAggregate.ts', 'Avro, count + sum per customer in Redis, every update out', (t) => t.totals, ordersOnly, true),
  tributaryWorkload(
    'join-windowed',
    'joinWindowed.ts',
    'Avro, join with the customer table, then count + sum per customer and 1-minute window in Redis',
    (t) => t.windowTotals,
    (t) => [t.orders, t.customers],
    true,
  ),
];
