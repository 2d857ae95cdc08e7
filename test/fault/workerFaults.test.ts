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

function sorted<V>(map: Map<string, V>): Map<string, V> {
  return new Map([...map].sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** exactly_once: one committed output per input, the running sums of the reference fold, and the same sums in Redis. */
async function assertExactlyOnce(scenario: SumScenario): Promise<SumOutput[]> {
  const outputs = await scenario.readOutputs((o) => o.length >= scenario.total);
  assert.equal(outputs.length, scenario.total, 'one committed output per input, no more');
  assert.deepEqual(sorted(sumsByKey(outputs)), sorted(scenario.expectedSums()));
  await assertStateExact(scenario);
  return outputs;
}

async function assertStateExact(scenario: SumScenario): Promise<void> {
  const expected = new Map([...scenario.expectedSums()].map(([key, sums]) => [key, sums.at(-1)!]));
  assert.deepEqual(sorted(await scenario.stateSums()), sorted(expected));
}

describe('workers on the real stack, under faults', function () {
  this.timeout(240_000);
  let scenario: SumScenario;
  afterEach(() => scenario.teardown());

  it('exactly_once: a worker SIGKILLed mid-stream and restarted loses nothing and commits nothing twice', async () => {
    scenario = new SumScenario('exactly_once', 40, BUSY);
    await scenario.setup();
    const workers = [scenario.worker(), scenario.worker(), scenario.worker()];
    await assignedTimes(workers);
    await scenario.produce(2000);
    await sleep(500);
    await workers[1]!.kill();
    await scenario.produce(1000);
    scenario.worker();
    await scenario.produce(1000);
    await assertExactlyOnce(scenario);
  });

  it('at_least_once: after a SIGKILL the state is still exact, and every duplicate output shares its id with the original', async () => {
    scenario = new SumScenario('at_least_once', 40, BUSY);
    await scenario.setup();
    const workers = [scenario.worker(), scenario.worker(), scenario.worker()];
    await assignedTimes(workers);
    await scenario.produce(2000);
    await sleep(500);
    await workers[0]!.kill();
    await scenario.produce(1000);
    scenario.worker();
    await scenario.produce(1000);

    const outputs = await scenario.readOutputs((o) => new Set(o.map((x) => x.id)).size >= scenario.total);
    const unique = firstOfEachId(outputs);
    assert.equal(unique.length, scenario.total);
    assert.deepEqual(sorted(sumsByKey(unique)), sorted(scenario.expectedSums()));
    await assertStateExact(scenario);
  });

  for (const guarantee of ['exactly_once', 'at_least_once'] as const) {
    it(`${guarantee}: a worker that dies between its state commit and its send is finished by the next owner`, async () => {
      scenario = new SumScenario(guarantee, 40, BUSY);
      await scenario.setup();
      const doomed = scenario.worker({ TRIBUTARY_TEST_CRASH_AFTER_COMMITS: '3' });
      const workers = [doomed, scenario.worker()];
      await assignedTimes(workers);
      await scenario.produce(2000);
      assert.equal(await doomed.exited(), null, 'it killed itself');
      await scenario.produce(1000);
      scenario.worker();
      await scenario.produce(1000);
      if (guarantee === 'exactly_once') {
        await assertExactlyOnce(scenario);
      } else {
        const outputs = await scenario.readOutputs((o) => new Set(o.map((x) => x.id)).size >= scenario.total);
        assert.deepEqual(sorted(sumsByKey(firstOfEachId(outputs))), sorted(scenario.expectedSums()));
        await assertStateExact(scenario);
      }
    });
  }

  it('a worker frozen until its tasks move (a zombie) lands none of its writes when it wakes', async () => {
    scenario = new SumScenario('exactly_once', 40, BUSY);
    await scenario.setup();
    const workers = [scenario.worker(), scenario.worker(), scenario.worker()];
    await assignedTimes(workers);
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
    assert.ok(zombie.running, 'the zombie survives being fenced');
  });

  describe('with the local stack restarted under it', function () {
    const stack = new LocalStack(loadStackConfig(), { logger: createLogger('silent') });

    before(async function () {
      const statuses = await stack.status(['kafka', 'redis']);
      if (!statuses.every((s) => s.state === 'up')) this.skip(); // only a stack we started can be restarted
    });

    after(() => stack.up());

    it('recovers by itself when Redis restarts mid-stream, and the results are exact', async () => {
      scenario = new SumScenario('exactly_once', 40, BUSY);
      await scenario.setup();
      await assignedTimes([scenario.worker(), scenario.worker()]);
      await scenario.produce(2000);
      await sleep(500);
      await stack.restart('redis');
      await scenario.produce(1000);
      await assertExactlyOnce(scenario);
    });

    it('recovers by itself when the broker restarts mid-stream, and the results are exact', async () => {
      scenario = new SumScenario('exactly_once', 40, BUSY);
      await scenario.setup();
      await assignedTimes([scenario.worker(), scenario.worker()]);
      await scenario.produce(2000);
      await sleep(500);
      await stack.restart('kafka');
      await scenario.produce(1000);
      await assertExactlyOnce(scenario);
    });
  });

  it('scales out 1 → 3 → 1 workers during a run with exact results, draining on SIGTERM with exit 0', async () => {
    scenario = new SumScenario('exactly_once', 40, BUSY);
    await scenario.setup();
    const first = scenario.worker();
    await assignedTimes([first]);
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
