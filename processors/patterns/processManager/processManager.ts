import type { Named } from '../../options.ts';
import type { Stream } from '../../stream.ts';
import type { TopologyBuilder } from '../../topologyBuilder.ts';
import { TopologyError } from '../../topologyError.ts';
import type { ProcessEmitted, ProcessManagerDefinition } from './processManagerDefinition.ts';
import { processManagerProcessor, type ProcessManagerInput } from './processManagerProcessor.ts';

/** How a process manager is wired into a topology. */
export interface ProcessManagerOptions<K, Start, Events extends Record<string, unknown>> {
  /**
   * Names its nodes and its stores `<name>-instances` (key-value, instance id →
   * `ProcessInstance`) and `<name>-deadlines` (window store, the deadline index). The
   * stores live in Redis under these names: renaming loses every instance.
   */
  readonly name: string;
  /** The start events, keyed by instance id. */
  readonly start: Stream<K, Start>;
  /** The other events by type, keyed by instance id; each type needs its handler in the definition's `on`. */
  readonly events: { readonly [T in keyof Events]: Stream<K, Events[T]> };
  /** How often (wall clock) deadlines are looked for: a timeout fires up to this late. Default 1 s. */
  readonly punctuationIntervalMs?: number;
  /** How long (wall clock) an ended instance is remembered to ignore its late events; `Infinity` keeps it for good. Default 1 day. */
  readonly retainEndedMs?: number;
  /**
   * How long (wall clock) events of an instance not started yet wait for its start: inputs are
   * read each at its own pace, so an event can be read before the start it follows. They are
   * kept with the instance id and handled, in the order they came, right after the start; past
   * the wait they are dropped as `unknown-instance`. Default 0: dropped at once.
   */
  readonly awaitStartMs?: number;
}

/** What a process manager emits, routed by output name. */
export class ProcessManager<K, Out extends Record<string, unknown>> {
  constructor(
    private readonly emitted: Stream<K, ProcessEmitted<Out>>,
    /** The key-value store of instances (`ProcessInstance<S>` per instance id), for queries. */
    readonly instanceStore: string,
    /** The window store of deadlines (instance id by due time). */
    readonly deadlineStore: string,
  ) {}

  /** Every emitted event, tagged with its output name, in emission order. */
  events(): Stream<K, ProcessEmitted<Out>> {
    return this.emitted;
  }

  /** The events emitted to one output, e.g. `.output('completed').to('checkout.group.completed')`. */
  output<T extends keyof Out>(type: T, named: Named = {}): Stream<K, Out[T]> {
    const filter = named.name === undefined ? {} : { name: `${named.name}-filter` };
    return this.emitted.filter((_key, event) => event.type === type, filter).mapValues((event) => event.value as Out[T], named);
  }
}

/**
 * A process manager (Enterprise Integration Patterns): a stateful coordinator that
 * waits for several events per instance and decides, e.g. a group checkout that
 * completes when every guest's checkout succeeded, fails on the first failure and times
 * out at a deadline.
 *
 * Semantics:
 * - Every input is keyed by instance id; inputs whose keys may have changed are
 *   repartitioned first (`<app>-<name>-<type>-repartition`), and all inputs must be
 *   co-partitioned. Records are handled in the task's order (timestamp order across
 *   inputs): an event that comes before its start is an event for an unknown instance,
 *   which waits `awaitStartMs` for the start and is then handled right after it.
 * - A start event creates the instance (`definition.start`) and its deadline
 *   (`definition.deadline`); a start for an existing instance is dropped (`duplicate-start`
 *   while active, `ended-instance` once ended).
 * - Each other event runs its type's handler on the state; the decision's events are
 *   emitted with the event's timestamp. When `isComplete` holds afterwards, the instance
 *   ends: its deadline is cancelled.
 * - Events for instances never started (or already forgotten) are dropped and counted as
 *   `unknown-instance` (after waiting `awaitStartMs` for a start), those for ended instances
 *   as `ended-instance`; handlers never see them.
 * - Every `punctuationIntervalMs` of wall-clock time, the instances whose deadline has
 *   passed (one range read of the deadline index, not a scan of the instances) get
 *   `onTimeout`, whose events carry the punctuation's time as timestamp, and end.
 * - An ended instance is remembered for `retainEndedMs`, then forgotten (a later start
 *   with the same id starts afresh; use `dedupe` upstream if ids can repeat).
 * - State lives only in the two stores, so it survives restarts and task moves (Redis),
 *   and the handlers must be deterministic.
 */
export function processManager<K, Start, Events extends Record<string, unknown>, S, Out extends Record<string, unknown>>(
  app: TopologyBuilder,
  definition: ProcessManagerDefinition<K, Start, Events, S, Out>,
  options: ProcessManagerOptions<K, Start, Events>,
): ProcessManager<K, Out> {
  const { name, punctuationIntervalMs = 1_000, retainEndedMs = 24 * 3600_000, awaitStartMs = 0 } = options;
  if (!(punctuationIntervalMs > 0)) throw new TopologyError(`process manager '${name}': punctuationIntervalMs must be positive, got ${punctuationIntervalMs}`);
  if (!(retainEndedMs >= 0)) throw new TopologyError(`process manager '${name}': retainEndedMs must be ≥ 0 (Infinity: for good), got ${retainEndedMs}`);
  if (!(awaitStartMs >= 0 && Number.isFinite(awaitStartMs))) throw new TopologyError(`process manager '${name}': awaitStartMs must be a finite number ≥ 0, got ${awaitStartMs}`);
  const instances = `${name}-instances`;
  const deadlines = `${name}-deadlines`;
  app.addStore({ name: instances, kind: 'keyValue' });
  app.addStore({ name: deadlines, kind: 'window' });

  const partitioned = <V>(stream: Stream<K, V>, type: string): Stream<K, V> => {
    if (stream.builder !== app) throw new TopologyError(`process manager '${name}': its ${type} input belongs to topology '${stream.builder.name}', not '${app.name}'`);
    return stream.keyChanged ? stream.repartition({ name: `${name}-${type}` }) : stream;
  };
  type Input = ProcessManagerInput<Start, Events>;
  const start = partitioned(options.start, 'start');
  const inputs = [start.mapValues((event): Input => ({ kind: 'start', event }), { name: `${name}-start` })];
  for (const type of Object.keys(options.events) as Array<keyof Events & string>) {
    const events = partitioned(options.events[type], type);
    inputs.push(events.mapValues((event) => ({ kind: 'event', type, event }) as Input, { name: `${name}-on-${type}` }));
  }
  app.requireCoPartitioned(inputs.flatMap((input) => input.sourceTopics));
  const merged = inputs.reduce((all, input, i) => all.merge(input, { name: `${name}-merge-${i}` }));

  const emitted = merged.process(
    processManagerProcessor(definition, {
      node: name,
      instances,
      deadlines,
      punctuationIntervalMs,
      retainEndedMs,
      awaitStartMs,
    }),
    { name, stores: [instances, deadlines] },
  );
  return new ProcessManager<K, Out>(emitted, instances, deadlines);
}
