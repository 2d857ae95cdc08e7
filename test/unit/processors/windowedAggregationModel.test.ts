import assert from 'node:assert/strict';
import fc from 'fast-check';
import { TopologyTestDriver } from '../../../runtime/topologyTestDriver.ts';
import type { Windowed } from '../../../processors/record.ts';
import { TimeWindows } from '../../../processors/windows/timeWindows.ts';
import { testTopology } from './stringTopology.ts';

interface Event {
  readonly key: string;
  readonly ts: number;
}

/** The naive model: Kafka Streams' windowed count, written as plainly as possible. */
function modelCount(events: readonly Event[], size: number, advance: number, grace: number) {
  const updates: string[] = [];
  const finals = new Map<string, string>();
  const counts = new Map<string, { count: number; ts: number }>();
  let observed = -1;
  let late = 0;
  for (const { key, ts } of events) {
    observed = Math.max(observed, ts);
    for (let start = 0; start <= ts; start += advance) {
      if (ts >= start + size) continue;
      if (start + size <= observed - grace) {
        late++;
        continue;
      }
      const id = `${key}@${start}`;
      const prev = counts.get(id);
      const next = { count: (prev?.count ?? 0) + 1, ts: Math.max(prev?.ts ?? ts, ts) };
      counts.set(id, next);
      updates.push(`${id}=${next.count}/${next.ts}`);
    }
    for (const [id, { count, ts: t }] of counts) {
      const start = Number(id.split('@')[1]);
      if (start + size <= observed - grace && !finals.has(id)) finals.set(id, `${id}=${count}/${t}`);
    }
  }
  return { updates, finals: [...finals.values()].sort(), late };
}

describe('windowed count against a reference model', () => {
  it('equals the naive model for random events, window sizes, hops and grace', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ key: fc.constantFrom('a', 'b', 'c'), ts: fc.integer({ min: 0, max: 200 }) }), { maxLength: 60 }),
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 0, max: 20 }),
        (events, size, hops, grace) => {
          const advance = Math.max(1, Math.floor(size / hops));
          const t = testTopology();
          const counted = t.stream<string, string>('in').groupByKey().windowedBy(TimeWindows.ofSizeAndGrace(size, grace).advanceBy(advance)).count();
          counted.toStream().to('updates');
          counted.suppressUntilWindowCloses().toStream().to('finals');
          const driver = new TopologyTestDriver(t);
          const input = driver.inputTopic<string, string>('in');
          for (const e of events) input.pipe(e.key, 'x', e.ts);
          const show = (r: { key: Windowed<string>; value: number; timestamp: number }) => `${r.key.key}@${r.key.window.start}=${r.value}/${r.timestamp}`;
          const expected = modelCount(events, size, advance, grace);
          assert.deepEqual(driver.outputTopic<Windowed<string>, number>('updates').readRecords().map(show), expected.updates);
          assert.deepEqual(driver.outputTopic<Windowed<string>, number>('finals').readRecords().map(show).sort(), expected.finals);
          assert.equal(driver.droppedRecords().filter((d) => d.reason === 'late').length, expected.late);
        },
      ),
      { numRuns: 300 },
    );
  });
});
