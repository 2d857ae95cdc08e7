import { customProcessor, type CustomProcessorFactory } from '../../customProcessor.ts';
import type { Serdes } from '../../serdes.ts';
import { Stream } from '../../stream.ts';
import type { TopologyBuilder } from '../../topologyBuilder.ts';
import { TopologyError } from '../../topologyError.ts';
import { checkTiming, NO_RETRY } from './retryPolicy.ts';
import type { SagaCommand, SagaDefinition, SagaInput, SagaStep, SagaStepDefinition, SagaStepFactory } from './sagaDefinition.ts';
import { SagaMachine, type ReplyRole, type SagaPlan } from './sagaMachine.ts';
import { sagaProcessor, type SagaInputRecord, type SagaInputRoles, type SagaOutput } from './sagaProcessor.ts';
import type { SagaTransition } from './sagaTransition.ts';

/** A saga wired into its topology. */
export interface Saga<K> {
  /** Every transition of every instance (moves and ignored inputs), keyed by saga id, e.g. `.to('orders.saga.transitions')`. */
  readonly transitions: Stream<K, SagaTransition<K>>;
  /** The key-value store of instances (`SagaInstance<D>` by saga id): state and history, for queries. */
  readonly instanceStore: string;
  /** The window store of deadlines (saga id by due wall-clock time). */
  readonly deadlineStore: string;
}

type Roles = { start?: (value: unknown) => boolean; cancel?: (value: unknown) => boolean; replies: SagaInputRoles['replies'][number][] };

/**
 * Adds a saga (orchestration, as Temporal or NServiceBus sagas, on streams) to `app`: one
 * instance per saga id that sends each step's action as a command, waits for its reply,
 * and on a failure undoes the completed steps in reverse order.
 *
 * - **Start**: a start event creates the instance (`init` makes its data) and sends step
 *   1's action. A start for an id that has an instance, live or ended, is ignored
 *   (`duplicate-start`).
 * - **Steps** run one at a time, in order. A step's success reply (`onSuccess` updates the
 *   data) sends the next step's action; after the last, the instance is `completed`.
 * - **Timeouts and retries**: each attempt waits `timeoutMs` of wall-clock time. Without a
 *   reply, the same command (same `commandId`) is sent again after the backoff while
 *   attempts are left; then the step counts as failed (cause `timed-out`). A reply to an
 *   earlier attempt still counts while the step is awaited.
 * - **Compensation**: a failure reply or a timed-out step makes the instance undo the
 *   completed steps that have a compensation, highest first, one at a time: each
 *   compensation is sent and its acknowledgement awaited (own timeout and retries) before
 *   the next. When none is left the instance is `compensated` (with its cause) and
 *   `onCompensated` is sent. A compensation that is never acknowledged after its attempts
 *   parks the instance as `failed` (`compensation-stuck`): the compensations below it are
 *   not sent, and an operator must finish them (the history says where it stopped).
 * - **Cancellation**: a cancel event while a step's reply is awaited waits for that
 *   step's outcome (`cancelling:<step>`): if it succeeds, it is compensated too; if it
 *   fails or times out (no retries then), only the steps before it are. A cancel between
 *   attempts compensates at once. Cause `cancelled`. A cancel once compensating or ended,
 *   or once a `pivot` step's action was sent, is ignored (`late-cancel`): whoever asked
 *   learns from that transition that the saga went on.
 * - **Ignored inputs**: replies whose outcome the instance already recorded
 *   (`duplicate-reply`), replies to a command it sent but no longer awaits (`late-reply`:
 *   its step timed out, or the instance moved on or ended), replies to a command it never
 *   sent (`unexpected-reply`: a reply that overtook its command is not kept for later),
 *   inputs for ids never started (`unknown-instance`).
 *   Each is emitted as a transition whose state does not change, and counted in the
 *   dropped records (`duplicate-start`, `unknown-instance`, `ended-instance`, else `late`).
 *   Records of an input that match none of the roles it plays are not saga inputs at all.
 * - **Outputs**: every move is emitted on `transitions` (with the input's timestamp, or the
 *   punctuation's wall-clock time for timeouts) and kept in the instance's history;
 *   commands go to their command's topic, with the same timestamp and no headers.
 * - **Metrics**: the task's instances by state (kept in `<name>-counts`) and each instance
 *   ended compensated, by cause, reach the runtime's `tributary_saga_instances` and
 *   `tributary_saga_compensations_total`.
 * - **State**: instances in `<name>-instances`, their deadlines in `<name>-deadlines`
 *   (a window store by due time, so a punctuation every `punctuationIntervalMs` reads only
 *   the due ones). Ended instances are kept `retainEndedMs` (default 1 day), so late inputs
 *   and repeated starts stay ignored; then they are deleted. Everything the
 *   saga decides is a function of its inputs, its stores and the task's wall clock: the
 *   callbacks (`init`, `build`, `when`, `onSuccess`) must be deterministic and free of
 *   side effects.
 * - **Partitioning**: every input must be keyed by saga id. An input whose keys may have
 *   changed is repartitioned first (`<app>-<name>-<role>-repartition`, with the
 *   topology's serdes); all inputs must be co-partitioned, which the runtime checks.
 *   A stream may play several roles (the payment replies: success, failure and the
 *   refund's acknowledgement); it is read once.
 */
export function saga<K, VStart, D, VCancel = never>(app: TopologyBuilder, definition: SagaDefinition<K, VStart, D, VCancel>): Saga<K> {
  const { name } = definition;
  const step: SagaStepFactory<K, D> = (stepName, stepDefinition) => ({ name: stepName, definition: stepDefinition as unknown as SagaStepDefinition<K, D, unknown, unknown, unknown> });
  const steps = definition.steps(step);
  checkSteps(name, steps);
  const punctuationIntervalMs = definition.punctuationIntervalMs ?? 1_000;
  if (!(punctuationIntervalMs > 0)) throw new TopologyError(`saga '${name}': punctuationIntervalMs must be positive, got ${punctuationIntervalMs}`);
  const retainEndedMs = definition.retainEndedMs ?? 24 * 3600_000;
  if (!(retainEndedMs > 0)) throw new TopologyError(`saga '${name}': retainEndedMs must be positive, got ${retainEndedMs}`);

  // One tagged input per distinct stream, named after the first role it plays.
  const streams: Array<{ stream: Stream<K, unknown>; role: string; roles: Roles }> = [];
  const rolesOf = <V>(input: SagaInput<K, V>, role: string): Roles => {
    const stream = input.stream as unknown as Stream<K, unknown>;
    if (stream.builder !== app) throw new TopologyError(`saga '${name}': the ${role} stream belongs to topology '${stream.builder.name}', not '${app.name}'`);
    let entry = streams.find((s) => s.stream.node === stream.node);
    if (!entry) streams.push((entry = { stream, role, roles: { replies: [] } }));
    return entry.roles;
  };
  const when = <V>(input: SagaInput<K, V>) => (input.when ?? (() => true)) as (value: unknown) => boolean;
  rolesOf(definition.start, 'start').start = when(definition.start);
  if (definition.cancel) rolesOf(definition.cancel, 'cancel').cancel = when(definition.cancel);
  steps.forEach(({ name: stepName, definition: d }, index) => {
    const reply = (input: SagaInput<K, unknown>, role: ReplyRole['role']) =>
      rolesOf(input, `${stepName}-${role}`).replies.push({ role, step: index, when: when(input) });
    reply(d.success, 'success');
    if (d.failure) reply(d.failure, 'failure');
    if (d.compensation) reply(d.compensation.acknowledgement, 'acknowledgement');
  });

  const tagged = streams.map(({ stream, role }, input) => {
    const partitioned = stream.keyChanged ? stream.repartition({ name: `${name}-${role}` }) : stream;
    return partitioned.mapValues((value): SagaInputRecord => ({ input, value }), { name: `${name}-${role}-input` });
  });
  app.requireCoPartitioned(tagged.flatMap((s) => s.sourceTopics));
  const merged = tagged.reduce((all, input, i) => all.merge(input, { name: `${name}-merge-${i}` }));

  const instanceStore = `${name}-instances`;
  const deadlineStore = `${name}-deadlines`;
  const countStore = `${name}-counts`;
  app.addStore({ name: instanceStore, kind: 'keyValue' });
  app.addStore({ name: deadlineStore, kind: 'window' });
  app.addStore({ name: countStore, kind: 'keyValue' });
  const plan: SagaPlan<K, D> = { name, steps, init: definition.init as (start: unknown, sagaId: K) => D, ...(definition.onCompensated ? { onCompensated: definition.onCompensated } : {}) };
  const factory = sagaProcessor<K, D>({
    node: name,
    machine: new SagaMachine(plan),
    inputs: streams.map((s) => s.roles),
    instances: instanceStore,
    deadlines: deadlineStore,
    counts: countStore,
    punctuationIntervalMs,
    retainEndedMs,
  }) as CustomProcessorFactory<unknown, unknown, unknown, unknown>;
  const processor = app.addProcessor('KSTREAM-PROCESSOR', [merged.node], [instanceStore, deadlineStore, countStore], (ctx, [input]) => input!.pipe(customProcessor(ctx, factory)), name);
  // Transitions keep the saga id as key, so the output is not marked for repartitioning (commands go straight to sinks).
  const output = new Stream<K, SagaOutput<K>>(app, processor.name, merged.sourceTopics, false, undefined);

  for (const [topic, serdes] of commandTopics(steps, definition.onCompensated)) {
    output
      .flatMapValues((out) => (out.kind === 'command' && out.topic === topic ? [out.value] : []), { name: `${name}-to-${topic}` })
      .to(topic, { name: `${name}-sink-${topic}`, ...(serdes ? { serdes: serdes as Serdes<K, unknown> } : {}) });
  }
  const transitions = output.flatMapValues((out) => (out.kind === 'transition' ? [out.transition] : []), { name: `${name}-transitions` });
  return { transitions, instanceStore, deadlineStore };
}

function checkSteps<K, D>(saga: string, steps: ReadonlyArray<SagaStep<K, D>>): void {
  if (steps.length === 0) throw new TopologyError(`saga '${saga}' needs at least one step`);
  const seen = new Set<string>();
  for (const { name, definition } of steps) {
    if (seen.has(name)) throw new TopologyError(`saga '${saga}' has two steps named '${name}'`);
    seen.add(name);
    checkTiming(`saga '${saga}' step '${name}'`, definition.timeoutMs, definition.retry ?? NO_RETRY);
    const compensation = definition.compensation;
    if (compensation && definition.pivot) throw new TopologyError(`saga '${saga}' step '${name}' is a pivot: it cannot have a compensation`);
    if (compensation) checkTiming(`saga '${saga}' step '${name}' compensation`, compensation.timeoutMs, compensation.retry ?? NO_RETRY);
  }
}

/** Every topic the saga sends commands to, with the first serdes a command names for it. */
function commandTopics<K, D>(steps: ReadonlyArray<SagaStep<K, D>>, onCompensated: SagaCommand<K, D> | undefined): Map<string, Serdes<unknown, unknown> | undefined> {
  const commands = [...steps.flatMap(({ definition }) => [definition.action, definition.compensation?.action]), onCompensated];
  const topics = new Map<string, Serdes<unknown, unknown> | undefined>();
  for (const command of commands) {
    if (command && !topics.get(command.topic)) topics.set(command.topic, command.serdes);
  }
  return topics;
}
