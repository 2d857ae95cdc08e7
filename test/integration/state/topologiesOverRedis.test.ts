import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { TopologyBuilder } from '../../../processors/topologyBuilder.ts';
import { JoinWindows } from '../../../processors/windows/joinWindows.ts';
import { SessionWindows } from '../../../processors/windows/sessionWindows.ts';
import { SlidingWindows } from '../../../processors/windows/slidingWindows.ts';
import { TimeWindows } from '../../../processors/windows/timeWindows.ts';
import { TopologyTestDriver } from '../../../runtime/topologyTestDriver.ts';
import { testTopology } from '../../unit/processors/stringTopology.ts';
import { RedisTopologyRun, redisForRuns, type RunInput } from './redisTopologyRun.ts';

/** A windowed topology of one subtopology, drawn with its parameters. */
interface Case {
  readonly name: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly topology: fc.Arbitrary<{ readonly describe: string; readonly build: () => TopologyBuilder }>;
}

const pair = (left: unknown, right: unknown) => `${left ?? '-'}+${right ?? '-'}`;

const CASES: readonly Case[] = [
  {
    name: 'a hopping-window count with its suppressed finals (retention from what the windows need to more)',
    inputs: ['in'],
    outputs: ['updates', 'finals'],
    topology: fc.record({ size: fc.integer({ min: 1, max: 40 }), hops: fc.integer({ min: 1, max: 3 }), grace: fc.integer({ min: 0, max: 20 }), extra: fc.integer({ min: 0, max: 30 }) }).map(({ size, hops, grace, extra }) => ({
      describe: `size ${size}, advance ${Math.max(1, Math.floor(size / hops))}, grace ${grace}, retention +${extra}`,
      build: () => {
        const t = testTopology();
        const windows = TimeWindows.ofSizeAndGrace(size, grace).advanceBy(Math.max(1, Math.floor(size / hops)));
        const counts = t.stream<string, string>('in').groupByKey().windowedBy(windows).count({ store: 'w', retentionMs: size + grace + extra });
        counts.toStream().to('updates');
        counts.suppressUntilWindowCloses().toStream().to('finals');
        return t;
      },
    })),
  },
  {
    name: 'a session count with its suppressed finals',
    inputs: ['in'],
    outputs: ['updates', 'finals'],
    topology: fc.record({ gap: fc.integer({ min: 1, max: 20 }), grace: fc.integer({ min: 0, max: 20 }) }).map(({ gap, grace }) => ({
      describe: `gap ${gap}, grace ${grace}`,
      build: () => {
        const t = testTopology();
        const counts = t.stream<string, string>('in').groupByKey().windowedBy(SessionWindows.ofInactivityGapAndGrace(gap, grace)).count({ store: 's' });
        counts.toStream().to('updates');
        counts.suppressUntilWindowCloses().toStream().to('finals');
        return t;
      },
    })),
  },
  {
    name: 'a sliding-window count with its suppressed finals',
    inputs: ['in'],
    outputs: ['updates', 'finals'],
    topology: fc.record({ difference: fc.integer({ min: 1, max: 20 }), grace: fc.integer({ min: 0, max: 20 }) }).map(({ difference, grace }) => ({
      describe: `difference ${difference}, grace ${grace}`,
      build: () => {
        const t = testTopology();
        const counts = t.stream<string, string>('in').groupByKey().windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(difference, grace)).count({ store: 'w' });
        counts.toStream().to('updates');
        counts.suppressUntilWindowCloses().toStream().to('finals');
        return t;
      },
    })),
  },
  {
    name: 'a count and a reduce per key, and a stream-table join against a table of another topic',
    inputs: ['in', 'table'],
    outputs: ['counts', 'longest', 'joined'],
    topology: fc.constant({
      describe: 'key-value stores',
      build: () => {
        const t = testTopology();
        const stream = t.stream<string, string>('in');
        const table = t.table<string, string>('table');
        stream.groupByKey().count({ store: 'counts' }).toStream().to('counts');
        stream.groupByKey().reduce((a, b) => (b.length >= a.length ? b : a), { store: 'longest' }).toStream().to('longest');
        stream.leftJoin(table, pair).to('joined');
        return t;
      },
    }),
  },
  {
    name: 'an inner and an outer stream-stream join of the same two streams',
    inputs: ['left', 'right'],
    outputs: ['inner', 'outer'],
    topology: fc.record({ difference: fc.integer({ min: 0, max: 20 }), grace: fc.integer({ min: 0, max: 20 }) }).map(({ difference, grace }) => ({
      describe: `difference ${difference}, grace ${grace}`,
      build: () => {
        const t = testTopology();
        const left = t.stream<string, string>('left');
        const right = t.stream<string, string>('right');
        const windows = JoinWindows.ofTimeDifferenceAndGrace(difference, grace);
        left.join(right, pair, windows, { name: 'inner' }).to('inner');
        left.outerJoin(right, pair, windows, { name: 'outer' }).to('outer');
        return t;
      },
    })),
  },
];

/** Records whose time mostly grows, with some late ones: cumulative steps from −15 to +25. */
function inputsOf(inputs: readonly string[]): fc.Arbitrary<RunInput[]> {
  const step = fc.record({ input: fc.integer({ min: 0, max: inputs.length - 1 }), key: fc.constantFrom('a', 'b', 'c', 'd'), delta: fc.integer({ min: -15, max: 25 }) });
  return fc.array(step, { maxLength: 60 }).map((steps) => {
    let time = 0;
    return steps.map(({ input, key, delta }, i) => {
      time = Math.max(0, time + delta);
      return { topic: inputs[input]!, key, value: `${key}${i}`, timestamp: time };
    });
  });
}

const unitPlans = fc.array(fc.record({ size: fc.integer({ min: 1, max: 10 }), reclaim: fc.boolean(), prefetch: fc.boolean() }), { minLength: 1, maxLength: 20 });

const shown = (r: { key: unknown; value: unknown; timestamp: number }) => `${JSON.stringify(r.key)} → ${JSON.stringify(r.value)} @${r.timestamp}`;

/**
 * Stateful operators over the Redis state a worker uses give what they give over the test
 * driver's in-memory stores, record for record, whatever the unit boundaries, reclaims by a new
 * owner with an empty cache, keys loaded up front or on a miss, whole-store reads or key reads,
 * and a cache budget small enough to be emptied between units. The in-memory side is checked
 * against Kafka Streams' semantics by the model tests in test/unit/processors.
 */
describe('topologies over RedisTaskState against the test driver', function () {
  this.timeout(180_000);
  const runs = redisForRuns('ref');

  for (const c of CASES) {
    it(`${c.name}: every output and every drop as in the test driver`, async () => {
      await fc.assert(
        fc.asyncProperty(
          c.topology,
          inputsOf(c.inputs),
          unitPlans,
          fc.constantFrom(0, 3, 10_000),
          fc.constantFrom(2, 20, 200_000),
          async (topology, inputs, plans, wholeReadMaxEntries, cacheEntries) => {
            const driver = new TopologyTestDriver(topology.build());
            for (const r of inputs) driver.pipe(r.topic, { key: r.key, value: r.value, timestamp: r.timestamp, headers: {} });

            const run = new RedisTopologyRun(runs.redis, topology.build().build(), { app: runs.nextApp(), wholeReadMaxEntries, cacheEntries });
            await run.runAll(inputs, plans);

            for (const topic of c.outputs) {
              const expected = driver.outputTopic(topic).readRecords().map(shown);
              const actual = run.outputs.filter((r) => r.topic === topic).map(shown);
              assert.deepEqual(actual, expected, `${topic} (${topology.describe})`);
            }
            assert.deepEqual(run.drops, driver.droppedRecords().map((d) => `${d.node}:${d.reason}`), `drops (${topology.describe})`);
          },
        ),
        { numRuns: Number(process.env.REF_RUNS ?? 40) },
      );
    });
  }
});
