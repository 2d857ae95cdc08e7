import type { StackComponentName } from './componentName.ts';
import type { ManagedProcess, ProcessSpec } from './managedProcess.ts';
import type { Prerequisite } from './prerequisites.ts';
import type { ProgressReporter } from './progressReporter.ts';

/**
 * One program of the local stack as `LocalStack` drives it: what it needs installed, what it
 * downloads and initialises once, how it is started, and how to tell that it answers.
 */
export interface StackComponent {
  readonly name: StackComponentName;
  /** What clients connect to: `localhost:9092`, `http://localhost:8081/apis/ccompat/v7`, `redis://localhost:6379`, `redis://127.0.0.1:7000,127.0.0.1:7001,127.0.0.1:7002`. */
  readonly address: string;
  /** Every TCP port the component listens on; one held by a stranger blocks the start. */
  readonly ports: readonly number[];
  /** Its processes, started and stopped together: one, or one per node (redis-cluster: node i is `processes[i]`). */
  readonly processes: readonly ManagedProcess[];
  /** How long a start may take before it counts as failed. */
  readonly startTimeoutMs: number;
  /** How long SIGTERM gets before SIGKILL. */
  readonly stopGraceMs: number;
  prerequisites(): Prerequisite[];
  /** Downloads and one-time initialisation (e.g. formatting Kafka's log dir); fast when already done. */
  prepare(progress: ProgressReporter): Promise<void>;
  /** The command line of each process, in the order of `processes` (called after `prepare`). */
  processSpecs(): ProcessSpec[];
  /**
   * One-time setup that needs the running processes (forming the Redis Cluster), run after they
   * start and before `up` waits for `isReady`; resolves fast when there is nothing to do. Throws
   * ComponentStartError.
   */
  initialise?(): Promise<void>;
  /** True when the component serves requests (not merely listens). Never throws. */
  isHealthy(): Promise<boolean>;
  /** Stricter than isHealthy where a component warms up after answering; `up` waits for it. Never throws. */
  isReady(): Promise<boolean>;
}
