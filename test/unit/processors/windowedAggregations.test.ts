import assert from 'node:assert/strict';
import { TopologyTestDriver } from '../../../runtime/topologyTestDriver.ts';
import { EmitStrategy } from '../../../processors/emitStrategy.ts';
import type { Windowed } from '../../../processors/record.ts';
import { TopologyError } from '../../../processors/topologyError.ts';
import { SessionWindows } from '../../../processors/windows/sessionWindows.ts';
import { SlidingWindows } from '../../../processors/windows/slidingWindows.ts';
import { TimeWindows } from '../../../processors/windows/timeWindows.ts';
import { testTopology } from './stringTopology.ts';

type Row = [string, number, number, number]; // key, window start, count, timestamp

function rows(driver: TopologyTestDriver, topic: string): Row[] {
  return driver
    .outputTopic<Windowed<string>, number>(topic)
    .readRecords()
    .map((r) => [r.key.key, r.key.window.start, r.value, r.timestamp]);
}

describe('windowed aggregations', () => {
  it('tumbling windows are [start, end): a record at the end falls into the next window', () => {
    const t = testTopology();
    t.stream<string, string>('in').groupByKey().windowedBy(TimeWindows.ofSizeWithNoGrace(10)).count().toStream().to('out');
    const driver = new TopologyTestDriver(t);
    const input = driver.inputTopic<string, string>('in');
    input.pipe('a', 'x', 0);
    input.pipe('a', 'x', 9);
    input.pipe('a', 'x', 10);
    assert.deepEqual(rows(driver, 'out'), [['a', 0, 1, 0], ['a', 0, 2, 9], ['a', 10, 1, 10]]);
  });

  it('a record within grace still counts; past end + grace it is dropped as late', () => {
    const t = testTopology();
    t.stream<string, string>('in').groupByKey().windowedBy(TimeWindows.ofSizeAndGrace(10, 5)).count({ name: 'agg' }).toStream().to('out');
    const driver = new TopologyTestDriver(t);
    const input = driver.inputTopic<string, string>('in');
    input.pipe('a', 'x', 3);
    input.pipe('a', 'x', 14); // stream time 14: window [0,10) closes at 15
    input.pipe('a', 'x', 4); // accepted: 10 > 14 - 5
    input.pipe('a', 'x', 15); // stream time 15
    input.pipe('a', 'x', 5); // dropped: 10 <= 15 - 5
    assert.deepEqual(rows(driver, 'out'), [['a', 0, 1, 3], ['a', 10, 1, 14], ['a', 0, 2, 4], ['a', 10, 2, 15]]);
    assert.deepEqual(driver.droppedRecords(), [{ node: 'agg', reason: 'late' }]);
  });

  it('hopping windows count a record in every window that contains it', () => {
    const t = testTopology();
    t.stream<string, string>('in').groupByKey().windowedBy(TimeWindows.ofSizeWithNoGrace(10).advanceBy(5)).count().toStream().to('out');
    const driver = new TopologyTestDriver(t);
    driver.inputTopic<string, string>('in').pipe('a', 'x', 12);
    assert.deepEqual(rows(driver, 'out'), [['a', 5, 1, 12], ['a', 10, 1, 12]]);
  });

  it('emitStrategy(onWindowClose) forwards each closed window once, every key’s, by start then key, and no update', () => {
    const t = testTopology();
    t.stream<string, string>('in')
      .groupByKey()
      .windowedBy(TimeWindows.ofSizeAndGrace(10, 2))
      .emitStrategy(EmitStrategy.onWindowClose())
      .count()
      .toStream()
      .to('out');
    const driver = new TopologyTestDriver(t);
    for (const [key, timestamp] of [['b', 1], ['a', 3], ['a', 11], ['b', 12], ['a', 25]] as const) driver.pipe('in', { key, value: 'x', timestamp, headers: {} });
    // Stream time 12 closes [0, 10); 25 closes [10, 20).
    assert.deepEqual(rows(driver, 'out'), [
      ['a', 0, 1, 3],
      ['b', 0, 1, 1],
      ['a', 10, 1, 11],
      ['b', 10, 1, 12],
    ]);
  });

  it('suppressUntilTimeLimit holds a key’s updates until stream time is the limit past its entry, later updates not resetting it; a negative limit is refused', () => {
    const t = testTopology();
    t.stream<string, string>('in')
      .groupByKey()
      .count()
      .suppressUntilTimeLimit(10)
      .toStream()
      .to('out');
    const driver = new TopologyTestDriver(t);
    for (const [key, timestamp] of [['a', 0], ['a', 8], ['b', 9], ['a', 10], ['b', 19], ['c', 30]] as const) driver.pipe('in', { key, value: 'x', timestamp, headers: {} });
    assert.deepEqual(
      driver.outputTopic<string, number>('out').readRecords().map((r) => [r.key, r.value, r.timestamp]),
      [
        // a entered at 0: at stream time 10 its latest count (3, at 10) leaves; b entered at 9 leaves at 19.
        ['a', 3, 10],
        ['b', 2, 19],
      ],
    );
    assert.throws(() => testTopology().table<string, string>('t').suppressUntilTimeLimit(-1), TopologyError);
  });

  it('suppress(untilWindowCloses) emits exactly one final result per window when it closes', () => {
    const t = testTopology();
    t.stream<string, string>('in')
      .groupByKey()
      .windowedBy(TimeWindows.ofSizeAndGrace(10, 2))
      .count()
      .suppressUntilWindowCloses()
      .toStream()
      .to('final');
    const driver = new TopologyTestDriver(t);
    const input = driver.inputTopic<string, string>('in');
    input.pipe('a', 'x', 1);
    input.pipe('b', 'x', 2);
    input.pipe('a', 'x', 8);
    input.pipe('a', 'x', 11); // stream time 11 < 10 + 2: nothing closes
    assert.deepEqual(rows(driver, 'final'), []);
    input.pipe('b', 'x', 12); // stream time 12: [0,10) closes
    assert.deepEqual(rows(driver, 'final'), [['a', 0, 2, 8], ['b', 0, 1, 2]]);
    input.pipe('a', 'x', 30);
    assert.deepEqual(rows(driver, 'final'), [['a', 10, 1, 11], ['b', 10, 1, 12]]);
  });

  it('keeps windows as long as Materialized asks, and refuses a retention shorter than the windows need, naming the store', () => {
    const build = (retentionMs: number | undefined, windows: TimeWindows | SlidingWindows | SessionWindows) => {
      const t = testTopology();
      const grouped = t.stream<string, string>('in').groupByKey();
      const store = 'counts';
      const materialized = retentionMs === undefined ? { store } : { store, retentionMs };
      if (windows instanceof SessionWindows) grouped.windowedBy(windows).count(materialized);
      else grouped.windowedBy(windows).count(materialized);
      return t.build().stores.get(store)!.retentionMs;
    };
    const DAY = 24 * 3600_000;
    assert.equal(build(undefined, TimeWindows.ofSizeAndGrace(60_000, 5_000)), DAY);
    assert.equal(build(65_000, TimeWindows.ofSizeAndGrace(60_000, 5_000)), 65_000);
    assert.throws(() => build(64_999, TimeWindows.ofSizeAndGrace(60_000, 5_000)), /retention of window store 'counts' \(64999 ms\) must be no smaller than its windows need \(65000 ms/);
    assert.equal(build(undefined, SlidingWindows.ofTimeDifferenceAndGrace(10, 2)), 22);
    assert.throws(() => build(21, SlidingWindows.ofTimeDifferenceAndGrace(10, 2)), /\(22 ms/);
    assert.equal(build(3_600_000, SessionWindows.ofInactivityGapAndGrace(10, 2)), 3_600_000);
    assert.throws(() => build(11, SessionWindows.ofInactivityGapAndGrace(10, 2)), /\(12 ms/);
  });

  it('declares a time-windowed store\'s read horizon, size + grace (older windows are closed), a session store\'s gap + grace (older sessions are hidden), none for sliding windows', () => {
    const horizon = (windows: TimeWindows | SlidingWindows | SessionWindows) => {
      const t = testTopology();
      const grouped = t.stream<string, string>('in').groupByKey();
      if (windows instanceof SessionWindows) grouped.windowedBy(windows).count({ store: 'counts' });
      else grouped.windowedBy(windows).count({ store: 'counts' });
      return t.build().stores.get('counts')!.readHorizonMs;
    };
    assert.equal(horizon(TimeWindows.ofSizeAndGrace(60_000, 5_000)), 65_000);
    assert.equal(horizon(TimeWindows.ofSizeAndGrace(60_000, 5_000).advanceBy(10_000)), 65_000);
    assert.equal(horizon(SlidingWindows.ofTimeDifferenceAndGrace(10, 2)), undefined);
    assert.equal(horizon(SessionWindows.ofInactivityGapAndGrace(10, 2)), 12);
  });
});
