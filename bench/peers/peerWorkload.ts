import { loadConnectionConfig } from '../../runtime/config.ts';
import { BenchProcess } from '../support/benchProcess.ts';
import { parseLog } from '../support/workerLog.ts';
import { KNOBS, knobsEnv, type Knob } from '../throughput/benchSweep.ts';
import type { BenchTopics } from '../throughput/benchTopics.ts';
import { earliest, REPO, type Workload } from '../throughput/workloads.ts';

/** What differs between peers: how the framework is installed and started. */
export interface PeerRuntime {
  /** `kafka-streams`, `quix`: the workloads are named `<framework>-<workload>`, the outputs `<tributary's output>.<framework>`. */
  readonly framework: string;
  /** Builds or installs the peer once (cached); returns the command and arguments that run it. */
  install(progress: (line: string) => void): Promise<readonly [string, readonly string[]]>;
  /** It logs `running` once it owns its partitions; without it the bench asks the group coordinator. */
  readonly logsRunning: boolean;
  /** The bench's knobs it takes, each by the variable that gives it (`BENCH_COMMIT_INTERVAL_MS`); a sweep runs it once per value. */
  readonly knobs?: Partial<Record<Knob, string>>;
}

/** The workloads every peer implements, named as tributary's, with tributary's output topic. */
const PEER_WORKLOADS = {
  stateful: { output: (t: BenchTopics) => t.totals, inputs: (t: BenchTopics) => [t.orders] },
  'join-windowed': { output: (t: BenchTopics) => t.windowTotals, inputs: (t: BenchTopics) => [t.orders, t.customers] },
} as const;

/**
 * One of tributary's workloads written for a peer framework, run on the same topics and bytes:
 * it reads the Avro orders (and the customer table) and writes Avro, framed with the same
 * registry ids, to `<tributary's output topic>.<framework>`. Its settings come as BENCH_*
 * variables; it prints `first record since claim` as a JSON line at its first order.
 */
export function peerWorkload(runtime: PeerRuntime, name: keyof typeof PEER_WORKLOADS, what: string): Workload {
  const { output, inputs } = PEER_WORKLOADS[name];
  const own = (topics: BenchTopics) => `${output(topics)}.${runtime.framework}`;
  let command: readonly [string, readonly string[]] | undefined;
  return {
    name: `${runtime.framework}-${name}`,
    what,
    inputs,
    output: own,
    redisState: false,
    knobs: KNOBS.filter((k) => runtime.knobs?.[k]),
    prepare: async (progress) => {
      command = await runtime.install(progress);
    },
    start: ({ group, phase, knobs }) => {
      if (!command) throw new Error(`the ${runtime.framework} peer is not installed: call prepare() first`);
      const { topics, catalogue, schemaIds } = phase;
      return new BenchProcess(`${runtime.framework}-${name}`, command[0], command[1], {
        cwd: REPO,
        env: {
          BENCH_WORKLOAD: name,
          BENCH_BROKERS: loadConnectionConfig().brokers.join(','),
          BENCH_GROUP: group,
          BENCH_INPUT_TOPIC: topics.orders,
          BENCH_ORDER_SCHEMA: catalogue.entry(topics.orders).schemaFile,
          BENCH_TABLE_TOPIC: topics.customers,
          BENCH_TABLE_SCHEMA: catalogue.entry(topics.customers).schemaFile,
          BENCH_OUTPUT_TOPIC: own(topics),
          BENCH_OUTPUT_SCHEMA: catalogue.entry(output(topics)).schemaFile,
          BENCH_OUTPUT_SCHEMA_ID: String(schemaIds.get(output(topics))),
          ...knobsEnv(knobs, runtime.knobs ?? {}),
        },
      }).start();
    },
    ...(runtime.logsRunning ? { ready: (lines: readonly string[]) => parseLog(lines).events.some((e) => e.msg === 'running') } : {}),
    firstRecordAt: (lines) => earliest(lines, 'first record since claim'),
  };
}
