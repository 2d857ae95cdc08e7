import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { ScalingResult } from '../scaling/scalingRun.ts';
import { scalingBlock } from '../scaling/scalingReport.ts';
import { PROVISIONAL } from '../support/markdownBlock.ts';
import { resultsBlock, workloadNotes } from '../throughput/benchReport.ts';
import { benchSettings, workloadResult } from './benchResultFixture.ts';

const WHEN = new Date('2026-12-07T06:40:00Z');

describe('the results blocks written into BENCHMARKS.md', () => {
  it('name a workload that read fewer orders than the run preloaded (the order saga), and nothing when all read them all', () => {
    const saga = workloadResult('order-saga', 1_000);
    const fewer = { ...saga, throughput: { ...saga.throughput, records: 2_000 } };
    const withSaga = resultsBlock({ settings: benchSettings, preloadSeconds: 1, results: [workloadResult('baseline', 50_000), fewer] }, 'cmd', 'machine', WHEN, '');
    assert.match(withSaga, /\(50,000 orders over 10,000 customers \(order-saga the first 2,000\), preloaded/);
    const plain = resultsBlock({ settings: benchSettings, preloadSeconds: 1, results: [workloadResult('baseline', 50_000)] }, 'cmd', 'machine', WHEN, '');
    assert.match(plain, /\(50,000 orders over 10,000 customers, preloaded/);
  });

  it('say when Redis rewrote its append-only file during a workload, and nothing when it did not', () => {
    const quiet = workloadResult('stateful', 30_000);
    const rewriting = { ...quiet, throughput: { ...quiet.throughput, redisAofRewrites: 2 } };
    assert.match(workloadNotes({ settings: benchSettings, preloadSeconds: 1, results: [rewriting] }), /Redis rewrote its append-only file 2 time\(s\) meanwhile/);
    assert.doesNotMatch(workloadNotes({ settings: benchSettings, preloadSeconds: 1, results: [quiet] }), /append-only/);
  });

  it('say "Provisional" only when the run was marked so (--provisional)', () => {
    const scaling = JSON.parse(readFileSync(new URL('../figures/scaling.json', import.meta.url), 'utf8')) as ScalingResult;
    const final = scalingBlock(scaling, 'cmd', 'machine', WHEN, '').split('\n')[1]!;
    assert.equal(final, 'Run 2026-12-07 06:40 UTC: `cmd`');
    const provisional = scalingBlock(scaling, 'cmd', 'machine', WHEN, PROVISIONAL).split('\n')[1]!;
    assert.ok(provisional.startsWith(`${PROVISIONAL}Run 2026-12-07 06:40 UTC`), provisional);
  });
});
