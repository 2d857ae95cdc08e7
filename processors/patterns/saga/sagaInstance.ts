import type { SagaCause, SagaTransition } from './sagaTransition.ts';

/** What an instance does now. */
export type SagaStatus = 'running' | 'cancelling' | 'compensating' | 'completed' | 'compensated' | 'failed';

/**
 * One saga instance as its key-value store (`<saga>-instances`) keeps it: queryable by id.
 *
 * Invariants: steps `[0, completed)` succeeded; while `running` or `cancelling`, `step ===
 * completed` is the step in flight; while `compensating`, `step < completed` is the step
 * being undone and every compensated step is above it; `deadline` is set exactly while
 * the instance waits (for a reply, or `backoff` before resending).
 */
export interface SagaInstance<D> {
  readonly status: SagaStatus;
  /** Index of the step in flight or being compensated (the last one touched, once ended). */
  readonly step: number;
  /** Attempt of the command awaited (0 once nothing is awaited). */
  readonly attempt: number;
  /** `reply`: the command was sent and its reply is awaited; `backoff`: it timed out and is resent at the deadline. */
  readonly waiting: 'reply' | 'backoff' | null;
  /** Wall-clock time at which the wait ends; null once nothing is awaited. */
  readonly deadline: number | null;
  /** How many steps succeeded (from the first). */
  readonly completed: number;
  readonly cause: SagaCause | null;
  readonly data: D;
  /** Every move of the instance, oldest first (ignored inputs are emitted, not kept). */
  readonly history: ReadonlyArray<Omit<SagaTransition<unknown>, 'sagaId' | 'saga'>>;
}
