/** One event a process manager emits: `type` names the output it goes to, `value` is the event. */
export type ProcessEmitted<Out> = { readonly [T in keyof Out]: { readonly type: T; readonly value: Out[T] } }[keyof Out];

/** What a handler decides: the instance's next state, and the events to emit, in order. */
export interface ProcessDecision<S, Out> {
  readonly state: S;
  readonly emit?: ReadonlyArray<ProcessEmitted<Out>>;
}

/** What a handler knows of the record it handles, besides its value. */
export interface ProcessEventContext<K> {
  /** The instance: the record's key. */
  readonly key: K;
  /** The record's timestamp; events emitted for it carry it too. */
  readonly timestamp: number;
  /** The task's wall clock while the record is processed (virtual in the test driver). */
  readonly wallClockTime: number;
}

/** What `onTimeout` knows. */
export interface ProcessTimeoutContext<K> {
  readonly key: K;
  /** The deadline `deadline` gave at the start. */
  readonly deadline: number;
  /** The wall-clock time of the punctuation that found the deadline passed; the emitted events carry it as timestamp. */
  readonly wallClockTime: number;
}

/**
 * The business logic of a process manager (Enterprise Integration Patterns): pure
 * functions, no I/O, so they can be tested alone and rerun safely. An instance is
 * started by a start event, advanced by the events in `on` (one handler per event
 * type), and ends when `isComplete` holds after a handler or when its deadline passes.
 *
 * Handlers must be deterministic (no `Date.now()`, no randomness: use the context's
 * times): on Redis a unit of work that misses state is rolled back and run again.
 *
 * - `K`: the instance id, the key of every input;
 * - `Start`: the start event;
 * - `Events`: the other events by type name, e.g. `{ completed: GuestCheckoutCompleted; failed: GuestCheckoutFailed }`;
 * - `S`: the instance's state, kept in a key-value store;
 * - `Out`: the emitted events by output name, e.g. `{ completed: GroupCheckoutCompleted; … }`.
 */
export interface ProcessManagerDefinition<K, Start, Events extends Record<string, unknown>, S, Out extends Record<string, unknown>> {
  /** The new instance's state, and what to emit at once. */
  readonly start: (event: Start, context: ProcessEventContext<K>) => ProcessDecision<S, Out>;
  /** The wall-clock time (epoch ms) by which the instance must be complete, else it times out. */
  readonly deadline: (event: Start, context: ProcessEventContext<K>) => number;
  /** One handler per event type: the next state and what to emit. Not called for instances that are unknown or ended. */
  readonly on: { readonly [T in keyof Events]: (state: S, event: Events[T], context: ProcessEventContext<K>) => ProcessDecision<S, Out> };
  /** True once the instance has reached an end (succeeded or failed): later events for it are ignored. Checked after `start` and each handler. */
  readonly isComplete: (state: S) => boolean;
  /** What to emit when the deadline passes before `isComplete` holds; the instance then ends. */
  readonly onTimeout: (state: S, context: ProcessTimeoutContext<K>) => ReadonlyArray<ProcessEmitted<Out>>;
}
