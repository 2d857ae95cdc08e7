import type { Serdes } from '../../serdes.ts';
import type { Stream } from '../../stream.ts';
import type { RetryPolicy } from './retryPolicy.ts';
import type { SagaCause } from './sagaTransition.ts';

/** What a command builder knows besides the saga's data. */
export interface SagaCommandContext<K> {
  readonly sagaId: K;
  /**
   * `<saga>/<sagaId>/<step>/action` (or `/compensation`, or `<saga>/<sagaId>/compensated`):
   * the same for every attempt, so a handler that dedupes by it acts once however often
   * the saga resends.
   */
  readonly commandId: string;
  /** 1 for the first send, then 2, 3… for retries. */
  readonly attempt: number;
  /** The command record's timestamp: the input's, or the punctuation's wall-clock time for a send caused by a timeout. */
  readonly timestamp: number;
  /** Why the saga compensates; null while it runs forward. */
  readonly cause: SagaCause | null;
}

/**
 * A command the saga sends: written to `topic` (with `serdes`, else the topology's) as the
 * `[key, value]` that `build` makes from the saga's data. `build` must be deterministic:
 * a unit of work may run twice, and only the committed run's command is sent.
 */
export interface SagaCommand<K, D, KC = unknown, VC = unknown> {
  readonly topic: string;
  readonly serdes?: Serdes<KC, VC>;
  readonly build: (data: D, context: SagaCommandContext<K>) => readonly [KC, VC];
}

/** Records of `stream` (keyed by saga id) for which `when(value)` holds (all of them without `when`). */
export interface SagaInput<K, V> {
  readonly stream: Stream<K, V>;
  readonly when?: (value: V) => boolean;
}

/** How a step is undone: its command, the reply that acknowledges it, and its own timeout and retries. */
export interface SagaCompensation<K, D, VA> {
  readonly action: SagaCommand<K, D>;
  readonly acknowledgement: SagaInput<K, VA>;
  /** Wall-clock time an attempt waits for the acknowledgement. */
  readonly timeoutMs: number;
  /** Default: one attempt. When every attempt times out the instance ends `failed` (`compensation-stuck`). */
  readonly retry?: RetryPolicy;
}

/** One step: an action, the replies that end it, what it records from its success, and how it is undone. */
export interface SagaStepDefinition<K, D, VS, VF, VA> {
  readonly action: SagaCommand<K, D>;
  readonly success: SagaInput<K, VS>;
  /** The saga's data after the success reply (e.g. the payment id a refund will name); default: unchanged. */
  readonly onSuccess?: (data: D, reply: VS) => D;
  /** The reply that fails the step; without one, only a timeout does. */
  readonly failure?: SagaInput<K, VF>;
  /** Wall-clock time an attempt waits for a reply. */
  readonly timeoutMs: number;
  /** Default: one attempt. When every attempt times out the step counts as failed. */
  readonly retry?: RetryPolicy;
  /** Without one, compensating passes over this step. */
  readonly compensation?: SagaCompensation<K, D, VA>;
  /**
   * The point of no return (the saga's pivot transaction): once this step's action is sent,
   * a cancel is ignored (`late-cancel`), as what it started cannot be undone (goods shipped,
   * money paid out). Its own failure or timeout still compensates the steps before it. A
   * pivot has no compensation. Default false.
   */
  readonly pivot?: boolean;
}

/** A step as the saga runs it; made by the `step` function that `SagaDefinition.steps` receives. */
export interface SagaStep<K, D> {
  readonly name: string;
  readonly definition: SagaStepDefinition<K, D, unknown, unknown, unknown>;
}

/**
 * Declares one step. Generic in the reply types, so each step's replies are checked
 * against its own streams: `when` and `onSuccess` see the stream's value type.
 */
export type SagaStepFactory<K, D> = <VS, VF = never, VA = never>(name: string, definition: SagaStepDefinition<K, D, VS, VF, VA>) => SagaStep<K, D>;

/**
 * A saga (orchestration): an instance per id, created by a start event, that runs `steps`
 * in order and compensates the completed ones in reverse when one fails, times out or the
 * saga is cancelled. Every input stream is keyed by the saga id.
 */
export interface SagaDefinition<K, VStart, D, VCancel> {
  /**
   * Names the saga's nodes, its repartition topics and its stores `<name>-instances` and
   * `<name>-deadlines`; renaming a running saga loses its instances.
   */
  readonly name: string;
  /** The events that start an instance, keyed by its id. */
  readonly start: SagaInput<K, VStart>;
  /** The saga's data from its start event; must be deterministic. */
  readonly init: (start: VStart, sagaId: K) => D;
  /** The steps, in order, each made with `step(name, definition)`; at least one, names unique. */
  readonly steps: (step: SagaStepFactory<K, D>) => ReadonlyArray<SagaStep<K, D>>;
  /** The events that cancel an instance mid-saga. */
  readonly cancel?: SagaInput<K, VCancel>;
  /** Sent once when the instance ends `compensated` (e.g. cancel the order). */
  readonly onCompensated?: SagaCommand<K, D>;
  /** How often (wall clock) due deadlines are looked for: a timeout fires up to this late. Default 1 s. */
  readonly punctuationIntervalMs?: number;
  /**
   * How long (wall clock) an ended instance is kept, to ignore its late inputs and repeated
   * starts; then it is deleted, and a start with its id begins a new instance (put `dedupe`
   * before the start stream if ids can come back later). `Infinity` keeps it for good.
   * Default 1 day.
   */
  readonly retainEndedMs?: number;
}
