import path from 'node:path';
import type { Admin, Kafka } from 'kafkajs';
import type { RedisClient } from '../../state/redis/redisConnection.ts';
import { ProcessSampler } from '../support/processSampler.ts';
import { commandsBetween, redisAofRewrites, redisCommandCounts } from '../support/redisCommandStats.ts';
import { until } from '../support/until.ts';
import type { BenchPhase } from './benchPhase.ts';
import { knobsSuffix, type KnobValues } from './benchSweep.ts';
import { followOutput } from './outputFollower.ts';
import { caughtUp, emptyTopic, lastTimestamp, recordCount } from './topicProbes.ts';
import type { Workload } from './workloads.ts';

export interface ThroughputResult {
  /** Orders the workload read (the customer table's records, read by the join, are not counted). */
  readonly records: number;
  readonly outputs: number;
  /** First record applied → last output appended by the broker. */
  readonly seconds: number;
  readonly eventsPerSecond: number;
  /** CPU (user + system) of the workload's process over those seconds, per million orders. */
  readonly cpuSecondsPerMillion: number;
  /** VmHWM of the workload's process at the end: its start-up included. */
  readonly peakRssBytes: number;
  /** VmRSS a quarter, half, three quarters of the way through the run and at its end: flat memory shows as four close figures. */
  readonly rssBytesByQuarter: readonly number[];
  /** Redis commands (scripts' inner commands included) from the process's start to its catching up, per order; every client's. */
  readonly redisCommandsPerEvent: number;
  /** The commands behind that figure, per order, largest first. */
  readonly redisCommands: ReadonlyArray<readonly [string, number]>;
  /** Append-only file rewrites Redis ran meanwhile: each takes CPU from the run on a small machine. */
  readonly redisAofRewrites: number;
  /** SIGTERM's exit code (0: drained and stopped cleanly). */
  readonly exitCode: number | null;
}

/**
 * Runs the workload as a fresh process (its own group) over the phase's preloaded orders,
 * from the beginning, until its group has committed the end of every input; then reads when
 * the broker appended its last output (the output topic is LogAppendTime) and stops it. A
 * workload that says which of its outputs complete an order (`Workload.completes`) runs until
 * every order has completed instead, its last output being the last order's completion: its
 * output is followed as it runs (outputFollower.ts).
 * With `cpuProfileDir`, a Node workload writes its CPU profile into `<cpuProfileDir>/<workload>/`
 * (the profiler's own cost is in that run's figures). With `knobs` (a sweep), the workload is
 * started with those values and profiled into `<workload>-u500-c1000/`; an output a previous
 * run of the sweep wrote is emptied first.
 */
export async function measureThroughput(
  kafka: Kafka,
  admin: Admin,
  redis: RedisClient,
  workload: Workload,
  phase: BenchPhase,
  group: string,
  records: number,
  options: { readonly cpuProfileDir?: string; readonly knobs?: KnobValues } = {},
): Promise<ThroughputResult> {
  const { cpuProfileDir, knobs } = options;
  const suffix = knobs ? knobsSuffix(knobs) : '';
  const output = workload.output(phase.topics);
  const inputs = workload.inputs(phase.topics);
  if (await recordCount(admin, output)) await emptyTopic(admin, output);
  const completions = workload.completes ? await followOutput(kafka, admin, workload, phase, `${group}-completions`) : undefined;
  // Read before the command counters (and after them below), so its INFO call is not counted.
  const rewritesBefore = await redisAofRewrites(redis);
  const redisBefore = await redisCommandCounts(redis);
  const child = workload.start({ group, phase, ...(cpuProfileDir ? { cpuProfileDir: path.join(cpuProfileDir, suffix ? `${workload.name}-${suffix}` : workload.name) } : {}), ...(knobs ? { knobs } : {}) });
  const sampler = new ProcessSampler(child.pid);
  let exitCode: number | null = null;
  try {
    // A million records at a few thousand a second take minutes; leave room, but not forever.
    await until([child], `${workload.name} has processed all ${records} orders`, async () => {
      if (!child.running) throw new Error(`${workload.name} exited early:\n${child.tail()}`);
      return completions ? completions.outputs >= records : caughtUp(admin, group, inputs);
    }, 180_000 + records);
    const redisAfter = await redisCommandCounts(redis);
    const rewrites = (await redisAofRewrites(redis)) - rewritesBefore;
    const last = completions ? completions.lastTimestamp : await lastTimestamp(kafka, admin, output);
    const first = workload.firstRecordAt(child.lines);
    if (first === undefined) throw new Error(`${workload.name} never said when it read its first record:\n${child.tail()}`);
    sampler.stop();
    exitCode = await child.stop();
    const seconds = (last - first) / 1000;
    const redisUsed = commandsBetween(redisBefore, redisAfter);
    return {
      records,
      outputs: await recordCount(admin, output),
      seconds,
      eventsPerSecond: records / seconds,
      cpuSecondsPerMillion: (sampler.cpuSecondsBetween(first, last) / records) * 1e6,
      peakRssBytes: sampler.peakRss,
      rssBytesByQuarter: [0.25, 0.5, 0.75, 1].map((f) => sampler.rssAt(first + f * (last - first))),
      redisCommandsPerEvent: redisUsed.total / records,
      redisCommands: [...redisUsed.byCommand].map(([command, calls]) => [command, calls / records] as const).sort((a, b) => b[1] - a[1]),
      redisAofRewrites: rewrites,
      exitCode,
    };
  } finally {
    sampler.stop();
    if (child.running) await child.stop(5_000);
    await completions?.stop();
  }
}
