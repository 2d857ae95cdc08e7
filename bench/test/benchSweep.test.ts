import assert from 'node:assert/strict';
import { resultsTable, workloadNotes } from '../throughput/benchReport.ts';
import type { BenchResult } from '../throughput/benchRun.ts';
import { knobsEnv, knobsSuffix, parseSweep, sweepPoints } from '../throughput/benchSweep.ts';
import { benchSettings as settings, workloadResult } from './benchResultFixture.ts';

describe('bench sweep', () => {
  it('moves one knob at a time, the others at the worker defaults, the default point once', () => {
    assert.deepEqual(sweepPoints({ unitRecords: [100, 500, 2000], commitIntervalMs: [100, 1000] }, ['unitRecords', 'commitIntervalMs']), [
      { unitRecords: 100, commitIntervalMs: 1000 },
      { unitRecords: 500, commitIntervalMs: 1000 },
      { unitRecords: 2000, commitIntervalMs: 1000 },
      { unitRecords: 500, commitIntervalMs: 100 },
    ]);
  });

  it('runs a workload once, at its defaults, when it takes none of the swept knobs', () => {
    assert.deepEqual(sweepPoints({ commitIntervalMs: [100, 5000] }, ['unitRecords']), [{ unitRecords: 500 }]);
    assert.deepEqual(sweepPoints({ unitRecords: [100] }, []), [{}]);
  });

  it('reads a sweep option as the values the worker takes, repeats dropped, and rejects any other in one line', () => {
    assert.deepEqual(parseSweep('unitRecords', '100, 500,2_000,500'), [100, 500, 2000]);
    for (const [knob, text] of [['unitRecords', '100,0'], ['unitRecords', '10001'], ['commitIntervalMs', 'soon'], ['commitIntervalMs', '100,']] as const) {
      assert.throws(() => parseSweep(knob, text), (error: unknown) => {
        assert.ok(error instanceof Error && /^--(unit-records|commit-interval-ms) must be comma-separated /.test(error.message) && !error.message.includes('\n'), String(error));
        return true;
      });
    }
  });

  it('names a run by its knob values and gives a process only the variables of the knobs it takes', () => {
    assert.equal(knobsSuffix({ commitIntervalMs: 100, unitRecords: 2000 }), 'u2000-c100');
    assert.equal(knobsSuffix({}), '');
    assert.deepEqual(knobsEnv({ unitRecords: 100, commitIntervalMs: 5000 }, { unitRecords: 'BENCH_UNIT_RECORDS' }), { BENCH_UNIT_RECORDS: '100' });
    assert.deepEqual(knobsEnv(undefined, { unitRecords: 'BENCH_UNIT_RECORDS' }), {});
  });

  it('reports a run without a sweep as before: no setting columns, no settings in the notes', () => {
    const result: BenchResult = { settings, preloadSeconds: 3, results: [workloadResult('baseline', 20_000, undefined, 1), workloadResult('stateful', 8_000, undefined, 0.4)] };
    const [header, , baselineRow] = resultsTable(result).split('\n');
    assert.equal(header, '| workload | events/s | × baseline | CPU s / 1M events | peak RSS (MB) | Redis commands / event | latency load (events/s) | latency p50 / p99 (ms) |');
    assert.equal(baselineRow, '| baseline | 20,000 | 1.00 | 40.0 | 300 | 0.030 | – | – |');
    assert.ok(workloadNotes(result).startsWith('- **baseline**: baseline things.'));
  });

  it('shows each run of a sweep with its setting values, – where the workload has no such setting', () => {
    const result: BenchResult = {
      settings: { ...settings, sweep: { unitRecords: [100, 2000] } },
      preloadSeconds: 3,
      results: [workloadResult('baseline', 20_000, { unitRecords: 100 }, 1), workloadResult('stateful', 8_000, { unitRecords: 100, commitIntervalMs: 1000 }, 0.4)],
    };
    const lines = resultsTable(result).split('\n');
    assert.ok(lines[0]!.startsWith('| workload | unit (records) | commit interval (ms) | events/s |'));
    assert.equal(lines[1], '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    assert.ok(lines[2]!.startsWith('| baseline | 100 | – | 20,000 | 1.00 |'));
    assert.ok(lines[3]!.startsWith('| stateful | 100 | 1,000 | 8,000 | 0.40 |'));
    assert.ok(workloadNotes(result).includes('- **stateful** (unit 100 records, commit interval 1,000 ms): stateful things.'));
  });
});
