import type { StateStore } from '../state/stateStore.ts';

/** Which clock drives a punctuation: the task's stream time (event time) or the wall clock. */
export type PunctuationType = 'stream-time' | 'wall-clock';

/** Why an operator dropped a record; the runtime counts drops by reason. */
export type DropReason = 'late' | 'null-key' | 'null-value' | 'expired-window' | 'unknown-instance' | 'ended-instance' | 'duplicate-start' | 'missing-row' | 'duplicate';

/**
 * What an operator sees of the task it runs in. One context per task; everything
 * reached through it is scoped to that task (its partition of every store).
 */
export interface ProcessorContext {
  /** `<subtopology>_<partition>`, as in Kafka Streams. */
  readonly taskId: string;
  /** A store declared in the topology and connected to the calling node, or a global table's store (readable from every task, as in Kafka Streams). */
  store<S extends StateStore>(name: string): S;
  /** The task's stream time: the largest input timestamp it has seen (`-1` before the first record). */
  streamTime(): number;
  /** Milliseconds since the epoch on the task's wall clock (the test driver's is virtual). */
  wallClockTime(): number;
  /**
   * The observed stream time of one processor: the largest timestamp of the records
   * that reached that processor, kept with the task's state so that it survives a
   * partition moving to another worker. `observe` raises it and returns the new value.
   */
  processorTime(node: string): ObservedTime;
  /**
   * Calls `callback` every `intervalMs` of the given clock, first when that clock has
   * advanced `intervalMs` past the time of scheduling. Returns a cancel function.
   */
  schedule(intervalMs: number, type: PunctuationType, callback: (timestamp: number) => void): () => void;
  /** Counts a record an operator drops (late, null key, …). */
  recordDropped(node: string, reason: DropReason): void;
  /**
   * Reports how many of a saga's instances this task holds in each state (absolute
   * counts, which the saga keeps in its stores); exported as `tributary_saga_instances`
   * once the unit commits.
   */
  sagaInstances(saga: string, byState: Readonly<Record<string, number>>): void;
  /** Counts an instance of a saga that ended compensated, by cause (`<kind> <step>`); `tributary_saga_compensations_total`. */
  sagaCompensated(saga: string, cause: string): void;
}

/** A processor's observed stream time. */
export interface ObservedTime {
  observe(timestamp: number): number;
  current(): number;
  /** Replaces it, for a time kept with the task's state that may also go down (a join's earliest waiting record). */
  set(timestamp: number): void;
}
