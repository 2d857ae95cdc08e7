import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Windowed } from '../../../processors/record.ts';
import { SlidingWindows } from '../../../processors/windows/slidingWindows.ts';
import { TopologyTestDriver } from '../../../runtime/topologyTestDriver.ts';
import { testTopology } from './stringTopology.ts';

interface Event {
  readonly key: string;
  readonly ts: number;
}

/**
 * The naive model of Kafka Streams' sliding windows, from their definition rather than the
 * algorithm: per key, each record at `t` defines its left window `[t - d, t]` (`[0, d]` if
 * `t < d`) and, when a later record falls in it, its right window `[t + 1, t + 1 + d]`.
 * A window holds every record whose timestamp is in it, bounds inclusive.
 */
function modelWindows(events: readonly Event[], d: number): Map<string, { count: number; ts: number }> {
  const windows = new Map<string, { count: number; ts: number }>();
  const keys = new Set(events.map((e) => e.key));
  for (const key of keys) {
    const times = events.filter((e) => e.key === key).map((e) => e.ts);
    const starts = new Set<number>();
    for (const t of times) {
      starts.add(Math.max(0, t - d));
      if (times.some((u) => u > t && u <= t + 1 + d)) starts.add(t + 1);
    }
    for (const start of starts) {
      const inside = times.filter((u) => u >= start && u <= start + d);
      windows.set(`${key}@${start}`, { count: inside.length, ts: Math.max(...inside) });
    }
  }
  return windows;
}

describe('sliding windowed count against a reference model', () => {
  it('every update counts exactly the records so far in its window, and the final windows are the model’s', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ key: fc.constantFrom('a', 'b'), ts: fc.integer({ min: 0, max: 60 }) }), { maxLength: 40 }),
        fc.integer({ min: 0, max: 15 }),
        (events, d) => {
          // Grace covers every delay, so no record is late and the store hides nothing.
          const t = testTopology();
          const counts = t.stream<string, string>('in').groupByKey().windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(d, 1_000)).count({ store: 'w' });
          counts.toStream().to('updates');
          counts.suppressUntilWindowCloses().toStream().to('finals');
          const driver = new TopologyTestDriver(t);
          const input = driver.inputTopic<string, string>('in');
          const seen: Event[] = [];
          for (const e of events) {
            input.pipe(e.key, 'x', e.ts);
            seen.push(e);
            for (const r of driver.outputTopic<Windowed<string>, number>('updates').readRecords()) {
              const { start, end } = r.key.window;
              assert.equal(end - start, d);
              const inside = seen.filter((s) => s.key === r.key.key && s.ts >= start && s.ts <= end);
              assert.equal(r.value, inside.length, `update of ${r.key.key}@[${start},${end}] after ${JSON.stringify(seen)}`);
              assert.equal(r.timestamp, Math.max(...inside.map((s) => s.ts)));
            }
          }
          const model = modelWindows(events, d);
          const stored = new Map(
            driver
              .windowStore<string, { value: number; timestamp: number }>('w')
              .fetchAll(0, Number.MAX_SAFE_INTEGER)
              .map(([key, start, v]) => [`${key}@${start}`, { count: v.value, ts: v.timestamp }]),
          );
          assert.deepEqual(stored, model);
          input.pipe('flush', 'x', 10_000);
          const finals = driver
            .outputTopic<Windowed<string>, number>('finals')
            .readRecords()
            .filter((r) => r.key.key !== 'flush')
            .map((r) => [`${r.key.key}@${r.key.window.start}`, { count: r.value, ts: r.timestamp }] as const);
          assert.equal(new Set(finals.map(([id]) => id)).size, finals.length, 'one final result per window');
          assert.deepEqual(new Map(finals), model);
          assert.deepEqual(driver.droppedRecords(), []);
        },
      ),
      { numRuns: 300 },
    );
  });
});
