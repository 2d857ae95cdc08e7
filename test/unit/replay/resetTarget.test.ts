import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ConfigError } from '../../../runtime/errors.ts';
import { parseDatetime, parseDuration, parseOffsets, parseResetTarget } from '../../../runtime/replay/resetTarget.ts';

/** A ConfigError whose message is one line that names the flag. */
function refusedWith(flag: string) {
  return (error: unknown) => error instanceof ConfigError && error.message.includes(flag) && !error.message.includes('\n');
}

const topic = fc.stringMatching(/^[A-Za-z0-9._-]{1,20}$/);

describe('replay reset targets', () => {
  it('reads every ISO 8601 time with an offset as the instant it names', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('1971-01-01T00:00:00Z'), max: new Date('2999-12-31T23:59:59Z'), noInvalidDate: true }), fc.integer({ min: -14 * 60, max: 14 * 60 }), (date, offsetMinutes) => {
        const shifted = new Date(date.getTime() + offsetMinutes * 60_000).toISOString().slice(0, 23);
        const sign = offsetMinutes < 0 ? '-' : '+';
        const zone = `${sign}${String(Math.floor(Math.abs(offsetMinutes) / 60)).padStart(2, '0')}:${String(Math.abs(offsetMinutes) % 60).padStart(2, '0')}`;
        assert.equal(parseDatetime(`${shifted}${zone}`), date.getTime());
      }),
    );
  });

  it('refuses a day the month does not have, rather than rolling it over into the next month', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1971, max: 2999 }), fc.integer({ min: 1, max: 12 }), (year, month) => {
        const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
        const pad = (n: number) => String(n).padStart(2, '0');
        assert.equal(parseDatetime(`${year}-${pad(month)}-${pad(days)}T12:00:00Z`), Date.UTC(year, month - 1, days, 12));
        assert.throws(() => parseDatetime(`${year}-${pad(month)}-${pad(days + 1)}T12:00:00Z`), refusedWith('--to-datetime'));
      }),
    );
  });

  it('refuses what is not a date and time with one line', () => {
    for (const text of ['yesterday', '2026-01-31', '2026-01-31 09:30', '2026-13-01T00:00Z', '2026-01-01T24:00Z', '2026-01-01T10:60Z', '1767261600000']) {
      assert.throws(() => parseDatetime(text), refusedWith('--to-datetime'), text);
    }
  });

  it('reads a duration of days, hours, minutes and seconds as their sum in milliseconds', () => {
    const part = fc.option(fc.integer({ min: 0, max: 400 }), { nil: undefined });
    fc.assert(
      fc.property(part, part, part, part, fc.option(fc.integer({ min: 0, max: 999 }), { nil: undefined }), (d, h, m, s, ms) => {
        fc.pre([d, h, m, s].some((x) => x !== undefined));
        const seconds = s === undefined ? '' : `${s}${ms === undefined ? '' : `.${String(ms).padStart(3, '0')}`}S`;
        const time = `${h === undefined ? '' : `${h}H`}${m === undefined ? '' : `${m}M`}${seconds}`;
        const text = `P${d === undefined ? '' : `${d}D`}${time ? `T${time}` : ''}`;
        const expected = ((((d ?? 0) * 24 + (h ?? 0)) * 60 + (m ?? 0)) * 60 + (s ?? 0)) * 1000 + (s === undefined ? 0 : ms ?? 0);
        assert.equal(parseDuration(text), expected, text);
      }),
    );
  });

  it('refuses what is not an ISO 8601 duration with one line', () => {
    for (const text of ['P', 'PT', 'P1DT', '1h', 'PT-1H', 'P1W', 'PT1H30', 'pt1h', '']) assert.throws(() => parseDuration(text), refusedWith('--by-duration'), text);
  });

  it('reads topic:partition=offset lists back into the partitions and offsets they were written from', () => {
    const entries = fc.uniqueArray(fc.tuple(topic, fc.nat(1000), fc.nat(1e9)), { minLength: 1, maxLength: 10, selector: ([t, p]) => `${t}:${p}` });
    fc.assert(
      fc.property(entries, (list) => {
        const parsed = parseOffsets(list.map(([t, p, o]) => `${t}:${p}=${o}`).join(','));
        assert.deepEqual(parsed, new Map(list.map(([t, p, o]) => [`${t}:${p}`, o])));
      }),
    );
  });

  it('refuses a malformed offsets list, and a partition named twice, with one line', () => {
    for (const text of ['orders', 'orders:0', 'orders=5', 'orders:x=5', 'orders:0=-1', 'orders:0=5,', 'or ders:0=5']) assert.throws(() => parseOffsets(text), refusedWith('--offsets'), text);
    assert.throws(() => parseOffsets('orders:0=5,orders:00=6'), /--offsets names orders:0 twice/);
  });

  it('resets to the earliest offsets unless told otherwise, and to one target only', () => {
    const now = Date.UTC(2026, 0, 31, 12);
    assert.deepEqual(parseResetTarget({}, now), { kind: 'earliest' });
    assert.deepEqual(parseResetTarget({ toEarliest: true }, now), { kind: 'earliest' });
    assert.deepEqual(parseResetTarget({ byDuration: 'PT1H' }, now), { kind: 'timestamp', timestamp: now - 3_600_000 });
    assert.deepEqual(parseResetTarget({ toDatetime: '2026-01-31T09:30:00Z' }, now), { kind: 'timestamp', timestamp: Date.UTC(2026, 0, 31, 9, 30) });
    assert.deepEqual(parseResetTarget({ offsets: 'a:0=3' }, now), { kind: 'offsets', offsets: new Map([['a:0', 3]]) });
    assert.throws(() => parseResetTarget({ toEarliest: true, offsets: 'a:0=3' }, now), /^ConfigError: give one of --to-earliest, --to-datetime, --by-duration, --offsets \(got --to-earliest and --offsets\)$/);
  });
});
