import type { WorkloadResult } from '../throughput/benchRun.ts';
import type { KnobValues } from '../throughput/benchSweep.ts';

/** A throughput bench's settings, 50,000 orders, no latency. */
export const benchSettings = { records: 50_000, sagaOrders: 50_000, customers: 10_000, spacingMs: 10, latencySeconds: 0, latencyLoad: 0.5 } as const;

/** A result of `workload` at `eventsPerSecond`, the rest of its figures fixed. */
export function workloadResult(workload: string, eventsPerSecond: number, knobs?: KnobValues, ratioToBaseline?: number): WorkloadResult {
  return {
    workload,
    what: `${workload} things`,
    ...(knobs ? { knobs } : {}),
    throughput: {
      records: 50_000,
      outputs: 50_000,
      seconds: 50_000 / eventsPerSecond,
      eventsPerSecond,
      cpuSecondsPerMillion: 40,
      peakRssBytes: 300 * 2 ** 20,
      rssBytesByQuarter: [1, 2, 3, 4],
      redisCommandsPerEvent: 0.03,
      redisCommands: [['evalsha', 0.02]],
      redisAofRewrites: 0,
      exitCode: 0,
    },
    ratioToBaseline,
    latency: undefined,
  };
}
