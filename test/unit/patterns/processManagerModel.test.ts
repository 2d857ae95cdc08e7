import assert from 'node:assert/strict';
import fc from 'fast-check';
import { TopologyTestDriver } from '../../../runtime/topologyTestDriver.ts';
import type { GroupCheckoutStarted, GuestCheckoutCompleted, GuestCheckoutFailed } from '../../../schemas/generated/types.ts';
import { groupCheckoutTopology, guestCompleted, guestFailed, handOff, started, TOPICS } from './processManagerGroupCheckout.ts';

type Op =
  | { readonly kind: 'start'; readonly group: number }
  | { readonly kind: 'reply'; readonly group: number; readonly guest: number; readonly ok: boolean }
  | { readonly kind: 'advance'; readonly ms: number }
  | { readonly kind: 'handoff' };

interface Scenario {
  /** Per group: its guest count and deadline. */
  readonly groups: ReadonlyArray<{ readonly guests: number; readonly deadline: number }>;
  readonly ops: readonly Op[];
  readonly punctuationIntervalMs: number;
  readonly retainEndedMs: number;
  readonly awaitStartMs: number;
}

type Outputs = Record<string, Array<[string, unknown]>>;
type Drops = Record<string, number>;

const groupId = (group: number) => `grp-${group}`;
const FLUSH_MS = 100_000;

/**
 * The naive model: each group's checkout simulated directly, with the wall clock and the
 * punctuation schedule spelled out. Record i carries timestamp i (and so do its reply times).
 */
function model({ groups, ops, punctuationIntervalMs, retainEndedMs, awaitStartMs }: Scenario): { outputs: Outputs; drops: Drops; lifetimes: number[] } {
  type Reply = Extract<Op, { kind: 'reply' }>;
  type Group =
    | { status: 'awaiting'; early: Array<[Reply, number]>; forgetAt: number }
    | { status: 'active'; done: Set<number>; deadline: number }
    | { status: 'ended'; endedAt: number };
  const state = new Map<number, Group>();
  const outputs: Outputs = { [TOPICS.completed]: [], [TOPICS.failed]: [], [TOPICS.timedOut]: [] };
  const drops: Drops = { 'unknown-instance': 0, 'ended-instance': 0, 'duplicate-start': 0 };
  const lifetimes = groups.map(() => 0);
  let wall = 0;
  let nextPunctuation = punctuationIntervalMs;
  const end = (group: number) => state.set(group, { status: 'ended', endedAt: wall });
  const punctuate = () => {
    const due: Array<[number, number]> = [];
    for (const [group, s] of state) {
      const at = s.status === 'active' ? s.deadline : s.status === 'awaiting' ? s.forgetAt : s.endedAt + retainEndedMs;
      if (at <= wall) due.push([at, group]);
    }
    due.sort(([a, g], [b, h]) => a - b || (groupId(g) < groupId(h) ? -1 : 1));
    for (const [, group] of due) {
      const s = state.get(group)!;
      if (s.status !== 'active') {
        // Replies that waited for a start that never came are dropped now.
        if (s.status === 'awaiting') drops['unknown-instance']! += s.early.length;
        state.delete(group);
        continue;
      }
      const pendingGuestIds = Array.from({ length: groups[group]!.guests }, (_, i) => i + 1).filter((g) => !s.done.has(g)).map((g) => `g${g}`);
      outputs[TOPICS.timedOut]!.push([groupId(group), { eventId: `${groupId(group)}:timed-out`, groupCheckoutId: groupId(group), pendingGuestIds, timedOutAt: wall }]);
      end(group);
    }
  };
  const advance = (ms: number) => {
    wall += ms;
    if (wall < nextPunctuation) return;
    while (nextPunctuation <= wall) nextPunctuation += punctuationIntervalMs;
    punctuate();
  };
  const reply = (op: Reply, ts: number) => {
    const s = state.get(op.group);
    if (!s) {
      if (awaitStartMs === 0) return void drops['unknown-instance']!++;
      return void state.set(op.group, { status: 'awaiting', early: [[op, ts]], forgetAt: wall + awaitStartMs });
    }
    if (s.status === 'awaiting') return void s.early.push([op, ts]);
    if (s.status === 'ended') return void drops['ended-instance']!++;
    const { guests } = groups[op.group]!;
    if (op.guest > guests) return;
    const id = groupId(op.group);
    if (!op.ok) {
      outputs[TOPICS.failed]!.push([id, { eventId: `${id}:failed`, groupCheckoutId: id, failedGuestId: `g${op.guest}`, reason: 'card declined', failedAt: ts }]);
      return end(op.group);
    }
    s.done.add(op.guest);
    if (s.done.size === guests) {
      outputs[TOPICS.completed]!.push([id, { eventId: `${id}:completed`, groupCheckoutId: id, orderIds: Array.from({ length: guests }, (_, i) => `${id}-o${i + 1}`), completedAt: ts }]);
      end(op.group);
    }
  };
  ops.forEach((op, ts) => {
    if (op.kind === 'advance') return advance(op.ms);
    if (op.kind === 'handoff') return void (nextPunctuation = wall + punctuationIntervalMs);
    if (op.kind === 'reply') return reply(op, ts);
    const s = state.get(op.group);
    if (s && s.status !== 'awaiting') return void drops[s.status === 'active' ? 'duplicate-start' : 'ended-instance']!++;
    state.set(op.group, { status: 'active', done: new Set(), deadline: groups[op.group]!.deadline });
    lifetimes[op.group]!++;
    // The replies that came first, in their order, right after the start.
    for (const [early, at] of s?.early ?? []) reply(early, at);
  });
  advance(FLUSH_MS);
  return { outputs, drops, lifetimes };
}

/** The same scenario through the test driver; a handoff moves the stores into a new driver. */
function actual({ groups, ops, punctuationIntervalMs, retainEndedMs, awaitStartMs }: Scenario): { outputs: Outputs; drops: Drops } {
  const topology = groupCheckoutTopology({ punctuationIntervalMs, retainEndedMs, awaitStartMs }).app.build();
  const outputs: Outputs = { [TOPICS.completed]: [], [TOPICS.failed]: [], [TOPICS.timedOut]: [] };
  const drops: Drops = { 'unknown-instance': 0, 'ended-instance': 0, 'duplicate-start': 0 };
  let wall = 0;
  let driver = new TopologyTestDriver(topology);
  const collect = () => {
    for (const topic of Object.keys(outputs)) outputs[topic]!.push(...driver.outputTopic(topic).readKeyValues().map(([k, v]) => [k as string, v] as [string, unknown]));
    for (const { reason } of driver.droppedRecords()) drops[reason] = (drops[reason] ?? 0) + 1;
  };
  ops.forEach((op, ts) => {
    if (op.kind === 'advance') {
      wall += op.ms;
      return driver.advanceWallClockTime(op.ms);
    }
    if (op.kind === 'handoff') {
      collect();
      driver = handOff(driver, wall);
      return;
    }
    const id = groupId(op.group);
    if (op.kind === 'start') return driver.inputTopic<string, GroupCheckoutStarted>(TOPICS.started).pipe(id, started(id, groups[op.group]!.guests, groups[op.group]!.deadline), ts);
    if (op.ok) driver.inputTopic<string, GuestCheckoutCompleted>(TOPICS.guestCompleted).pipe(id, guestCompleted(id, `g${op.guest}`, ts), ts);
    else driver.inputTopic<string, GuestCheckoutFailed>(TOPICS.guestFailed).pipe(id, guestFailed(id, `g${op.guest}`, ts), ts);
  });
  driver.advanceWallClockTime(FLUSH_MS);
  collect();
  return { outputs, drops };
}

const scenarios = fc
  .record({
    groups: fc.array(fc.record({ guests: fc.integer({ min: 1, max: 3 }), deadline: fc.integer({ min: 0, max: 8_000 }) }), { minLength: 1, maxLength: 5 }),
    punctuationIntervalMs: fc.constantFrom(1, 700, 1_000),
    retainEndedMs: fc.constantFrom(Infinity, 3_000),
    awaitStartMs: fc.constantFrom(0, 2_000),
  })
  .chain(({ groups, punctuationIntervalMs, retainEndedMs, awaitStartMs }): fc.Arbitrary<Scenario> => {
    const group = fc.integer({ min: 0, max: groups.length - 1 });
    const op: fc.Arbitrary<Op> = fc.oneof(
      { weight: 2, arbitrary: group.map((g) => ({ kind: 'start' as const, group: g })) },
      // Guest 4 is a stranger to every group (groups have at most 3 guests).
      { weight: 6, arbitrary: fc.record({ group, guest: fc.integer({ min: 1, max: 4 }), ok: fc.boolean() }).map((r) => ({ kind: 'reply' as const, ...r })) },
      { weight: 2, arbitrary: fc.integer({ min: 0, max: 2_500 }).map((ms) => ({ kind: 'advance' as const, ms })) },
      { weight: 1, arbitrary: fc.constant({ kind: 'handoff' as const }) },
    );
    return fc.array(op, { maxLength: 80, size: 'max' }).map((ops) => ({ groups, ops, punctuationIntervalMs, retainEndedMs, awaitStartMs }));
  });

describe('processManager: group checkout against a naive model', () => {
  it('emits what the model emits, drops what it drops, and one terminal event per group lifetime, under any interleaving, timing and handoff, replies before the start waiting for it or not', () => {
    fc.assert(
      fc.property(scenarios, (scenario) => {
        const expected = model(scenario);
        const got = actual(scenario);
        assert.deepEqual(got.outputs, expected.outputs);
        assert.deepEqual(got.drops, expected.drops);
        const terminals = scenario.groups.map((_, g) => Object.values(got.outputs).flat().filter(([key]) => key === groupId(g)).length);
        assert.deepEqual(terminals, expected.lifetimes);
        if (scenario.retainEndedMs === Infinity) assert.ok(terminals.every((n) => n <= 1), 'a group remembered for good ends once');
      }),
      { numRuns: 300 },
    );
  });
});
