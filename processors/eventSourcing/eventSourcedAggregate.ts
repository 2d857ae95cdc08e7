import type { KeyValueStore } from '../../state/keyValueStore.ts';
import { customProcessor, type CustomProcessorFactory } from '../customProcessor.ts';
import type { Serdes } from '../serdes.ts';
import { Stream } from '../stream.ts';
import { isRejection, type AggregateDefinition } from './aggregateDefinition.ts';
import type { HistoryEntry } from './aggregateHistory.ts';

/** An aggregate's current state as the state store keeps it, with the version of the last event applied (0: none). */
export interface AggregateSnapshot<S> {
  readonly state: S;
  readonly version: number;
}

/** A command the aggregate refused, on the rejection stream: the command, why, and the version it was decided against. */
export interface CommandRejection<C> {
  readonly command: C;
  readonly reason: string;
  readonly version: number;
}

/** How `eventSourcedAggregate` names its parts. */
export interface EventSourcedAggregateOptions<K, C> {
  /**
   * Names the processor and its stores `<name>-state` and `<name>-history`, and the
   * branches `<name>-events` and `<name>-rejections`. Required: the stores live in Redis
   * under these names, so they must not move when the topology changes.
   */
  readonly name: string;
  /** Serdes of the repartition topic `<app>-<name>-commands-repartition`, used when the command keys may have changed. */
  readonly serdes?: Serdes<K, C>;
}

/** What `eventSourcedAggregate` adds to a topology. */
export interface EventSourcedAggregate<K, C, E> {
  /** The events decided, keyed by aggregate id, in decision order: the aggregate's event log. */
  readonly events: Stream<K, E>;
  /** The commands refused, keyed by aggregate id. */
  readonly rejections: Stream<K, CommandRejection<C>>;
  /** Store names: `state` holds an AggregateSnapshot per aggregate id, `history` its HistoryEntry list. */
  readonly stores: { readonly state: string; readonly history: string };
}

/** The stores of the aggregate named `name`: `<name>-state` and `<name>-history`, for queries. */
export function aggregateStores(name: string): EventSourcedAggregate<unknown, unknown, unknown>['stores'] {
  return { state: `${name}-state`, history: `${name}-history` };
}

type Outcome<C, E> = { readonly event: E } | { readonly rejection: CommandRejection<C> };

/**
 * Runs an event-sourced aggregate over a command stream keyed by aggregate id. For each
 * command, in offset order per aggregate, `decide` runs against the aggregate's current
 * state; its events are forwarded on `events` (the event log, the source of truth), each
 * applied with `evolve`, and appended to the aggregate's history; a rejection is forwarded
 * on `rejections` with its reason and changes nothing. A command whose keys may have
 * changed upstream is first repartitioned by key, so one task owns each aggregate; commands
 * read from several topics require them co-partitioned (checked when a worker starts).
 *
 * Events carry their command's timestamp, raised to the aggregate's previous event's when
 * the command is older, so an aggregate's history is ordered in time as it is in version
 * and `stateAsOf({ timestamp })` is a prefix of it. The snapshot and the history are
 * written with the events in the task's commit, so the state store always equals
 * `rebuild` of the history store, and both equal the fold of the events forwarded.
 * A command with a null key or value is dropped and counted.
 */
export function eventSourcedAggregate<K, C, E, S>(commands: Stream<K, C>, definition: AggregateDefinition<C, E, S>, options: EventSourcedAggregateOptions<K, C>): EventSourcedAggregate<K, C, E> {
  const { name } = options;
  const builder = commands.builder;
  const stores = aggregateStores(name);
  builder.addStore({ name: stores.state, kind: 'keyValue' });
  builder.addStore({ name: stores.history, kind: 'keyValue' });
  const input = commands.keyChanged ? commands.repartition({ name: `${name}-commands`, ...(options.serdes ? { serdes: options.serdes } : {}) }) : commands;
  // Commands for one aggregate from several topics must meet in one task, which owns its state.
  builder.requireCoPartitioned(input.sourceTopics);
  const decider: CustomProcessorFactory<K, C, K, Outcome<C, E>> = (context) => {
    const snapshots = context.store<KeyValueStore<K, AggregateSnapshot<S>>>(stores.state);
    const histories = context.store<KeyValueStore<K, HistoryEntry<E>[]>>(stores.history);
    return {
      process({ key, value: command, timestamp }) {
        if (key === null || key === undefined) return context.recordDropped(name, 'null-key');
        if (command === null || command === undefined) return context.recordDropped(name, 'null-value');
        const current = snapshots.get(key) ?? { state: definition.initial, version: 0 };
        const decision = definition.decide(command, current.state);
        if (isRejection(decision)) return context.forward(key, { rejection: { command, reason: decision.reason, version: current.version } });
        if (decision.length === 0) return;
        const history = histories.get(key) ?? [];
        const at = Math.max(timestamp, history.at(-1)?.timestamp ?? timestamp);
        let { state, version } = current;
        const appended = decision.map((event) => {
          state = definition.evolve(state, event);
          return { version: ++version, timestamp: at, event };
        });
        snapshots.put(key, { state, version });
        histories.put(key, [...history, ...appended]);
        for (const { event } of appended) context.forward(key, { event }, { timestamp: at });
      },
    };
  };
  const node = builder.addProcessor(
    'KSTREAM-PROCESSOR',
    [input.node],
    [stores.state, stores.history],
    (context, [records]) => records!.pipe(customProcessor(context, decider as CustomProcessorFactory<unknown, unknown, unknown, unknown>)),
    name,
  );
  // The decider forwards under the command's key: the partitioning stays, so no repartition downstream.
  const outcomes = new Stream<K, Outcome<C, E>>(builder, node.name, input.sourceTopics, false, undefined);
  return {
    events: outcomes.flatMapValues((outcome) => ('event' in outcome ? [outcome.event] : []), { name: `${name}-events` }),
    rejections: outcomes.flatMapValues((outcome) => ('rejection' in outcome ? [outcome.rejection] : []), { name: `${name}-rejections` }),
    stores,
  };
}
