import assert from 'node:assert/strict';
import fc from 'fast-check';
import { saga } from '../../../processors/patterns/saga/index.ts';
import type { SagaInstance, SagaTransition } from '../../../processors/patterns/saga/index.ts';
import { TopologyTestDriver } from '../../../runtime/topologyTestDriver.ts';
import { testTopology } from '../processors/stringTopology.ts';

// The saga against a tiny reference model written from its documented semantics: random
// interleavings of starts, replies (awaited or not), cancellations and clock moves for a
// few instances, then a drain that ends every instance. After each input the instances'
// states and the commands sent must be the model's.

const TICK = 1_000;
const IDS = ['a', 'b', 'c', 'd'] as const;
type Id = (typeof IDS)[number];

interface StepConfig {
  readonly hasFailure: boolean;
  readonly timeoutTicks: number;
  readonly attempts: number;
  readonly backoffTicks: number;
  readonly compensation: { readonly timeoutTicks: number; readonly attempts: number; readonly backoffTicks: number } | null;
  readonly pivot: boolean;
}

type ReplyKind = 'ok' | 'fail' | 'ack';
interface Reply {
  readonly step: number;
  readonly kind: ReplyKind;
}
interface Command {
  readonly id: string;
  readonly step: number;
  readonly attempt: number;
}

type Op =
  | { readonly op: 'start'; readonly id: Id }
  | { readonly op: 'reply'; readonly id: Id; readonly step: number; readonly kind: ReplyKind }
  | { readonly op: 'answer'; readonly id: Id; readonly ok: boolean }
  | { readonly op: 'cancel'; readonly id: Id }
  | { readonly op: 'advance'; readonly ticks: number };

const stepConfig: fc.Arbitrary<StepConfig> = fc
  .record({
    hasFailure: fc.boolean(),
    timeoutTicks: fc.integer({ min: 1, max: 4 }),
    attempts: fc.integer({ min: 1, max: 3 }),
    backoffTicks: fc.integer({ min: 0, max: 2 }),
    compensation: fc.option(fc.record({ timeoutTicks: fc.integer({ min: 1, max: 3 }), attempts: fc.integer({ min: 1, max: 2 }), backoffTicks: fc.integer({ min: 0, max: 1 }) }), { nil: null }),
    pivot: fc.integer({ min: 0, max: 3 }).map((n) => n === 0),
  })
  .map((config) => (config.pivot ? { ...config, compensation: null } : config)); // a pivot cannot be undone

const id = fc.constantFrom(...IDS);
const op = (steps: number): fc.Arbitrary<Op> =>
  fc.oneof(
    { arbitrary: fc.record({ op: fc.constant('start' as const), id }), weight: 2 },
    { arbitrary: fc.record({ op: fc.constant('reply' as const), id, step: fc.integer({ min: 0, max: steps - 1 }), kind: fc.constantFrom<ReplyKind>('ok', 'fail', 'ack') }), weight: 2 },
    { arbitrary: fc.record({ op: fc.constant('answer' as const), id, ok: fc.boolean() }), weight: 5 },
    { arbitrary: fc.record({ op: fc.constant('cancel' as const), id }), weight: 2 },
    { arbitrary: fc.record({ op: fc.constant('advance' as const), ticks: fc.integer({ min: 1, max: 4 }) }), weight: 3 },
  );

const scenario = fc
  .array(stepConfig, { minLength: 1, maxLength: 4 })
  .chain((steps) => fc.record({ steps: fc.constant(steps), ops: fc.array(op(steps.length), { maxLength: 40 }), drain: fc.array(fc.boolean(), { minLength: 64, maxLength: 64 }) }));

type Phase = SagaInstance<unknown>['status'];
interface ModelInstance {
  phase: Phase;
  step: number;
  attempt: number;
  backoff: boolean;
  deadline: number | null;
  completed: number;
}
type Sent = [topic: 'actions' | 'compensations' | 'compensated', id: string, step: number, attempt: number];

/** The saga's semantics, as plainly as they can be written. */
class Model {
  readonly instances = new Map<string, ModelInstance>();
  now = 0;
  sent: Sent[] = [];

  constructor(private readonly steps: readonly StepConfig[]) {}

  start(id: string): void {
    if (this.instances.has(id)) return;
    const instance: ModelInstance = { phase: 'running', step: 0, attempt: 0, backoff: false, deadline: null, completed: 0 };
    this.instances.set(id, instance);
    this.sendAction(id, instance, 0, 1);
  }

  reply(id: string, { step, kind }: Reply): void {
    const i = this.instances.get(id);
    if (!i || i.step !== step) return;
    const forward = i.phase === 'running' || i.phase === 'cancelling';
    if (forward && kind === 'ok') {
      i.completed = step + 1;
      if (i.phase === 'cancelling') this.compensate(id, i, step);
      else if (step + 1 < this.steps.length) this.sendAction(id, i, step + 1, 1);
      else Object.assign(i, { phase: 'completed', attempt: 0, backoff: false, deadline: null });
    } else if (forward && kind === 'fail' && this.steps[step]!.hasFailure) {
      this.compensate(id, i, step - 1);
    } else if (i.phase === 'compensating' && kind === 'ack') {
      this.compensate(id, i, step - 1);
    }
  }

  cancel(id: string): void {
    const i = this.instances.get(id);
    if (!i || i.phase !== 'running' || this.steps.slice(0, i.step + 1).some((s) => s.pivot)) return;
    if (i.backoff) this.compensate(id, i, i.step - 1);
    else i.phase = 'cancelling';
  }

  advance(ms: number): void {
    this.now += ms;
    const due = [...this.instances].filter(([, i]) => i.deadline !== null && i.deadline <= this.now);
    for (const [id, i] of due) this.timeout(id, i);
  }

  /** What the instance awaits, as the reply that would answer it. */
  awaited(id: string, ok: boolean): Reply | undefined {
    const i = this.instances.get(id);
    if (!i) return undefined;
    if (i.phase === 'compensating') return { step: i.step, kind: 'ack' };
    if (i.phase === 'running' || i.phase === 'cancelling') return { step: i.step, kind: ok || !this.steps[i.step]!.hasFailure ? 'ok' : 'fail' };
    return undefined;
  }

  private timeout(id: string, i: ModelInstance): void {
    if (i.phase === 'cancelling') return this.compensate(id, i, i.step - 1);
    const compensating = i.phase === 'compensating';
    const config = this.steps[i.step]!;
    const policy = compensating ? config.compensation! : config;
    const resend = () => (compensating ? this.sendCompensation(id, i, i.step, i.attempt + 1) : this.sendAction(id, i, i.step, i.attempt + 1));
    if (i.backoff) return resend();
    if (i.attempt < policy.attempts) {
      const wait = policy.backoffTicks * TICK * 2 ** (i.attempt - 1);
      Object.assign(i, { backoff: true, deadline: this.now + wait });
      if (wait === 0) resend();
      return;
    }
    if (compensating) Object.assign(i, { phase: 'failed', attempt: 0, backoff: false, deadline: null });
    else this.compensate(id, i, i.step - 1);
  }

  private compensate(id: string, i: ModelInstance, from: number): void {
    for (let step = Math.min(from, i.completed - 1); step >= 0; step--) {
      if (this.steps[step]!.compensation) return this.sendCompensation(id, i, step, 1);
    }
    Object.assign(i, { phase: 'compensated', attempt: 0, backoff: false, deadline: null });
    this.sent.push(['compensated', id, -1, 0]);
  }

  private sendAction(id: string, i: ModelInstance, step: number, attempt: number): void {
    Object.assign(i, { phase: 'running', step, attempt, backoff: false, deadline: this.now + this.steps[step]!.timeoutTicks * TICK });
    this.sent.push(['actions', id, step, attempt]);
  }

  private sendCompensation(id: string, i: ModelInstance, step: number, attempt: number): void {
    Object.assign(i, { phase: 'compensating', step, attempt, backoff: false, deadline: this.now + this.steps[step]!.compensation!.timeoutTicks * TICK });
    this.sent.push(['compensations', id, step, attempt]);
  }
}

function sagaUnderTest(steps: readonly StepConfig[]) {
  const app = testTopology('model');
  const replies = app.stream<string, Reply>('replies');
  const command = (topic: string) => ({ topic, build: (_data: null, c: { sagaId: string; attempt: number }) => [c.sagaId, c.attempt] as const });
  const s = saga(app, {
    name: 'model',
    start: { stream: app.stream<string, string>('starts') },
    init: () => null,
    steps: (step) =>
      steps.map((config, index) =>
        step(`s${index}`, {
          action: command(`actions-${index}`),
          success: { stream: replies, when: (r) => r.step === index && r.kind === 'ok' },
          ...(config.pivot ? { pivot: true } : {}),
          ...(config.hasFailure ? { failure: { stream: replies, when: (r: Reply) => r.step === index && r.kind === 'fail' } } : {}),
          timeoutMs: config.timeoutTicks * TICK,
          retry: { attempts: config.attempts, backoffMs: config.backoffTicks * TICK },
          ...(config.compensation
            ? {
                compensation: {
                  action: command(`compensations-${index}`),
                  acknowledgement: { stream: replies, when: (r: Reply) => r.step === index && r.kind === 'ack' },
                  timeoutMs: config.compensation.timeoutTicks * TICK,
                  retry: { attempts: config.compensation.attempts, backoffMs: config.compensation.backoffTicks * TICK },
                },
              }
            : {}),
        }),
      ),
    cancel: { stream: app.stream<string, string>('cancels') },
    onCompensated: command('compensated'),
    punctuationIntervalMs: TICK,
    retainEndedMs: Infinity, // the model remembers ended instances for good
  });
  s.transitions.to('transitions');
  const driver = new TopologyTestDriver(app, { wallClockTimeMs: 0 });
  const topics = [...steps.flatMap((_, index) => [`actions-${index}`, `compensations-${index}`]), 'compensated'];
  return {
    driver,
    instance: (id: string) => driver.keyValueStore<string, SagaInstance<null>>(s.instanceStore).get(id),
    /** The commands sent since the last call, in the model's terms, sorted. */
    sent: (): Sent[] =>
      topics
        .flatMap((topic) =>
          driver
            .outputTopic<string, number>(topic)
            .readKeyValues()
            .map(([key, attempt]): Sent => {
              const [kind, step] = topic.split('-') as ['actions' | 'compensations' | 'compensated', string | undefined];
              return [kind, key, step === undefined ? -1 : Number(step), attempt];
            }),
        )
        .sort(),
  };
}

describe('saga against a reference model', () => {
  it('moves every instance as the model does, and ends each in exactly one terminal state with its compensations once each, in reverse order', () => {
    fc.assert(
      fc.property(scenario, ({ steps, ops, drain }) => {
        const model = new Model(steps);
        const { driver, instance, sent } = sagaUnderTest(steps);
        const starts = driver.inputTopic<string, string>('starts');
        const replies = driver.inputTopic<string, Reply>('replies');
        const cancels = driver.inputTopic<string, string>('cancels');
        const apply = (o: Op) => {
          if (o.op === 'start') {
            model.start(o.id);
            starts.pipe(o.id, 'go');
          } else if (o.op === 'reply' || o.op === 'answer') {
            const reply = o.op === 'reply' ? { step: o.step, kind: o.kind } : model.awaited(o.id, o.ok);
            if (!reply) return;
            model.reply(o.id, reply);
            replies.pipe(o.id, reply);
          } else if (o.op === 'cancel') {
            model.cancel(o.id);
            cancels.pipe(o.id, 'stop');
          } else {
            model.advance(o.ticks * TICK);
            driver.advanceWallClockTime(o.ticks * TICK);
          }
        };
        const check = (o: Op) => {
          assert.deepEqual(sent(), [...model.sent].sort(), `commands after ${JSON.stringify(o)}`);
          model.sent = [];
          for (const id of IDS) {
            const expected = model.instances.get(id);
            const actual = instance(id);
            assert.deepEqual(
              actual && { phase: actual.status, step: actual.step, attempt: actual.attempt, completed: actual.completed, deadline: actual.deadline },
              expected && { phase: expected.phase, step: expected.step, attempt: expected.attempt, completed: expected.completed, deadline: expected.deadline },
              `instance ${id} after ${JSON.stringify(o)}`,
            );
          }
        };
        for (const o of ops) {
          apply(o);
          check(o);
        }
        // Drain: answer what is awaited, or let the clock run, until every instance has ended.
        const longest = Math.max(...steps.map((s) => (s.timeoutTicks + 2 * s.backoffTicks) * 2));
        for (let round = 0; [...model.instances.values()].some((i) => i.deadline !== null); round++) {
          assert.ok(round < 500, 'the saga ends every instance');
          const answer = drain[round % drain.length]!;
          const o: Op = answer ? { op: 'answer', id: [...model.instances].find(([, i]) => i.deadline !== null)![0] as Id, ok: round % 3 !== 0 } : { op: 'advance', ticks: longest };
          apply(o);
          check(o);
        }

        const transitions = driver.outputTopic<string, SagaTransition<string>>('transitions').readValues();
        const terminal = new Set(['completed', 'compensated', 'failed']);
        for (const [id, ended] of model.instances) {
          const own = transitions.filter((t) => t.sagaId === id);
          assert.equal(own.filter((t) => terminal.has(t.to) && !terminal.has(t.from)).length, 1, `${id} ends once`);
          assert.equal(own.at(-1)!.to, ended.phase);
          // Compensations: each step's attempts numbered from 1, once each; the steps undone
          // are the completed ones that have a compensation, from the highest down.
          const history = instance(id)!.history;
          const sends = history.filter((h) => h.to.startsWith('compensating:') && (h.from !== h.to || h.event === 'compensation-retried'));
          const compensated = sends.filter((h) => h.from !== h.to).map((h) => Number(h.to.slice('compensating:s'.length)));
          const undoable = steps.flatMap((s, index) => (s.compensation && index < ended.completed ? [index] : [])).reverse();
          if (ended.phase === 'completed') assert.deepEqual(compensated, []);
          if (ended.phase === 'compensated') assert.deepEqual(compensated, undoable);
          if (ended.phase === 'failed') assert.deepEqual(compensated, undoable.slice(0, compensated.length));
          const attempts = sends.map((h) => `${h.to}#${h.attempt}`);
          assert.equal(new Set(attempts).size, attempts.length, `no compensation attempt is sent twice: ${attempts.join(', ')}`);
        }
      }),
      { numRuns: 200 },
    );
  });
});
