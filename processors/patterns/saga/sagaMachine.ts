import { keyId } from '../../../state/stateStore.ts';
import { backoffAfter, NO_RETRY, type RetryPolicy } from './retryPolicy.ts';
import type { SagaCommand, SagaStep } from './sagaDefinition.ts';
import type { SagaInstance } from './sagaInstance.ts';
import type { SagaEvent, SagaIgnoredInput, SagaState, SagaTransition } from './sagaTransition.ts';

/** The part a reply plays for a step: its success, its failure, or its compensation's acknowledgement. */
export interface ReplyRole {
  readonly role: 'success' | 'failure' | 'acknowledgement';
  readonly step: number;
}

/** What happens to an instance: its start event, a reply (with every role the record matches), its cancellation, or its deadline. */
export type SagaMachineInput =
  | { readonly kind: 'start'; readonly value: unknown }
  | { readonly kind: 'reply'; readonly roles: readonly ReplyRole[]; readonly value: unknown }
  | { readonly kind: 'cancel' }
  | { readonly kind: 'deadline' };

/** A command to write: its topic, key and value. */
export interface SagaSend {
  readonly topic: string;
  readonly key: unknown;
  readonly value: unknown;
}

/** What one input did: the instance after it (undefined: there is none), its moves, the commands to send. */
export interface SagaOutcome<K, D> {
  readonly instance: SagaInstance<D> | undefined;
  readonly transitions: ReadonlyArray<SagaTransition<K>>;
  readonly sends: readonly SagaSend[];
}

/** The saga as the machine runs it. */
export interface SagaPlan<K, D> {
  readonly name: string;
  readonly steps: ReadonlyArray<SagaStep<K, D>>;
  readonly init: (start: unknown, sagaId: K) => D;
  readonly onCompensated?: SagaCommand<K, D>;
}

type Fields<D> = { -readonly [F in keyof SagaInstance<D>]?: SagaInstance<D>[F] };

/** A change of an instance and the command it sends, if any. */
interface Next<K, D> {
  readonly fields: Fields<D>;
  readonly send?: { readonly command: SagaCommand<K, D>; readonly commandId: string };
}

const OUTCOME_EVENT: Record<ReplyRole['role'], SagaEvent> = { success: 'succeeded', failure: 'failed', acknowledgement: 'compensation-acknowledged' };

/**
 * The saga's state machine, a pure function of (instance, input, wall-clock time): no
 * store, no clock of its own, so the processor that drives it stays deterministic and
 * the reference-model test can run it alone. See `saga()` for the semantics.
 */
export class SagaMachine<K, D> {
  constructor(private readonly plan: SagaPlan<K, D>) {}

  /**
   * Applies one input to the instance of `sagaId` (undefined if none). `now` is the wall
   * clock (deadlines are `now + timeout`), `timestamp` the one outputs carry.
   */
  apply(sagaId: K, instance: SagaInstance<D> | undefined, input: SagaMachineInput, now: number, timestamp: number): SagaOutcome<K, D> {
    const run = new MachineRun(this.plan, sagaId, instance, now, timestamp);
    run.handle(input);
    return { instance: run.instance, transitions: run.transitions, sends: run.sends };
  }
}

/** The state label of an instance: `new`, `running:<step>`, …, `completed`. */
export function sagaStateOf(instance: SagaInstance<unknown> | undefined, steps: ReadonlyArray<{ readonly name: string }>): SagaState {
  if (!instance) return 'new';
  const { status } = instance;
  if (status === 'running' || status === 'cancelling' || status === 'compensating') return `${status}:${steps[instance.step]!.name}`;
  return status;
}

/** One input applied: accumulates the moves and the commands they send. */
class MachineRun<K, D> {
  readonly transitions: Array<SagaTransition<K>> = [];
  readonly sends: SagaSend[] = [];

  constructor(
    private readonly plan: SagaPlan<K, D>,
    private readonly sagaId: K,
    public instance: SagaInstance<D> | undefined,
    private readonly now: number,
    private readonly timestamp: number,
  ) {}

  handle(input: SagaMachineInput): void {
    const instance = this.instance;
    switch (input.kind) {
      case 'start':
        if (instance) return this.ignore('duplicate-start', instance.step);
        return this.start(input.value);
      case 'reply':
        if (!instance) return this.ignore('unknown-instance', input.roles[0]?.step ?? null);
        return this.reply(instance, input.roles, input.value);
      case 'cancel':
        if (!instance) return this.ignore('unknown-instance', null);
        return this.cancel(instance);
      case 'deadline':
        // Only an instance waiting until now or earlier has a deadline to act on (the processor writes its index entry with it).
        if (!instance || instance.deadline === null || instance.deadline > this.now) return;
        return this.deadline(instance);
    }
  }

  private start(value: unknown): void {
    const data = this.plan.init(value, this.sagaId);
    const base: SagaInstance<D> = { status: 'running', step: 0, attempt: 0, waiting: null, deadline: null, completed: 0, cause: null, data, history: [] };
    this.move(this.awaitAction(0, 1), 'started', 0, base);
  }

  private reply(instance: SagaInstance<D>, roles: readonly ReplyRole[], value: unknown): void {
    const { status, step } = instance;
    const forward = status === 'running' || status === 'cancelling';
    const awaited = roles.find((r) => r.step === step && (forward ? r.role !== 'acknowledgement' : status === 'compensating' && r.role === 'acknowledgement'));
    if (!awaited) return this.ignoreReply(instance, roles);
    if (awaited.role === 'acknowledgement') return this.move(this.compensateFrom(step - 1, instance), 'compensation-acknowledged', step);
    if (awaited.role === 'failure') {
      const cause = instance.cause ?? { kind: 'failed' as const, step: this.nameOf(step) };
      return this.move(this.compensateFrom(step - 1, { ...instance, cause }), 'failed', step);
    }
    const onSuccess = this.plan.steps[step]!.definition.onSuccess;
    const succeeded = { ...instance, completed: step + 1, data: onSuccess ? onSuccess(instance.data, value) : instance.data };
    if (status === 'cancelling') return this.move(this.compensateFrom(step, succeeded), 'succeeded', step);
    if (step + 1 < this.plan.steps.length) return this.move(this.awaitAction(step + 1, 1), 'succeeded', step, succeeded);
    this.move(this.idle('completed'), 'succeeded', step, succeeded);
  }

  /**
   * A reply not awaited is a duplicate when its outcome is already in the history, late
   * when it answers a command that was sent, unexpected when it answers none.
   */
  private ignoreReply(instance: SagaInstance<D>, roles: readonly ReplyRole[]): void {
    const recorded = (r: ReplyRole) => instance.history.some((h) => h.event === OUTCOME_EVENT[r.role] && h.step === this.nameOf(r.step));
    const sent = (r: ReplyRole) => {
      const awaiting = `${r.role === 'acknowledgement' ? 'compensating' : 'running'}:${this.nameOf(r.step)}`;
      return instance.history.some((h) => h.to === awaiting);
    };
    const duplicate = roles.find(recorded);
    if (duplicate) return this.ignore('duplicate-reply', duplicate.step);
    const late = roles.find(sent);
    if (late) return this.ignore('late-reply', late.step);
    this.ignore('unexpected-reply', roles[0]!.step);
  }

  private cancel(instance: SagaInstance<D>): void {
    const pivotSent = this.plan.steps.slice(0, instance.step + 1).some((s) => s.definition.pivot);
    if (instance.status !== 'running' || pivotSent) return this.ignore('late-cancel', instance.step);
    const cause = { kind: 'cancelled' as const, step: this.nameOf(instance.step) };
    // The action in flight may still succeed: wait for its outcome, then undo it too if it did.
    if (instance.waiting === 'reply') return this.move({ fields: { status: 'cancelling', cause } }, 'cancelled', instance.step);
    this.move(this.compensateFrom(instance.step - 1, { ...instance, cause }), 'cancelled', instance.step);
  }

  private deadline(instance: SagaInstance<D>): void {
    const { status, step, attempt, waiting } = instance;
    if (status === 'cancelling') return this.move(this.compensateFrom(step - 1, instance), 'timed-out', step);
    const compensating = status === 'compensating';
    const definition = this.plan.steps[step]!.definition;
    const policy = (compensating ? definition.compensation!.retry : definition.retry) ?? NO_RETRY;
    if (waiting === 'backoff') {
      const next = compensating ? this.awaitCompensation(step, attempt + 1) : this.awaitAction(step, attempt + 1);
      return this.move(next, compensating ? 'compensation-retried' : 'retried', step);
    }
    if (attempt < policy.attempts) return this.backOff(step, attempt, policy, compensating);
    if (compensating) return this.move(this.idle('failed'), 'compensation-stuck', step);
    this.move(this.compensateFrom(step - 1, { ...instance, cause: { kind: 'timed-out', step: this.nameOf(step) } }), 'timed-out', step);
  }

  private backOff(step: number, attempt: number, policy: RetryPolicy, compensating: boolean): void {
    const wait = backoffAfter(policy, attempt);
    this.move({ fields: { waiting: 'backoff', deadline: this.now + wait } }, compensating ? 'compensation-timed-out' : 'timed-out', step);
    if (wait > 0) return;
    const next = compensating ? this.awaitCompensation(step, attempt + 1) : this.awaitAction(step, attempt + 1);
    this.move(next, compensating ? 'compensation-retried' : 'retried', step);
  }

  /** Undoes the highest completed step at or below `from` that has a compensation; with none left, the instance is compensated. */
  private compensateFrom(from: number, instance: SagaInstance<D>): Next<K, D> {
    for (let step = Math.min(from, instance.completed - 1); step >= 0; step--) {
      if (this.plan.steps[step]!.definition.compensation) return this.withBase(this.awaitCompensation(step, 1), instance);
    }
    const compensated = this.withBase(this.idle('compensated'), instance);
    const command = this.plan.onCompensated;
    return command ? { ...compensated, send: { command, commandId: `${this.plan.name}/${keyId(this.sagaId)}/compensated` } } : compensated;
  }

  private awaitAction(step: number, attempt: number): Next<K, D> {
    const { name, definition } = this.plan.steps[step]!;
    return {
      fields: { status: 'running', step, attempt, waiting: 'reply', deadline: this.now + definition.timeoutMs },
      send: { command: definition.action, commandId: `${this.plan.name}/${keyId(this.sagaId)}/${name}/action` },
    };
  }

  private awaitCompensation(step: number, attempt: number): Next<K, D> {
    const { name, definition } = this.plan.steps[step]!;
    const compensation = definition.compensation!;
    return {
      fields: { status: 'compensating', step, attempt, waiting: 'reply', deadline: this.now + compensation.timeoutMs },
      send: { command: compensation.action, commandId: `${this.plan.name}/${keyId(this.sagaId)}/${name}/compensation` },
    };
  }

  private idle(status: 'completed' | 'compensated' | 'failed'): Next<K, D> {
    return { fields: { status, attempt: 0, waiting: null, deadline: null } };
  }

  /** `next` applied over the fields `base` changed (completed, data, cause). */
  private withBase(next: Next<K, D>, base: SagaInstance<D>): Next<K, D> {
    return { ...next, fields: { completed: base.completed, data: base.data, cause: base.cause, ...next.fields } };
  }

  /** Moves the instance (from `base`, default the current one), records the move and sends the command `next` names. */
  private move(next: Next<K, D>, event: SagaEvent, step: number, base: SagaInstance<D> = this.instance!): void {
    const from = this.instance;
    const moved = { ...base, ...next.fields };
    const entry = { from: this.stateOf(from), to: this.stateOf(moved), event, step: this.nameOf(step), attempt: moved.attempt, cause: moved.cause, timestamp: this.timestamp };
    this.instance = { ...moved, history: [...moved.history, entry] };
    this.transitions.push({ sagaId: this.sagaId, saga: this.plan.name, ...entry });
    if (!next.send) return;
    const context = { sagaId: this.sagaId, commandId: next.send.commandId, attempt: moved.attempt, timestamp: this.timestamp, cause: moved.cause };
    const [key, value] = next.send.command.build(moved.data, context);
    this.sends.push({ topic: next.send.command.topic, key, value });
  }

  /** Emits an ignored input; the instance stays as it is. */
  private ignore(event: SagaIgnoredInput, step: number | null): void {
    const state = this.stateOf(this.instance);
    const stepName = step === null ? null : this.nameOf(step);
    this.transitions.push({ sagaId: this.sagaId, saga: this.plan.name, from: state, to: state, event, step: stepName, attempt: this.instance?.attempt ?? 0, cause: this.instance?.cause ?? null, timestamp: this.timestamp });
  }

  private stateOf(instance: SagaInstance<D> | undefined): SagaState {
    return sagaStateOf(instance, this.plan.steps);
  }

  private nameOf(step: number): string {
    return this.plan.steps[step]!.name;
  }
}
