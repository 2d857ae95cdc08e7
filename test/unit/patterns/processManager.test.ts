import assert from 'node:assert/strict';
import { processManager, type ProcessInstance } from '../../../processors/patterns/processManager/index.ts';
import { TopologyTestDriver } from '../../../runtime/topologyTestDriver.ts';
import type { GroupCheckoutStarted, GuestCheckoutCompleted, GuestCheckoutFailed } from '../../../schemas/generated/types.ts';
import { testTopology } from '../processors/stringTopology.ts';
import { groupCheckout, groupCheckoutTopology, guestCompleted, guestFailed, handOff, started, TOPICS, type GroupCheckoutState } from './processManagerGroupCheckout.ts';

/** A group checkout driver with handles on every topic; the wall clock starts at 0. */
function run(options: Parameters<typeof groupCheckoutTopology>[0] = {}) {
  const { app, checkout } = groupCheckoutTopology(options);
  const driver = new TopologyTestDriver(app);
  return { driver, checkout, ...handles(driver) };
}

function handles(driver: TopologyTestDriver) {
  return {
    start: driver.inputTopic<string, GroupCheckoutStarted>(TOPICS.started),
    completedGuest: driver.inputTopic<string, GuestCheckoutCompleted>(TOPICS.guestCompleted),
    failedGuest: driver.inputTopic<string, GuestCheckoutFailed>(TOPICS.guestFailed),
    /** Every output since the last call, as `[topic, key, value]`, topics in a fixed order. */
    outputs: () => [TOPICS.completed, TOPICS.failed, TOPICS.timedOut].flatMap((topic) => driver.outputTopic(topic).readRecords().map((r) => [topic, r.key, r.value, r.timestamp] as const)),
    drops: (reason: string) => driver.droppedRecords().filter((d) => d.reason === reason && d.node === 'group-checkout').length,
  };
}

describe('processManager: group checkout', () => {
  it('completes the group once every guest completed, in any order, with the last reply\'s timestamp', () => {
    const { driver, checkout, start, completedGuest, outputs } = run();
    start.pipe('grp', started('grp', 3, 60_000), 1);
    completedGuest.pipe('grp', guestCompleted('grp', 'g3', 30), 30);
    completedGuest.pipe('grp', guestCompleted('grp', 'g1', 40), 40);
    assert.deepEqual(outputs(), []);
    completedGuest.pipe('grp', guestCompleted('grp', 'g2', 50), 50);
    assert.deepEqual(outputs(), [
      [TOPICS.completed, 'grp', { eventId: 'grp:completed', groupCheckoutId: 'grp', orderIds: ['grp-o1', 'grp-o2', 'grp-o3'], completedAt: 50 }, 50],
    ]);
    const instance = driver.keyValueStore<string, ProcessInstance<GroupCheckoutState>>(checkout.instanceStore).get('grp');
    assert.equal(instance?.status, 'ended');
    driver.advanceWallClockTime(120_000);
    assert.deepEqual(outputs(), [], 'a completed group never times out');
  });

  it('fails the group on the first failure, exactly once; later replies are ignored and counted', () => {
    const { driver, start, completedGuest, failedGuest, outputs, drops } = run();
    start.pipe('grp', started('grp', 3, 60_000), 1);
    completedGuest.pipe('grp', guestCompleted('grp', 'g1', 10), 10);
    failedGuest.pipe('grp', guestFailed('grp', 'g2', 20, 'out of stock'), 20);
    failedGuest.pipe('grp', guestFailed('grp', 'g3', 30), 30);
    completedGuest.pipe('grp', guestCompleted('grp', 'g3', 40), 40);
    driver.advanceWallClockTime(120_000);
    assert.deepEqual(outputs(), [
      [TOPICS.failed, 'grp', { eventId: 'grp:failed', groupCheckoutId: 'grp', failedGuestId: 'g2', reason: 'out of stock', failedAt: 20 }, 20],
    ]);
    assert.equal(drops('ended-instance'), 2);
  });

  it('times out at the first wall-clock punctuation at or after the deadline, naming the guests still pending', () => {
    const { driver, start, completedGuest, outputs, drops } = run({ punctuationIntervalMs: 1_000 });
    start.pipe('grp', started('grp', 3, 10_500), 1);
    completedGuest.pipe('grp', guestCompleted('grp', 'g2', 5), 5);
    driver.advanceWallClockTime(10_000);
    assert.deepEqual(outputs(), [], 'the deadline has not passed at 10 000');
    driver.advanceWallClockTime(1_000);
    assert.deepEqual(outputs(), [
      [TOPICS.timedOut, 'grp', { eventId: 'grp:timed-out', groupCheckoutId: 'grp', pendingGuestIds: ['g1', 'g3'], timedOutAt: 11_000 }, 11_000],
    ]);
    completedGuest.pipe('grp', guestCompleted('grp', 'g1', 12), 12);
    driver.advanceWallClockTime(60_000);
    assert.deepEqual(outputs(), []);
    assert.equal(drops('ended-instance'), 1);
  });

  it('counts a guest that replies twice once', () => {
    const { start, completedGuest, outputs } = run();
    start.pipe('grp', started('grp', 2, 60_000), 1);
    completedGuest.pipe('grp', guestCompleted('grp', 'g1', 10), 10);
    completedGuest.pipe('grp', guestCompleted('grp', 'g1', 11), 11);
    assert.deepEqual(outputs(), [], 'g2 has not replied');
    completedGuest.pipe('grp', guestCompleted('grp', 'g2', 12), 12);
    assert.deepEqual(outputs().map(([topic, , value]) => [topic, value]), [[TOPICS.completed, { eventId: 'grp:completed', groupCheckoutId: 'grp', orderIds: ['grp-o1', 'grp-o2'], completedAt: 12 }]]);
  });

  it('ignores and counts replies for groups never started, and a second start of a running group', () => {
    const { driver, start, completedGuest, failedGuest, outputs, drops } = run();
    completedGuest.pipe('nobody', guestCompleted('nobody', 'g1', 1), 1);
    failedGuest.pipe('nobody', guestFailed('nobody', 'g1', 2), 2);
    start.pipe('grp', started('grp', 1, 60_000), 3);
    start.pipe('grp', started('grp', 1, 90_000), 4);
    driver.advanceWallClockTime(60_000);
    assert.equal(drops('unknown-instance'), 2);
    assert.equal(drops('duplicate-start'), 1);
    assert.deepEqual(outputs().map(([topic, key, value]) => [topic, key, value]), [
      [TOPICS.timedOut, 'grp', { eventId: 'grp:timed-out', groupCheckoutId: 'grp', pendingGuestIds: ['g1'], timedOutAt: 60_000 }],
    ], 'the first start\'s deadline holds');
  });

  it('with awaitStartMs, keeps replies read before their group\'s start and handles them right after it, in the order they came; past the wait they count as unknown', () => {
    const { driver, checkout, start, completedGuest, failedGuest, outputs, drops } = run({ awaitStartMs: 5_000 });
    completedGuest.pipe('grp', guestCompleted('grp', 'g2', 10), 10);
    completedGuest.pipe('grp', guestCompleted('grp', 'g1', 20), 20);
    assert.equal(driver.keyValueStore<string, ProcessInstance<GroupCheckoutState>>(checkout.instanceStore).get('grp')?.status, 'awaiting-start');
    driver.advanceWallClockTime(4_000);
    assert.deepEqual(outputs(), []);
    start.pipe('grp', started('grp', 2, 60_000), 30);
    assert.deepEqual(outputs(), [
      [TOPICS.completed, 'grp', { eventId: 'grp:completed', groupCheckoutId: 'grp', orderIds: ['grp-o1', 'grp-o2'], completedAt: 20 }, 30],
    ], 'the group completes at its start, with the replies it waited with');
    driver.advanceWallClockTime(120_000);
    assert.deepEqual(outputs(), [], 'the wait ended with the start: no timeout, no forgetting of the running group');

    failedGuest.pipe('other', guestFailed('other', 'g1', 40), 40);
    failedGuest.pipe('other', guestFailed('other', 'g2', 41), 41);
    driver.advanceWallClockTime(5_000);
    assert.equal(drops('unknown-instance'), 2, 'both replies waited in vain');
    start.pipe('other', started('other', 2, 200_000), 50);
    driver.advanceWallClockTime(100_000);
    assert.deepEqual(outputs(), [
      [TOPICS.timedOut, 'other', { eventId: 'other:timed-out', groupCheckoutId: 'other', pendingGuestIds: ['g1', 'g2'], timedOutAt: 229_000 }, 229_000],
    ], 'a start after the wait starts afresh');
  });

  it('forgets an ended group after retainEndedMs: its late replies then count as unknown', () => {
    const { driver, checkout, start, failedGuest, drops } = run({ retainEndedMs: 5_000 });
    start.pipe('grp', started('grp', 2, 60_000), 1);
    failedGuest.pipe('grp', guestFailed('grp', 'g1', 2), 2);
    driver.advanceWallClockTime(4_000);
    failedGuest.pipe('grp', guestFailed('grp', 'g2', 3), 3);
    driver.advanceWallClockTime(1_000);
    failedGuest.pipe('grp', guestFailed('grp', 'g2', 4), 4);
    assert.equal(drops('ended-instance'), 1);
    assert.equal(drops('unknown-instance'), 1);
    assert.deepEqual(driver.keyValueStore(checkout.instanceStore).all(), []);
    assert.deepEqual(driver.windowStore(checkout.deadlineStore).fetchAll(-Infinity, Infinity), []);
  });

  it('refuses, when declared, a punctuation interval that could not run, a negative retention and an endless wait for a start', () => {
    assert.throws(() => groupCheckoutTopology({ punctuationIntervalMs: 0 }), /punctuationIntervalMs must be positive, got 0/);
    assert.throws(() => groupCheckoutTopology({ retainEndedMs: -1 }), /retainEndedMs must be ≥ 0/);
    assert.throws(() => groupCheckoutTopology({ awaitStartMs: Infinity }), /awaitStartMs must be a finite number ≥ 0, got Infinity/);
  });

  it('repartitions an input whose keys may have changed, and refuses one of another topology', () => {
    const app = testTopology('rekeyed');
    const byGroup = (_key: string, reply: { groupCheckoutId: string }) => reply.groupCheckoutId;
    const checkout = processManager(app, groupCheckout, {
      name: 'gc',
      start: app.stream<string, GroupCheckoutStarted>(TOPICS.started),
      events: { completed: app.stream<string, GuestCheckoutCompleted>(TOPICS.guestCompleted).selectKey(byGroup), failed: app.stream<string, GuestCheckoutFailed>(TOPICS.guestFailed) },
    });
    checkout.output('completed').to(TOPICS.completed);
    const driver = new TopologyTestDriver(app);
    assert.deepEqual(driver.topology.internalTopics.map((t) => t.name), ['rekeyed-gc-completed-repartition']);
    driver.inputTopic<string, GroupCheckoutStarted>(TOPICS.started).pipe('grp', started('grp', 1, 60_000), 1);
    driver.inputTopic<string, GuestCheckoutCompleted>(TOPICS.guestCompleted).pipe('keyed-by-guest', guestCompleted('grp', 'g1', 2), 2);
    assert.deepEqual(driver.outputTopic(TOPICS.completed).readKeyValues().map(([key]) => key), ['grp']);

    const other = testTopology('other');
    assert.throws(
      () => processManager(app, groupCheckout, { name: 'gc2', start: other.stream<string, GroupCheckoutStarted>('elsewhere'), events: { completed: app.stream('c2'), failed: app.stream('f2') } }),
      /its start input belongs to topology 'other', not 'rekeyed'/,
    );
  });

  it('continues after a handoff with only what its stores held: same outputs as without one', () => {
    const script = (d: TopologyTestDriver, part: 1 | 2) => {
      const { start, completedGuest, failedGuest } = handles(d);
      if (part === 1) {
        start.pipe('a', started('a', 2, 30_000), 1);
        start.pipe('b', started('b', 2, 30_000), 2);
        start.pipe('c', started('c', 2, 8_000), 3);
        completedGuest.pipe('a', guestCompleted('a', 'g1', 4), 4);
        failedGuest.pipe('b', guestFailed('b', 'g2', 5), 5);
      } else {
        completedGuest.pipe('a', guestCompleted('a', 'g1', 6), 6);
        completedGuest.pipe('a', guestCompleted('a', 'g2', 7), 7);
        completedGuest.pipe('b', guestCompleted('b', 'g1', 8), 8);
        d.advanceWallClockTime(10_000);
      }
    };
    const uninterrupted = run();
    script(uninterrupted.driver, 1);
    script(uninterrupted.driver, 2);

    const before = run();
    script(before.driver, 1);
    const firstOutputs = before.outputs();
    const after = handOff(before.driver, 0);
    script(after, 2);
    const expected = uninterrupted.outputs();
    assert.deepEqual(expected.map(([topic, key]) => [topic, key]), [[TOPICS.completed, 'a'], [TOPICS.failed, 'b'], [TOPICS.timedOut, 'c']]);
    const sorted = (outputs: ReadonlyArray<readonly unknown[]>) => outputs.map((o) => JSON.stringify(o)).sort();
    assert.deepEqual(sorted([...firstOutputs, ...handles(after).outputs()]), sorted(expected));
    assert.equal(handles(after).drops('ended-instance'), 1);
  });
});
