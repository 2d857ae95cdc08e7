import assert from 'node:assert/strict';
import fc from 'fast-check';
import { KAFKA_STREAMS_TOPOLOGIES, readCases, shownOutput } from '../../unit/processors/kafkaStreamsBehaviour/kafkaStreamsCases.ts';
import { RedisTopologyRun, redisForRuns } from './redisTopologyRun.ts';

const PLANS_PER_CASE = 2;

/**
 * The cases Kafka Streams 4.1.1 ran (test/unit/processors/kafkaStreamsBehaviour), run again over
 * the Redis state a worker uses: every output must be Kafka Streams', whatever the unit
 * boundaries, reclaims by a new owner with an empty cache, loads up front or on a miss,
 * whole-store or key reads and cache budget (drawn per case). Records a unit writes to a
 * repartition topic are the reading subtopology's next unit. A topology whose outputs depend on
 * that interleaving (a foreign-key join) is run in units of one record, as the driver runs it.
 */
describe('Kafka Streams’ own outputs, from topologies over RedisTaskState', function () {
  this.timeout(300_000);
  const runs = redisForRuns('ks');
  const cases = readCases();
  let seed = 0;

  const plans = fc.record({
    units: fc.array(fc.record({ size: fc.integer({ min: 1, max: 8 }), reclaim: fc.boolean(), prefetch: fc.boolean() }), { minLength: 1, maxLength: 12 }),
    wholeReadMaxEntries: fc.constantFrom(0, 3, 10_000),
    cacheEntries: fc.constantFrom(2, 20, 200_000),
  });

  for (const [kind, topology] of Object.entries(KAFKA_STREAMS_TOPOLOGIES)) {
    it(`${kind}: every output record as Kafka Streams', for each of its cases`, async () => {
      for (const c of cases.filter((c) => c.kind === kind)) {
        for (const drawn of fc.sample(plans, { numRuns: PLANS_PER_CASE, seed: seed++ })) {
          const plan = topology.recordByRecord ? { ...drawn, units: drawn.units.map((u) => ({ ...u, size: 1 })) } : drawn;
          const run = new RedisTopologyRun(runs.redis, topology.build(c.params).build(), { app: runs.nextApp(), ...plan });
          await run.runAll(c.inputs, plan.units);
          for (const topic of topology.outputs) {
            const actual = run.outputs.filter((r) => r.topic === topic).map(shownOutput);
            assert.deepEqual(actual, c.outputs.get(topic) ?? [], `${topic} of ${c.line} with ${JSON.stringify(plan)}`);
          }
        }
      }
    });
  }
});
