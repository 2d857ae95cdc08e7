import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Windowed } from '../../../processors/record.ts';
import { SessionWindows } from '../../../processors/windows/sessionWindows.ts';
import { TopologyTestDriver } from '../../../runtime/topologyTestDriver.ts';
import { testTopology } from './stringTopology.ts';

interface Event {
  readonly key: string;
  readonly ts: number;
}

interface Session {
  readonly key: string;
  readonly start: number;
  readonly end: number;
  readonly count: number;
}

const show = (key: string, start: number, end: number, count: number | null, ts: number) => `${key}@[${start},${end}]=${count}/${ts}`;

/**
 * The naive model: Kafka Streams' session count written as plainly as possible, with a list
 * of sessions instead of a store. Sessions whose end is at or before the store's time minus
 * `gap + grace` are gone (Kafka Streams' stores expire them), and a session that would be
 * stored there is not kept.
 */
function modelSessions(events: readonly Event[], gap: number, grace: number) {
  const retention = gap + grace;
  let sessions: Session[] = [];
  let observed = -1;
  let storeTime = -1;
  let late = 0;
  const updates: Array<{ text: string; session: Session; count: number | null }> = [];
  for (const { key, ts } of events) {
    const visibleAfter = storeTime - retention;
    observed = Math.max(observed, ts);
    const found = sessions.filter((s) => s.key === key && s.end >= ts - gap && s.start <= ts + gap && s.end > visibleAfter).sort((a, b) => a.end - b.end);
    const start = Math.min(ts, ...found.map((s) => s.start));
    const end = Math.max(ts, ...found.map((s) => s.end));
    if (end < observed - gap - grace) {
      late++;
      continue;
    }
    if (start !== ts || end !== ts) for (const s of found) updates.push({ text: show(key, s.start, s.end, null, s.end), session: s, count: null });
    sessions = sessions.filter((s) => !found.includes(s));
    const merged = { key, start, end, count: found.reduce((n, s) => n + s.count, 0) + 1 };
    storeTime = Math.max(storeTime, end);
    if (end > storeTime - retention) sessions.push(merged);
    updates.push({ text: show(key, start, end, merged.count, end), session: merged, count: merged.count });
  }
  // What suppression emits: a session's last update once the largest update timestamp reaches its end + gap + grace.
  const last = new Map<string, { session: Session; count: number | null }>();
  const finals: string[] = [];
  let suppressTime = -1;
  for (const u of updates) {
    suppressTime = Math.max(suppressTime, u.session.end);
    last.set(`${u.session.key}@${u.session.start},${u.session.end}`, u);
    for (const [id, { session, count }] of last) {
      if (session.end > suppressTime - gap - grace) continue;
      last.delete(id);
      if (count !== null) finals.push(show(session.key, session.start, session.end, count, session.end));
    }
  }
  return { updates: updates.map((u) => u.text), finals: finals.sort(), late };
}

/** Offline sessionization: each key's timestamps, sorted, split where two are more than `gap` apart. */
function offlineSessions(events: readonly Event[], gap: number): string[] {
  const out: string[] = [];
  for (const key of new Set(events.map((e) => e.key))) {
    const times = events.filter((e) => e.key === key).map((e) => e.ts).sort((a, b) => a - b);
    let first = 0;
    for (let i = 1; i <= times.length; i++) {
      if (i < times.length && times[i]! - times[i - 1]! <= gap) continue;
      out.push(show(key, times[first]!, times[i - 1]!, i - first, times[i - 1]!));
      first = i;
    }
  }
  return out.sort();
}

function run(events: readonly Event[], windows: SessionWindows) {
  const t = testTopology();
  const counts = t.stream<string, string>('in').groupByKey().windowedBy(windows).count();
  counts.toStream().to('updates');
  counts.suppressUntilWindowCloses().toStream().to('finals');
  const driver = new TopologyTestDriver(t);
  const input = driver.inputTopic<string, string>('in');
  const read = (topic: string) =>
    driver
      .outputTopic<Windowed<string>, number | null>(topic)
      .readRecords()
      .map((r) => show(r.key.key, r.key.window.start, r.key.window.end, r.value, r.timestamp));
  return { driver, input, read };
}

const events = fc.array(fc.record({ key: fc.constantFrom('a', 'b', 'c'), ts: fc.integer({ min: 0, max: 120 }) }), { maxLength: 50 });

describe('session windowed count against a reference model', () => {
  it('equals the naive model for random events, gaps and grace: updates with retractions, late drops and final results', () => {
    fc.assert(
      fc.property(events, fc.integer({ min: 1, max: 20 }), fc.integer({ min: 0, max: 20 }), (evts, gap, grace) => {
        const { driver, input, read } = run(evts, SessionWindows.ofInactivityGapAndGrace(gap, grace));
        for (const e of evts) input.pipe(e.key, 'x', e.ts);
        const expected = modelSessions(evts, gap, grace);
        assert.deepEqual(read('updates'), expected.updates);
        assert.deepEqual(read('finals').sort(), expected.finals);
        assert.equal(driver.droppedRecords().filter((d) => d.reason === 'late').length, expected.late);
      }),
      { numRuns: 300 },
    );
  });

  it('with grace for every delay, ends with exactly the offline sessionization, and each update counts the records so far in its session', () => {
    fc.assert(
      fc.property(events, fc.integer({ min: 1, max: 20 }), (evts, gap) => {
        const { input, read } = run(evts, SessionWindows.ofInactivityGapAndGrace(gap, 1_000));
        const seen: Event[] = [];
        const live = new Map<string, string>();
        for (const e of evts) {
          input.pipe(e.key, 'x', e.ts);
          seen.push(e);
          for (const update of read('updates')) {
            const [, key, start, end, count] = /^(\w+)@\[(\d+),(\d+)\]=(\w+)\//.exec(update)!;
            const id = `${key}@${start},${end}`;
            if (count === 'null') {
              assert.ok(live.delete(id), `retracts a session that was live: ${update}`);
              continue;
            }
            const inside = seen.filter((s) => s.key === key && s.ts >= Number(start) && s.ts <= Number(end));
            assert.equal(Number(count), inside.length, update);
            live.set(id, update);
          }
        }
        const offline = offlineSessions(evts, gap);
        assert.deepEqual([...live.values()].sort(), offline);
        input.pipe('flush', 'x', 100_000);
        assert.deepEqual(read('finals').filter((f) => !f.startsWith('flush')).sort(), offline);
      }),
      { numRuns: 300 },
    );
  });
});
