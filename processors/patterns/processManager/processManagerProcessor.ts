import type { CustomProcessorFactory } from '../../customProcessor.ts';
import type { KeyValueStore } from '../../../state/keyValueStore.ts';
import type { WindowStore } from '../../../state/windowStore.ts';
import { DeadlineIndex } from '../deadlineIndex.ts';
import type { EarlyEvent, InstanceDeadline, ProcessInstance } from './processInstance.ts';
import type { ProcessDecision, ProcessEmitted, ProcessEventContext, ProcessManagerDefinition } from './processManagerDefinition.ts';

/** A process manager's input: its inputs merged into one stream, each value tagged with its input. */
export type ProcessManagerInput<Start, Events> =
  | { readonly kind: 'start'; readonly event: Start }
  | { readonly [T in keyof Events]: { readonly kind: 'event'; readonly type: T; readonly event: Events[T] } }[keyof Events];

/** How a process manager is placed in its topology: its node, its stores, and how often it looks for due deadlines. */
export interface ProcessManagerSetup {
  /** The processor node, named in drop counts. */
  readonly node: string;
  /** Key-value store: instance id → ProcessInstance. */
  readonly instances: string;
  /** Window store without retention: the DeadlineIndex of instance ids. */
  readonly deadlines: string;
  readonly punctuationIntervalMs: number;
  /** How long an ended instance is remembered (Infinity: for good). */
  readonly retainEndedMs: number;
  /** How long events of an instance not started yet wait for its start (0: dropped at once). */
  readonly awaitStartMs: number;
}

/**
 * The process manager as a custom processor. All it knows lives in its two stores, so
 * a task rebuilt elsewhere (or rerun after a state miss) continues exactly: records
 * change an instance and its deadline entry together, and a wall-clock punctuation
 * reads only the deadline entries already due.
 */
export function processManagerProcessor<K, Start, Events extends Record<string, unknown>, S, Out extends Record<string, unknown>>(
  definition: ProcessManagerDefinition<K, Start, Events, S, Out>,
  setup: ProcessManagerSetup,
): CustomProcessorFactory<K, ProcessManagerInput<Start, Events>, K, ProcessEmitted<Out>> {
  return (ctx) => {
    const instances = ctx.store<KeyValueStore<K, ProcessInstance<S>>>(setup.instances);
    const deadlines = new DeadlineIndex(ctx.store<WindowStore<K, InstanceDeadline>>(setup.deadlines));

    const end = (key: K, state: S, outcome: 'completed' | 'timed-out', now: number): void => {
      instances.put(key, { status: 'ended', state, outcome, endedAt: now });
      if (Number.isFinite(setup.retainEndedMs)) deadlines.add(key, now + setup.retainEndedMs, 'forget');
    };

    /** Emits what was decided, then keeps the instance active until its deadline or ends it. */
    const apply = (key: K, decision: ProcessDecision<S, Out>, deadline: number, isNew: boolean, now: number): void => {
      for (const emitted of decision.emit ?? []) ctx.forward(key, emitted);
      if (definition.isComplete(decision.state)) {
        if (!isNew) deadlines.remove(key, deadline);
        end(key, decision.state, 'completed', now);
        return;
      }
      instances.put(key, { status: 'active', state: decision.state, deadline });
      if (isNew) deadlines.add(key, deadline, 'timeout');
    };

    ctx.schedule(setup.punctuationIntervalMs, 'wall-clock', (now) => {
      for (const [key, at, due] of deadlines.due(now)) {
        deadlines.remove(key, at);
        if (due === 'forget') {
          // An instance that never started: its events waited for nothing.
          const instance = instances.get(key);
          if (instance?.status === 'awaiting-start') for (const _ of instance.early) ctx.recordDropped(setup.node, 'unknown-instance');
          instances.delete(key);
          continue;
        }
        // An instance has a timeout entry exactly while it is active.
        const instance = instances.get(key);
        if (instance?.status !== 'active') throw new Error(`process manager '${setup.node}': a timeout is due for an instance that is ${instance?.status ?? 'unknown'}`);
        for (const emitted of definition.onTimeout(instance.state, { key, deadline: at, wallClockTime: now })) ctx.forward(key, emitted, { timestamp: now });
        end(key, instance.state, 'timed-out', now);
      }
    });

    /** Runs an event of a started instance through its type's handler. */
    const handle = (key: K, early: EarlyEvent, now: number): void => {
      const instance = instances.get(key)!;
      if (instance.status !== 'active') return ctx.recordDropped(setup.node, 'ended-instance');
      const handler = definition.on[early.type] as (state: S, event: unknown, context: ProcessEventContext<K>) => ProcessDecision<S, Out>;
      apply(key, handler(instance.state, early.event, { key, timestamp: early.timestamp, wallClockTime: now }), instance.deadline, false, now);
    };

    return {
      process({ key, value: input, timestamp }) {
        if (key === null || key === undefined) return ctx.recordDropped(setup.node, 'null-key');
        if (input.event === null || input.event === undefined) return ctx.recordDropped(setup.node, 'null-value');
        const now = ctx.wallClockTime();
        const instance = instances.get(key);
        if (input.kind === 'start') {
          if (instance && instance.status !== 'awaiting-start') return ctx.recordDropped(setup.node, instance.status === 'active' ? 'duplicate-start' : 'ended-instance');
          const context: ProcessEventContext<K> = { key, timestamp, wallClockTime: now };
          const deadline = definition.deadline(input.event, context);
          if (!Number.isFinite(deadline)) throw new Error(`process manager '${setup.node}': deadline() gave ${deadline} for instance ${JSON.stringify(key)}, not an epoch-milliseconds time`);
          if (instance) deadlines.remove(key, instance.forgetAt);
          apply(key, definition.start(input.event, context), deadline, true, now);
          // The events that came first, in the order they came, as if they had come now.
          for (const early of instance?.early ?? []) handle(key, early, now);
          return;
        }
        const event: EarlyEvent = { type: input.type as string, event: input.event, timestamp };
        if (instance?.status === 'awaiting-start') return instances.put(key, { ...instance, early: [...instance.early, event] });
        if (instance) return handle(key, event, now);
        if (setup.awaitStartMs === 0) return ctx.recordDropped(setup.node, 'unknown-instance');
        const forgetAt = now + setup.awaitStartMs;
        instances.put(key, { status: 'awaiting-start', early: [event], forgetAt });
        deadlines.add(key, forgetAt, 'forget');
      },
    };
  };
}
