import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { loadStackConfig } from '../../runtime/config.ts';
import { machineCpuSeconds, processCpuSeconds } from '../support/cpuTime.ts';

/** Who used the machine's cores over a stretch of time, in cores (CPU seconds ÷ wall seconds). */
export interface CoresBusy {
  readonly workers: number;
  /** The local stack's processes; undefined when the stack is not the local one (no pid file). */
  readonly broker: number | undefined;
  readonly redis: number | undefined;
  readonly registry: number | undefined;
  /** Everything else that ran: the bench itself, other engineers' tests, the kernel. */
  readonly rest: number;
  /** Busy cores of the whole machine (of os.cpus().length). */
  readonly machine: number;
}

/** One reading of every CPU counter CoresBusy needs. */
export interface CpuSnapshot {
  readonly at: number;
  readonly workers: number;
  readonly stack: Readonly<Record<'broker' | 'redis' | 'registry', number | undefined>>;
  readonly machineBusy: number;
}

const STACK_PID_FILES = { broker: 'kafka.pid', redis: 'redis.pid', registry: 'registry.pid' } as const;

/** The local stack's pids from its pid files (`tributary stack up` writes them), when it runs here. */
export function stackPids(): Record<keyof typeof STACK_PID_FILES, number | undefined> {
  const dir = loadStackConfig().dir;
  const pid = (file: string) => {
    const full = path.join(dir, file);
    return existsSync(full) ? Number((JSON.parse(readFileSync(full, 'utf8')) as { pid: number }).pid) : undefined;
  };
  return { broker: pid(STACK_PID_FILES.broker), redis: pid(STACK_PID_FILES.redis), registry: pid(STACK_PID_FILES.registry) };
}

export function cpuSnapshot(workerPids: readonly number[], stack: ReturnType<typeof stackPids>): CpuSnapshot {
  const of = (pid: number | undefined) => (pid === undefined ? undefined : processCpuSeconds(pid));
  return {
    at: Date.now(),
    workers: workerPids.reduce((sum, pid) => sum + (processCpuSeconds(pid) ?? 0), 0),
    stack: { broker: of(stack.broker), redis: of(stack.redis), registry: of(stack.registry) },
    machineBusy: machineCpuSeconds().busy,
  };
}

/** Cores each part kept busy between two snapshots. */
export function coresBusy(before: CpuSnapshot, after: CpuSnapshot): CoresBusy {
  const seconds = Math.max(0.001, (after.at - before.at) / 1000);
  const part = (key: keyof CpuSnapshot['stack']) => {
    const a = before.stack[key];
    const b = after.stack[key];
    return a === undefined || b === undefined ? undefined : (b - a) / seconds;
  };
  const workers = (after.workers - before.workers) / seconds;
  const broker = part('broker');
  const redis = part('redis');
  const registry = part('registry');
  const machine = (after.machineBusy - before.machineBusy) / seconds;
  return { workers, broker, redis, registry, rest: Math.max(0, machine - workers - (broker ?? 0) - (redis ?? 0) - (registry ?? 0)), machine };
}
