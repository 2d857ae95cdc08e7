/** Why a command was refused: the aggregate's state does not allow it. */
export interface Rejection {
  readonly rejected: true;
  /** A sentence for humans: `cannot ship a cancelled order`. */
  readonly reason: string;
}

/** What `decide` returns: the events that the command causes (none is fine), or a rejection. */
export type Decision<E> = readonly E[] | Rejection;

/**
 * An event-sourced aggregate as two pure functions (Emmett's decider):
 * `decide(command, state)` says which events a command causes, or rejects it, and
 * `evolve(state, event)` applies one event. The state is never stored on its own
 * authority: it is always `events.reduce(evolve, initial)` (see `rebuild`).
 *
 * Both functions must be pure and deterministic (no clock, no randomness, no I/O; a
 * timestamp or id an event needs comes in the command), since a stream task may run them
 * again on the same input. `evolve` must not mutate its state argument. States and events
 * are kept in Redis as JSON, so they must be JSON values (no `undefined`, Date, Map).
 */
export interface AggregateDefinition<C, E, S> {
  /** The state before any event. */
  readonly initial: S;
  decide(command: C, state: S): Decision<E>;
  evolve(state: S, event: E): S;
}

/** A rejection with this reason, for `decide` to return. */
export function reject(reason: string): Rejection {
  return { rejected: true, reason };
}

/** Whether a decision is a rejection rather than events. */
export function isRejection<E>(decision: Decision<E>): decision is Rejection {
  return !Array.isArray(decision);
}
