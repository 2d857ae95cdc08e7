import assert from 'node:assert/strict';
import { describeTopology } from '../../../processors/describeTopology.ts';
import type { Windowed } from '../../../processors/record.ts';
import { TopologyError } from '../../../processors/topologyError.ts';
import { SessionWindows } from '../../../processors/windows/sessionWindows.ts';
import { TopologyTestDriver } from '../../../runtime/topologyTestDriver.ts';
import { testTopology } from './stringTopology.ts';

type Row = [key: string, start: number, end: number, value: unknown, timestamp: number];

function rows(driver: TopologyTestDriver, topic: string): Row[] {
  return driver
    .outputTopic<Windowed<string>, unknown>(topic)
    .readRecords()
    .map((r) => [r.key.key, r.key.window.start, r.key.window.end, r.value, r.timestamp]);
}

/** Counts `in` per key and session into `out` (every update) and, suppressed, into `final`. */
function sessionCount(windows: SessionWindows) {
  const t = testTopology('sessions');
  const counts = t.stream<string, string>('in').groupByKey().windowedBy(windows).count({ name: 'count', store: 'sessions' });
  counts.toStream().to('out');
  counts.suppressUntilWindowCloses().toStream().to('final');
  const driver = new TopologyTestDriver(t);
  return { driver, input: driver.inputTopic<string | null, string | null>('in'), out: () => rows(driver, 'out'), final: () => rows(driver, 'final') };
}

describe('SessionWindows', () => {
  it('rejects a gap that is not positive and a negative grace', () => {
    assert.throws(() => SessionWindows.ofInactivityGapWithNoGrace(0), TopologyError);
    assert.throws(() => SessionWindows.ofInactivityGapAndGrace(10, -1), /grace must not be negative/);
    assert.equal(SessionWindows.ofInactivityGapAndGrace(10, 5).closeDelayMs(), 15);
  });
});

describe('session windowed aggregations', () => {
  it('a record at most the gap after a session extends it (the gap edge is inclusive); one more and a new session starts', () => {
    const { input, out } = sessionCount(SessionWindows.ofInactivityGapAndGrace(10, 100));
    input.pipe('a', 'x', 0);
    input.pipe('a', 'x', 10); // exactly the gap: same session
    input.pipe('a', 'x', 21); // 11 after: a new session
    assert.deepEqual(out(), [
      ['a', 0, 0, 1, 0],
      ['a', 0, 0, null, 0], // [0, 0] is retracted…
      ['a', 0, 10, 2, 10], // …and replaced by the merged [0, 10], stamped with its end
      ['a', 21, 21, 1, 21],
    ]);
  });

  it('a record bridging two sessions retracts both, then forwards the merged session with the summed count', () => {
    const { input, out, driver } = sessionCount(SessionWindows.ofInactivityGapAndGrace(5, 100));
    input.pipe('a', 'x', 0);
    input.pipe('a', 'x', 3);
    input.pipe('a', 'x', 12);
    out();
    input.pipe('a', 'x', 8); // within 5 of both [0, 3] and [12, 12]
    assert.deepEqual(out(), [
      ['a', 0, 3, null, 3],
      ['a', 12, 12, null, 12],
      ['a', 0, 12, 4, 12],
    ]);
    assert.deepEqual(driver.sessionStore('sessions').fetchAll(0, 100), [['a', { start: 0, end: 12 }, 4]]);
  });

  it('a record inside a session retracts and re-emits that same window; one at its only timestamp just updates it', () => {
    const { input, out } = sessionCount(SessionWindows.ofInactivityGapAndGrace(5, 100));
    input.pipe('a', 'x', 0);
    input.pipe('a', 'x', 4);
    input.pipe('a', 'x', 2);
    input.pipe('b', 'x', 7);
    input.pipe('b', 'x', 7); // [7, 7] merged with [7, 7] is the record's own window: no retraction
    assert.deepEqual(out(), [
      ['a', 0, 0, 1, 0],
      ['a', 0, 0, null, 0],
      ['a', 0, 4, 2, 4],
      ['a', 0, 4, null, 4],
      ['a', 0, 4, 3, 4],
      ['b', 7, 7, 1, 7],
      ['b', 7, 7, 2, 7],
    ]);
  });

  it('sessions of different keys never merge', () => {
    const { input, out } = sessionCount(SessionWindows.ofInactivityGapWithNoGrace(10));
    input.pipe('a', 'x', 0);
    input.pipe('b', 'x', 1);
    assert.deepEqual(out(), [
      ['a', 0, 0, 1, 0],
      ['b', 1, 1, 1, 1],
    ]);
  });

  it('drops a record whose session would end before stream time − gap − grace, and counts it as late', () => {
    const { input, out, driver } = sessionCount(SessionWindows.ofInactivityGapAndGrace(10, 5));
    input.pipe('a', 'x', 100); // stream time 100: sessions ending before 85 are closed
    input.pipe('b', 'x', 85); // ends at 85: still open
    input.pipe('c', 'x', 84); // ends at 84: late
    input.pipe('a', 'x', 84); // 16 before a's [100, 100], more than the gap: alone, so late
    input.pipe('a', 'x', 90); // merges with [100, 100]: fine
    assert.deepEqual(out(), [
      ['a', 100, 100, 1, 100],
      ['b', 85, 85, 1, 85],
      ['a', 100, 100, null, 100],
      ['a', 90, 100, 2, 100],
    ]);
    assert.deepEqual(
      driver.droppedRecords().map((d) => `${d.node}:${d.reason}`),
      ['count:late', 'count:late'],
    );
  });

  it('a late record still merges into a session that is open, and the merged session counts', () => {
    const { input, out, driver } = sessionCount(SessionWindows.ofInactivityGapAndGrace(10, 5));
    input.pipe('a', 'x', 50);
    input.pipe('z', 'x', 62); // stream time 62: close time 47
    input.pipe('a', 'x', 41); // 41 < 47 alone, but merged with [50, 50] the session ends at 50: accepted
    assert.deepEqual(out().slice(2), [
      ['a', 50, 50, null, 50],
      ['a', 41, 50, 2, 50],
    ]);
    assert.deepEqual(driver.droppedRecords(), []);
  });

  it('does not merge into a session the store has expired (end at or before stream time − gap − grace), as Kafka Streams’ stores hide it', () => {
    const { input, out, driver } = sessionCount(SessionWindows.ofInactivityGapWithNoGrace(10));
    input.pipe('a', 'x', 0);
    input.pipe('b', 'x', 10); // stream time 10: a's [0, 0] ends at 10 − 10, so it is expired
    input.pipe('a', 'x', 10); // within the gap of [0, 0], but [0, 0] is gone: a new session
    assert.deepEqual(out(), [
      ['a', 0, 0, 1, 0],
      ['b', 10, 10, 1, 10],
      ['a', 10, 10, 1, 10],
    ]);
    assert.deepEqual(driver.droppedRecords(), []);
  });

  it('drops a null key and counts it; aggregates a null value, as Kafka Streams does', () => {
    const { input, out, driver } = sessionCount(SessionWindows.ofInactivityGapWithNoGrace(10));
    input.pipe(null, 'x', 0);
    input.pipe('a', null, 1);
    assert.deepEqual(out(), [['a', 1, 1, 1, 1]]);
    assert.deepEqual(driver.droppedRecords(), [{ node: 'count', reason: 'null-key' }]);
  });

  it('reduce combines merged sessions older first, then the new value', () => {
    const t = testTopology();
    t.stream<string, string>('in')
      .groupByKey()
      .windowedBy(SessionWindows.ofInactivityGapAndGrace(5, 10))
      .reduce((a, b) => a + b)
      .toStream()
      .to('out');
    const driver = new TopologyTestDriver(t);
    const input = driver.inputTopic<string, string>('in');
    input.pipe('k', 'A', 0);
    input.pipe('k', 'C', 10);
    input.pipe('k', 'B', 5);
    assert.deepEqual(rows(driver, 'out').at(-1), ['k', 0, 10, 'ACB', 10]);
  });

  it('aggregate starts a merge from the initializer and absorbs each session with the merger', () => {
    const t = testTopology();
    t.stream<string, number>('in')
      .groupByKey()
      .windowedBy(SessionWindows.ofInactivityGapAndGrace(5, 10))
      .aggregate(
        () => [] as string[],
        (_k, v, list) => [...list, `v${v}`],
        (key, agg, other) => [...agg, `${key}(${other.join(',')})`],
      )
      .toStream()
      .to('out');
    const driver = new TopologyTestDriver(t);
    const input = driver.inputTopic<string, number>('in');
    input.pipe('k', 1, 0);
    input.pipe('k', 2, 10);
    input.pipe('k', 3, 5);
    assert.deepEqual(rows(driver, 'out').at(-1), ['k', 0, 10, ['k(v1)', 'k(v2)', 'v3'], 10]);
  });

  it('suppress(untilWindowCloses) emits each session once when stream time reaches end + gap + grace; merged-away sessions never', () => {
    const { input, final } = sessionCount(SessionWindows.ofInactivityGapAndGrace(10, 5));
    input.pipe('a', 'x', 0);
    input.pipe('a', 'x', 8); // [0, 8]
    input.pipe('b', 'x', 20);
    input.pipe('b', 'x', 22);
    input.pipe('c', 'x', 22); // stream time 22 < 8 + 15
    assert.deepEqual(final(), []);
    input.pipe('c', 'x', 23); // 8 + 15 = 23: a's session closes
    assert.deepEqual(final(), [['a', 0, 8, 2, 8]]);
    input.pipe('z', 'x', 100);
    assert.deepEqual(final(), [
      ['b', 20, 22, 2, 22],
      ['c', 22, 23, 2, 23],
    ]);
  });

  it('describe() shows the session store on the aggregate', () => {
    const t = testTopology('clicks');
    t.stream<string, string>('clicks', { name: 'clicks-source' })
      .groupByKey()
      .windowedBy(SessionWindows.ofInactivityGapAndGrace(300_000, 30_000))
      .count()
      .toStream({ name: 'to-stream' })
      .to('sessions', { name: 'sink' });
    assert.equal(
      describeTopology(t.build()),
      `Topologies:
   Sub-topology: 0
    Source: clicks-source (topics: [clicks])
      --> KSTREAM-AGGREGATE-0000000001
    Processor: KSTREAM-AGGREGATE-0000000001 (stores: [KSTREAM-AGGREGATE-STATE-STORE-0000000000])
      --> to-stream
      <-- clicks-source
    Processor: to-stream (stores: [])
      --> sink
      <-- KSTREAM-AGGREGATE-0000000001
    Sink: sink (topic: sessions)
      <-- to-stream

`,
    );
    assert.deepEqual(t.build().stores.get('KSTREAM-AGGREGATE-STATE-STORE-0000000000'), {
      name: 'KSTREAM-AGGREGATE-STATE-STORE-0000000000',
      kind: 'session',
      retentionMs: 330_000,
      readHorizonMs: 330_000,
      internal: true,
    });
  });
});
