import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadStackConfig } from '../../runtime/config.ts';
import { createLogger } from '../../runtime/logger.ts';
import { LocalStack } from '../../runtime/stack/localStack.ts';
import type { WorkerProcess } from '../support/workerProcess.ts';
import { firstOfEachId, SumScenario, sumsByKey, type SumOutput } from './sumScenario.ts';

// 1 ms of work per record: 4000 records keep three workers busy for seconds, so faults land mid-unit.
const BUSY = { SUM_DELAY_MS: '1' };

/** Waits until each worker has logged `count` assignments. */
async function assignedTimes(workers: readonly WorkerProcess[], count = 1): Promise<void> {
  await Promise.all(
    workers.map(async (w) => {
      for (let from = 0, seen = 0; seen < count; seen++) {
        await w.waitForLog(/"msg":"assigned"/, 60_000, from);
        from = w.logs.findIndex((l, i) => i >= from && /"msg":"assigned"/.test(l)) + 1;
      }
    }),
  );
}

/** Three workers; 2000 numbers; worker `victim` SIGKILLed while they are applied; 1000 more; a fresh worker; 1000 more. */
async function killOneOfThreeMidStream(scenario: SumScenario, victim: number): Promise<void> {
  await scenario.setup();
  const workers = [scenario.worker(), scenario.worker(), scenario.worker()];
  await assignedTimes(workers);
  await scenario.factorsApplied();
  await scenario.produce(2000);
  await sleep(500);
  await workers[victim]!.kill();
  await scenario.produce(1000);
  scenario.worker();
  await scenario.produce(1000);
}

function sorted<V>(map: Map<string, V>): Map<string, V> {
  return new Map([...map].sort(([a], [b]) => (a < b ? -1 : 1)));
}

/**
 * exactly_once: one committed output per input on each output topic, the running sums
 * of the reference fold, each number joined with its factor, and the same sums in Redis.
 */
async function assertExactlyOnce(scenario: SumScenario): Promise<void> {
  const sums = await scenario.readOutputs((o) => o.length >= scenario.total);
  assert.equal(sums.length, scenario.total, 'one committed sum per input, no more');
  assert.deepEqual(sorted(sumsByKey(sums)), sorted(scenario.expectedSums()));
  const scaled = await scenario.readOutputs((o) => o.length >= scenario.total, scenario.scaled);
  assert.equal(scaled.length, scenario.total, 'one committed join result per input, no more');
  assert.deepEqual(sorted(sumsByKey(scaled)), sorted(scenario.expectedScaled()));
  await assertStateExact(scenario);
}

/** at_least_once: the same, once duplicates (which must share their id with the original) are dropped. */
async function assertExactAfterDedupe(scenario: SumScenario): Promise<void> {
  const enough = (o: SumOutput[]) => new Set(o.map((x) => x.id)).size >= scenario.total;
  const sums = firstOfEachId(await scenario.readOutputs(enough));
  assert.equal(sums.length, scenario.total);
  assert.deepEqual(sorted(sumsByKey(sums)), sorted(scenario.expectedSums()));
  const scaled = firstOfEachId(await scenario.readOutputs(enough, scenario.scaled));
  assert.deepEqual(sorted(sumsByKey(scaled)), sorted(scenario.expectedScaled()));
  await assertStateExact(scenario);
}

async function assertStateExact(scenario: SumScenario): Promise<void> {
  const expected = new Map([...scenario.expectedSums()].map(([key, sums]) => [key, sums.at(-1)!]));
  assert.deepEqual(sorted(await scenario.stateSums()), sorted(expected));
}

describe('workers on the real stack, under faults', function () {
  this.timeout(240_000);
  let scenario: SumScenario;
  afterEach(() => scenario.teardown());

  it('exactly_once: a worker SIGKILLed mid-stream and restarted loses nothing and commits nothing twice, every closed window’s final count comes once, and a foreign-key join settles on the final sums', async () => {
    scenario = new SumScenario('exactly_once', 40, BUSY, { windows: true, foreignKeyJoin: true });
    await killOneOfThreeMidStream(scenario, 1);
    await assertExactlyOnce(scenario);
    // Tasks moved with windows open (the kill, the new worker): each final still comes once, with the whole count.
    const expected = scenario.expectedWindowFinals();
    const finals = await scenario.readOutputs((o) => o.length >= expected.size, scenario.windows);
    assert.deepEqual(sorted(new Map(finals.map((f) => [f.key, f.sum]))), sorted(expected));
    assert.equal(finals.length, expected.size, 'one final per window, no more');
    // Subscriptions and answers crossed partitions while tasks moved: the join still ends on the final sums.
    await scenario.enrichedSettles();
  });

  it('at_least_once: after a SIGKILL the state is still exact, and every duplicate output shares its id with the original', async () => {
    scenario = new SumScenario('at_least_once', 40, BUSY);
    await killOneOfThreeMidStream(scenario, 0);

    await assertExactAfterDedupe(scenario);
  });

  for (const guarantee of ['exactly_once', 'at_least_once'] as const) {
    it(`${guarantee}: a worker that dies between its state commit and its send is finished by the next owner`, async () => {
      scenario = new SumScenario(guarantee, 40, BUSY);
      await scenario.setup();
      const doomed = scenario.worker({ TRIBUTARY_TEST_CRASH_AFTER_COMMITS: '3' });
      const workers = [doomed, scenario.worker()];
      await assignedTimes(workers);
      await scenario.factorsApplied();
      await scenario.produce(2000);
      assert.equal(await doomed.exited(), null, 'it killed itself');
      await scenario.produce(1000);
      scenario.worker();
      await scenario.produce(1000);
      await (guarantee === 'exactly_once' ? assertExactlyOnce(scenario) : assertExactAfterDedupe(scenario));
    });
  }

  it('a worker frozen until its tasks move (a zombie) lands none of its writes when it wakes', async () => {
    scenario = new SumScenario('exactly_once', 40, BUSY);
    await scenario.setup();
    const workers = [scenario.worker(), scenario.worker(), scenario.worker()];
    await assignedTimes(workers);
    await scenario.factorsApplied();
    await scenario.produce(2000);
    await sleep(300);
    const zombie = workers[0]!;
    zombie.signal('SIGSTOP');
    // The others take its tasks once its session (6 s) expires.
    await assignedTimes(workers.slice(1), 2);
    await scenario.produce(1000);
    zombie.signal('SIGCONT');
    await scenario.produce(1000);
    await assertExactlyOnce(scenario);
    // Frozen mid-unit, its commit on waking is refused by the epoch (or its producer is fenced).
    await zombie.waitForLog(/task fenced by a newer owner/, 30_000);
    assert.ok(zombie.running, 'the zombie survives being fenced');
  });

  describe('with the local stack restarted under it', function () {
    const stack = new LocalStack(loadStackConfig(), { logger: createLogger('silent') });

    before(async function () {
      const statuses = await stack.status(['kafka', 'redis']);
      if (!statuses.every((s) => s.state === 'up')) this.skip(); // only a stack we started can be restarted
    });

    after(() => stack.up());

    for (const [component, what] of [['redis', 'Redis restarts'], ['kafka', 'the broker restarts']] as const) {
      it(`recovers by itself when ${what} mid-stream, and the results are exact`, async () => {
        scenario = new SumScenario('exactly_once', 40, BUSY);
        await scenario.setup();
        await assignedTimes([scenario.worker(), scenario.worker()]);
        await scenario.factorsApplied();
        await scenario.produce(2000);
        await sleep(500);
        await stack.restart(component);
        await scenario.produce(1000);
        await assertExactlyOnce(scenario);
      });
    }
  });

  describe('on a local 3-node Redis Cluster', function () {
    const stack = new LocalStack(loadStackConfig(), { logger: createLogger('silent') });
    let started = false;

    before(async () => {
      const [outcome] = await stack.up(['redis-cluster']);
      started = outcome!.action === 'started';
    });

    after(async () => {
      if (started) await stack.down(['redis-cluster']);
    });

    it('exactly_once: a worker SIGKILLed mid-stream and restarted loses nothing and commits nothing twice', async () => {
      scenario = new SumScenario('exactly_once', 40, { ...BUSY, REDIS_URL: stack.component('redis-cluster').address });
      await killOneOfThreeMidStream(scenario, 2);
      await assertExactlyOnce(scenario);
    });
  });

  it('scales out 1 → 3 → 1 workers during a run with exact results, draining on SIGTERM with exit 0', async () => {
    scenario = new SumScenario('exactly_once', 40, BUSY);
    await scenario.setup();
    const first = scenario.worker();
    await assignedTimes([first]);
    await scenario.factorsApplied();
    await scenario.produce(1500);
    const added = [scenario.worker(), scenario.worker()];
    await assignedTimes(added);
    await scenario.produce(1500);
    await sleep(500);
    assert.deepEqual(await Promise.all(added.map((w) => w.stop())), [0, 0]);
    await scenario.produce(1000);
    await assertExactlyOnce(scenario);
  });
});
