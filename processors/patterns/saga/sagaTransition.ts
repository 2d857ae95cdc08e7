/**
 * Where a saga instance is: `new` before its start event, `running:<step>` while a step's
 * action awaits its reply, `cancelling:<step>` when a cancellation waits for the step in
 * flight to finish, `compensating:<step>` while a step's compensation awaits its
 * acknowledgement, then one of the terminal states `completed`, `compensated`, `failed`.
 */
export type SagaState = 'new' | `running:${string}` | `cancelling:${string}` | `compensating:${string}` | SagaTerminalState;

/** The states an instance never leaves. */
export type SagaTerminalState = 'completed' | 'compensated' | 'failed';

/** Why an instance compensates: the step that failed, timed out (after its retries), or was in flight when the saga was cancelled. */
export interface SagaCause {
  readonly kind: 'failed' | 'timed-out' | 'cancelled';
  readonly step: string;
}

/** What made an instance move (or, for the ignored inputs, stay). */
export type SagaEvent =
  /** The start event created the instance and sent the first action. */
  | 'started'
  /** The step's success reply came: the next action was sent, or the saga completed. */
  | 'succeeded'
  /** The step's failure reply came. */
  | 'failed'
  /** An attempt got no reply in time: a retry is due after the backoff, or (no attempts left) the step counts as failed. */
  | 'timed-out'
  /** The action was sent again. */
  | 'retried'
  /** The cancellation trigger came. */
  | 'cancelled'
  /** A compensation's acknowledgement came: the next compensation was sent, or the saga is compensated. */
  | 'compensation-acknowledged'
  /** A compensation attempt got no acknowledgement in time and will be sent again after the backoff. */
  | 'compensation-timed-out'
  /** The compensation was sent again. */
  | 'compensation-retried'
  /** A compensation's attempts ran out without an acknowledgement: the instance is parked as `failed`. */
  | 'compensation-stuck'
  | SagaIgnoredInput;

/**
 * An input the instance ignored (its state stays): a start for an id that exists, a reply
 * whose outcome the instance already recorded, a reply to a command it sent but no longer
 * awaits (its step timed out, or the instance moved on or ended), a reply to a command it
 * never sent (a step not reached yet, a compensation not needed), an input for an id never
 * started, a cancellation once the saga is already compensating or has ended.
 */
export type SagaIgnoredInput = 'duplicate-start' | 'duplicate-reply' | 'late-reply' | 'unexpected-reply' | 'unknown-instance' | 'late-cancel';

/** One move of one saga instance, as the saga emits it on its transitions stream (keyed by `sagaId`). */
export interface SagaTransition<K> {
  readonly sagaId: K;
  /** The saga's name. */
  readonly saga: string;
  readonly from: SagaState;
  readonly to: SagaState;
  readonly event: SagaEvent;
  /** The step the event is about (the step that succeeded, failed, timed out, was compensated…); null for inputs of an unknown instance. */
  readonly step: string | null;
  /** The attempt of the command the instance awaits after the move (0 once it awaits nothing). */
  readonly attempt: number;
  /** Why the instance compensates; null while it has no reason to. */
  readonly cause: SagaCause | null;
  /** The input record's timestamp, or the wall-clock time of the punctuation that found a deadline due. */
  readonly timestamp: number;
}

/** The inputs an instance ignored, as opposed to real moves. */
export function isIgnoredInput(event: SagaEvent): event is SagaIgnoredInput {
  return event === 'duplicate-start' || event === 'duplicate-reply' || event === 'late-reply' || event === 'unexpected-reply' || event === 'unknown-instance' || event === 'late-cancel';
}
