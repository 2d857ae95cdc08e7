import type { CustomProcessorFactory } from '../../customProcessor.ts';
import type { DropReason } from '../../processorContext.ts';
import type { KeyValueStore } from '../../../state/keyValueStore.ts';
import type { WindowStore } from '../../../state/windowStore.ts';
import { DeadlineIndex } from '../deadlineIndex.ts';
import type { SagaInstance } from './sagaInstance.ts';
import type { ReplyRole, SagaMachine, SagaMachineInput } from './sagaMachine.ts';
import { isIgnoredInput, type SagaIgnoredInput, type SagaTransition } from './sagaTransition.ts';

/** A record of one of the saga's input streams, tagged with the stream's index. */
export interface SagaInputRecord {
  readonly input: number;
  readonly value: unknown;
}

/** The parts the records of one input stream play; a record matching none of them is not a saga input. */
export interface SagaInputRoles {
  readonly start?: (value: unknown) => boolean;
  readonly cancel?: (value: unknown) => boolean;
  readonly replies: ReadonlyArray<ReplyRole & { readonly when: (value: unknown) => boolean }>;
}

/** What the saga processor forwards: transitions keyed by saga id, commands keyed by their own key with their topic. */
export type SagaOutput<K> = { readonly kind: 'transition'; readonly transition: SagaTransition<K> } | { readonly kind: 'command'; readonly topic: string; readonly value: unknown };

/** Where the saga keeps its instances and deadlines, and how it runs. */
export interface SagaProcessorOptions<K, D> {
  /** The processor node, named in drop counts. */
  readonly node: string;
  readonly machine: SagaMachine<K, D>;
  readonly inputs: readonly SagaInputRoles[];
  /** Key-value store: saga id → SagaInstance. */
  readonly instances: string;
  /** Window store without retention: the DeadlineIndex of waiting instances and of ended ones to forget. */
  readonly deadlines: string;
  /** Key-value store with one row (key ''): how many of the task's instances are in each state, for the metrics. */
  readonly counts: string;
  readonly punctuationIntervalMs: number;
  /** How long an ended instance is kept (Infinity: for good). */
  readonly retainEndedMs: number;
}

/** What a deadline index entry is due for: the instance's own deadline, or deleting the ended instance. */
type Due = 'deadline' | 'forget';

/**
 * The saga as a custom processor: it routes each record to the instance of its key,
 * runs the state machine, keeps the instance and its one deadline entry in step, and
 * forwards what the machine decided. Everything it knows is in its two stores, so a rerun
 * unit or a task rebuilt on another worker continues exactly; a wall-clock punctuation
 * reads only the deadline entries already due: instances' deadlines, and ended instances
 * to delete once `retainEndedMs` has passed.
 */
export function sagaProcessor<K, D>(options: SagaProcessorOptions<K, D>): CustomProcessorFactory<K, SagaInputRecord, unknown, SagaOutput<K>> {
  const { node, machine, inputs } = options;
  return (ctx) => {
    const instances = ctx.store<KeyValueStore<K, SagaInstance<D>>>(options.instances);
    const deadlines = new DeadlineIndex(ctx.store<WindowStore<K, Due>>(options.deadlines));
    const counts = ctx.store<KeyValueStore<string, Readonly<Record<string, number>>>>(options.counts);
    /** Moves instances between states in the counts, and reports the counts to the runtime. */
    const count = (moves: ReadonlyArray<readonly [from: string | undefined, to: string | undefined]>): void => {
      const byState = { ...(counts.get('') ?? {}) };
      for (const [from, to] of moves) {
        if (from !== undefined && from !== 'new' && (byState[from] = (byState[from] ?? 0) - 1) <= 0) delete byState[from];
        if (to !== undefined) byState[to] = (byState[to] ?? 0) + 1;
      }
      if (moves.length > 0) counts.put('', byState);
      ctx.sagaInstances(node, byState);
    };

    const apply = (sagaId: K, input: SagaMachineInput, timestamp: number): void => {
      const before = instances.get(sagaId);
      const outcome = machine.apply(sagaId, before, input, ctx.wallClockTime(), timestamp);
      const after = outcome.instance;
      if (after && after !== before) {
        instances.put(sagaId, after);
        // One entry per waiting instance, at its deadline: moved whenever the deadline moves.
        if (before?.deadline !== after.deadline) {
          if (before?.deadline != null) deadlines.remove(sagaId, before.deadline);
          if (after.deadline !== null) deadlines.add(sagaId, after.deadline, 'deadline');
        }
        if (!ended(before) && ended(after) && Number.isFinite(options.retainEndedMs)) deadlines.add(sagaId, ctx.wallClockTime() + options.retainEndedMs, 'forget');
      }
      const fields = { timestamp, headers: {} };
      const moves: Array<readonly [string, string]> = [];
      for (const transition of outcome.transitions) {
        if (isIgnoredInput(transition.event)) ctx.recordDropped(node, dropReason(transition.event, before));
        else if (transition.from !== transition.to) moves.push([transition.from, transition.to]);
        if (transition.to === 'compensated' && transition.from !== 'compensated' && transition.cause) ctx.sagaCompensated(node, `${transition.cause.kind} ${transition.cause.step}`);
        ctx.forward(sagaId, { kind: 'transition', transition }, fields);
      }
      if (moves.length > 0) count(moves);
      for (const send of outcome.sends) ctx.forward(send.key, { kind: 'command', topic: send.topic, value: send.value }, fields);
    };

    ctx.schedule(options.punctuationIntervalMs, 'wall-clock', (now) => {
      const forgotten: Array<readonly [string | undefined, undefined]> = [];
      for (const [sagaId, at, due] of deadlines.due(now)) {
        if (due === 'deadline') apply(sagaId, { kind: 'deadline' }, now);
        else {
          deadlines.remove(sagaId, at);
          forgotten.push([instances.get(sagaId)?.history.at(-1)?.to, undefined]);
          instances.delete(sagaId);
        }
      }
      // Also reports the counts when nothing moved, so a task that just moved here shows them.
      count(forgotten);
    });

    return {
      process(record) {
        const { key, value: tagged, timestamp } = record;
        if (key === null || key === undefined) return ctx.recordDropped(node, 'null-key');
        const { value } = tagged;
        if (value === null || value === undefined) return ctx.recordDropped(node, 'null-value');
        const roles = inputs[tagged.input]!;
        if (roles.start?.(value)) return apply(key, { kind: 'start', value }, timestamp);
        if (roles.cancel?.(value)) return apply(key, { kind: 'cancel' }, timestamp);
        const replies = roles.replies.filter((r) => r.when(value));
        if (replies.length > 0) apply(key, { kind: 'reply', roles: replies, value }, timestamp);
      },
    };
  };
}

/** How an ignored input is counted: by the instance's absence or end first, then as what it is. */
function dropReason(event: SagaIgnoredInput, instance: SagaInstance<unknown> | undefined): DropReason {
  if (event === 'duplicate-start') return 'duplicate-start';
  if (!instance) return 'unknown-instance';
  if (ended(instance)) return 'ended-instance';
  // A reply or cancellation the live instance no longer awaits came too late for it.
  return 'late';
}

function ended(instance: SagaInstance<unknown> | undefined): boolean {
  return instance?.status === 'completed' || instance?.status === 'compensated' || instance?.status === 'failed';
}
