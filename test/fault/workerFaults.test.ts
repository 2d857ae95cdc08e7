import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { firstOfEachId, SumScenario, sumsByKey } from './sumScenario.ts';

/** Waits until every worker has logged an assignment after `from` lines. */
async function allAssigned(scenario: SumScenario): Promise<void> {
  await Promise.all(scenario.workers.map((w) => w.waitForLog(/"msg":"assigned"/)));
}

function assertStateExact(scenario: SumScenario, state: Map<string, number>): void {
  const expected = new Map([...scenario.expectedSums()].map(([key, sums]) => [key, sums.at(-1)!]));
  assert.deepEqual(new Map([...state].sort()), new Map([...expected].sort()));
}

describe('workers on the real stack, under faults', function () {
  this.timeout(240_000);

  describe('exactly_once: three workers, one SIGKILLed mid-stream and restarted', () => {
    const scenario = new SumScenario('exactly_once');
    before(() => scenario.setup());
    after(() => scenario.teardown());

    it('commits each running sum exactly once, and the state equals the reference fold', async () => {
      scenario.worker();
      scenario.worker();
      scenario.worker();
      await allAssigned(scenario);
      await scenario.produce(1500);
      await sleep(1500);
      await scenario.workers[1]!.kill();
      await scenario.produce(1500);
      scenario.worker();
      await scenario.produce(1000);

      const outputs = await scenario.readOutputs((o) => o.length >= scenario.total);
      assert.equal(outputs.length, scenario.total, 'one committed output per input, no more');
      assert.deepEqual(new Map([...sumsByKey(outputs)].sort()), new Map([...scenario.expectedSums()].sort()));
      assertStateExact(scenario, await scenario.stateSums());
    });
  });

  describe('at_least_once: three workers, one SIGKILLed mid-stream and restarted', () => {
    const scenario = new SumScenario('at_least_once');
    before(() => scenario.setup());
    after(() => scenario.teardown());

    it('keeps the state exact, and every duplicate output shares its id with the original', async () => {
      scenario.worker();
      scenario.worker();
      scenario.worker();
      await allAssigned(scenario);
      await scenario.produce(1500);
      await sleep(1500);
      await scenario.workers[0]!.kill();
      await scenario.produce(1500);
      scenario.worker();
      await scenario.produce(1000);

      const outputs = await scenario.readOutputs((o) => new Set(o.map((x) => x.id)).size >= scenario.total);
      const unique = firstOfEachId(outputs);
      assert.equal(unique.length, scenario.total);
      assert.deepEqual(new Map([...sumsByKey(unique)].sort()), new Map([...scenario.expectedSums()].sort()));
      assertStateExact(scenario, await scenario.stateSums());
    });
  });
});
