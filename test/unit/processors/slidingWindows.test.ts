import assert from 'node:assert/strict';
import { describeTopology } from '../../../processors/describeTopology.ts';
import type { Windowed } from '../../../processors/record.ts';
import { TopologyError } from '../../../processors/topologyError.ts';
import { SlidingWindows } from '../../../processors/windows/slidingWindows.ts';
import { TopologyTestDriver } from '../../../runtime/topologyTestDriver.ts';
import { testTopology } from './stringTopology.ts';

type Row = [key: string, start: number, end: number, value: unknown, timestamp: number];

function rows(driver: TopologyTestDriver, topic: string): Row[] {
  return driver
    .outputTopic<Windowed<string>, unknown>(topic)
    .readRecords()
    .map((r) => [r.key.key, r.key.window.start, r.key.window.end, r.value, r.timestamp]);
}

/** Counts `in` per key and sliding window into `out` (every update) and, suppressed, into `final`. */
function slidingCount(windows: SlidingWindows) {
  const t = testTopology('sliding');
  const counts = t.stream<string, string>('in').groupByKey().windowedBy(windows).count({ name: 'count', store: 'windows' });
  counts.toStream().to('out');
  counts.suppressUntilWindowCloses().toStream().to('final');
  const driver = new TopologyTestDriver(t);
  return { driver, input: driver.inputTopic<string | null, string | null>('in'), out: () => rows(driver, 'out'), final: () => rows(driver, 'final') };
}

describe('SlidingWindows', () => {
  it('rejects a negative time difference or grace, and keeps windows for 2 × difference + grace', () => {
    assert.throws(() => SlidingWindows.ofTimeDifferenceWithNoGrace(-1), TopologyError);
    assert.throws(() => SlidingWindows.ofTimeDifferenceAndGrace(10, -1), /grace must not be negative/);
    assert.equal(SlidingWindows.ofTimeDifferenceAndGrace(10, 5).retentionMs(), 25);
  });
});

describe('sliding windowed aggregations', () => {
  it('windows are inclusive at both ends: a record exactly the time difference later shares its left window with the first record', () => {
    const { input, out } = slidingCount(SlidingWindows.ofTimeDifferenceAndGrace(10, 100));
    input.pipe('a', 'x', 10);
    input.pipe('a', 'x', 20);
    assert.deepEqual(out(), [
      ['a', 0, 10, 1, 10], // left window of 10
      ['a', 11, 21, 1, 20], // right window of 10: holds 20, not 10
      ['a', 10, 20, 2, 20], // left window of 20 holds 10 (20 − 10, inclusive)
    ]);
  });

  it('creates no empty windows: records further apart than the difference share none', () => {
    const { input, out } = slidingCount(SlidingWindows.ofTimeDifferenceWithNoGrace(10));
    input.pipe('a', 'x', 100);
    input.pipe('a', 'x', 111);
    assert.deepEqual(out(), [
      ['a', 90, 100, 1, 100],
      ['a', 101, 111, 1, 111],
    ]);
  });

  it('an out-of-order record updates the windows that contain it and creates its own left and right windows', () => {
    const { input, out } = slidingCount(SlidingWindows.ofTimeDifferenceAndGrace(10, 100));
    input.pipe('a', 'x', 20);
    input.pipe('a', 'x', 15);
    assert.deepEqual(out(), [
      ['a', 10, 20, 1, 20],
      ['a', 10, 20, 2, 20], // 15 falls into 20's left window
      ['a', 5, 15, 1, 15], // 15's left window
      ['a', 16, 26, 1, 20], // 15's right window: the records after 15 (a copy of their aggregate)
    ]);
  });

  it('records earlier than the time difference share the window [0, difference]', () => {
    const { input, out } = slidingCount(SlidingWindows.ofTimeDifferenceAndGrace(10, 100));
    input.pipe('a', 'x', 3);
    input.pipe('a', 'x', 5);
    assert.deepEqual(out(), [
      ['a', 0, 10, 1, 3],
      ['a', 4, 14, 1, 5], // 3's right window
      ['a', 0, 10, 2, 5],
    ]);
  });

  it('drops a record whose right window has closed; counts a closed window it would update as late, and still updates the open ones', () => {
    const { input, out, driver } = slidingCount(SlidingWindows.ofTimeDifferenceAndGrace(10, 5));
    input.pipe('a', 'x', 100); // stream time 100: windows ending before 95 are closed
    input.pipe('b', 'x', 84); // 84 + 1 + 10 <= 95: dropped
    input.pipe('a', 'x', 92); // its left window [82, 92] is closed; [90, 100] and its right window are not
    assert.deepEqual(out(), [
      ['a', 90, 100, 1, 100],
      ['a', 90, 100, 2, 100],
      ['a', 93, 103, 1, 100],
    ]);
    assert.deepEqual(
      driver.droppedRecords().map((d) => `${d.node}:${d.reason}`),
      ['count:late', 'count:late'],
    );
  });

  it('a window ending exactly at stream time − grace still accepts records', () => {
    const { input, out } = slidingCount(SlidingWindows.ofTimeDifferenceAndGrace(10, 5));
    input.pipe('a', 'x', 20);
    input.pipe('z', 'x', 25); // close time 20: [10, 20] ends at it
    input.pipe('a', 'x', 10);
    assert.deepEqual(out().slice(2, 3), [['a', 10, 20, 2, 20]]);
  });

  it('drops null keys and null values and counts them', () => {
    const { input, out, driver } = slidingCount(SlidingWindows.ofTimeDifferenceWithNoGrace(10));
    input.pipe(null, 'x', 1);
    input.pipe('a', null, 1);
    assert.deepEqual(out(), []);
    assert.deepEqual(driver.droppedRecords(), [
      { node: 'count', reason: 'null-key' },
      { node: 'count', reason: 'null-value' },
    ]);
  });

  it('reduce and aggregate see the records of each window', () => {
    const t = testTopology();
    const windowed = t.stream<string, number>('in').groupByKey().windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(10, 100));
    windowed.reduce((a, b) => a + b).toStream().to('sums');
    windowed.aggregate(() => [] as number[], (_k, v, list) => [...list, v].sort((x, y) => x - y)).toStream().to('lists');
    const driver = new TopologyTestDriver(t);
    driver.inputTopic<string, number>('in').pipeAll([['k', 1, 20], ['k', 2, 25], ['k', 4, 12]]);
    assert.deepEqual(rows(driver, 'sums').slice(-3), [
      ['k', 10, 20, 5, 20], // 1 + 4; [15, 25] does not hold 12
      ['k', 2, 12, 4, 12],
      ['k', 13, 23, 1, 20], // 12's right window holds only 20
    ]);
    assert.deepEqual(rows(driver, 'lists').at(-1), ['k', 13, 23, [1], 20]);
  });

  it('suppress(untilWindowCloses) emits a window once stream time reaches its (inclusive) end + grace, and again if a record at exactly that time still updates it, as Kafka Streams 4.1 does', () => {
    const { input, final } = slidingCount(SlidingWindows.ofTimeDifferenceAndGrace(10, 5));
    input.pipe('a', 'x', 10);
    assert.deepEqual(final(), []);
    input.pipe('a', 'x', 15); // 10 + 5: [0, 10] is emitted
    assert.deepEqual(final(), [['a', 0, 10, 1, 10]]);
    input.pipe('z', 'x', 15);
    input.pipe('a', 'x', 10); // [0, 10] still accepts a record at 10 (its end is inclusive), and is emitted again
    assert.deepEqual(final(), [['a', 0, 10, 2, 10]]);
    input.pipe('z', 'x', 16);
    assert.deepEqual(final(), []);
    input.pipe('z', 'x', 100);
    // What Kafka Streams 4.1.1's TopologyTestDriver gives for the same records.
    assert.deepEqual(final(), [
      ['a', 5, 15, 3, 15],
      ['z', 5, 15, 1, 15],
      ['z', 6, 16, 2, 16],
      ['a', 11, 21, 1, 15],
      ['z', 16, 26, 1, 16],
    ]);
  });

  it('describe() shows the window store on the aggregate', () => {
    const t = testTopology('moving');
    t.stream<string, number>('readings', { name: 'readings-source' })
      .groupByKey()
      .windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(60_000, 5_000))
      .reduce((a, b) => Math.max(a, b), { name: 'max', store: 'max-per-minute' })
      .toStream({ name: 'to-stream' })
      .to('maxima', { name: 'sink' });
    const topology = t.build();
    assert.match(describeTopology(topology), /Processor: max \(stores: \[max-per-minute\]\)/);
    assert.deepEqual(topology.stores.get('max-per-minute'), { name: 'max-per-minute', kind: 'window', retentionMs: 125_000, internal: false });
  });
});
