import assert from 'node:assert/strict';
import fc from 'fast-check';
import { sweepPanels } from '../chart/benchCharts.ts';
import { chartSvg, escapeXml, familyOf, niceCeiling, spreadOut, type LinePanel } from '../chart/throughputChart.ts';
import type { BenchResult } from '../throughput/benchRun.ts';
import { benchSettings, workloadResult } from './benchResultFixture.ts';

describe('throughput chart', () => {
  it('ends an axis at a round number at or above the largest value, at most a third above it', () => {
    assert.equal(niceCeiling(28_450), 30_000);
    assert.equal(niceCeiling(50_968), 60_000);
    assert.equal(niceCeiling(9_283), 10_000);
    assert.equal(niceCeiling(2_000), 2_000);
    assert.equal(niceCeiling(0), 1);
    fc.assert(
      fc.property(fc.double({ min: 1e-3, max: 1e9, noNaN: true }), (v) => {
        const c = niceCeiling(v);
        assert.ok(c >= v * (1 - 1e-9) && c <= (v * 4) / 3 + 1e-9 * v, `${c} for ${v}`);
      }),
    );
  });

  it('colours a workload by its framework: the baseline, a peer by its prefix, anything else tributary', () => {
    assert.equal(familyOf('baseline'), 'baseline');
    assert.equal(familyOf('kafka-streams-join-windowed'), 'kafka-streams');
    assert.equal(familyOf('quix-stateful'), 'quix');
    assert.equal(familyOf('stateful'), 'tributary');
  });

  it('draws one bar per value, as long as its share of the axis, with labels escaped', () => {
    const svg = chartSvg('heading <x>', ['a & b'], [
      {
        title: 'panel',
        unit: 'events/s',
        bars: [
          { label: 'baseline', value: 25_000, family: 'baseline' },
          { label: 'stateful <1>', value: 5_000, note: '0.20 × baseline', family: 'tributary' },
        ],
      },
    ]);
    const widths = [...svg.matchAll(/<rect x="220" y="\d+" width="([\d.]+)" height="20"/g)].map((m) => Number(m[1]));
    assert.equal(widths.length, 2);
    // Axis to 25,000 over 450 px.
    assert.deepEqual(widths, [450, 90]);
    assert.ok(svg.includes('stateful &lt;1&gt;'));
    assert.ok(svg.includes('5,000 (0.20 × baseline)'));
    assert.ok(svg.includes('heading &lt;x&gt;') && svg.includes('a &amp; b'));
    assert.ok(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"') && svg.trimEnd().endsWith('</svg>'));
  });

  it('escapes what XML reads as markup in text and double-quoted attributes', () => {
    assert.equal(escapeXml(`<a href="x">&</a>`), '&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;');
  });

  it('draws a sweep as a line per workload over a log axis with a tick at each swept value, labelled at its right end', () => {
    const panel: LinePanel = {
      title: 'against unit size',
      unit: 'events/s',
      xLabel: 'records per unit',
      series: [
        { label: 'baseline', family: 'baseline', points: [{ x: 2000, y: 20_000 }, { x: 100, y: 10_000 }, { x: 500, y: 15_000 }] },
        { label: 'stateful <s>', family: 'tributary', points: [{ x: 100, y: 5_000 }, { x: 2000, y: 5_000 }] },
      ],
    };
    const svg = chartSvg('heading', [], [panel]);
    const lines = [...svg.matchAll(/<polyline points="([^"]+)"/g)].map((m) => m[1]!.split(' ').map((p) => p.split(',').map(Number)));
    // Plot from x 90 to 670, y 274 (0) up to 74 (20,000); 500 sits log(5) / log(20) of the way from 100 to 2000.
    assert.deepEqual(lines[0], [[90, 174], [401.6, 124], [670, 74]]);
    assert.deepEqual(lines[1], [[90, 224], [670, 224]]);
    const ticks = [...svg.matchAll(/<text x="([\d.]+)" y="290" text-anchor="middle" class="tick">([\d,]+)<\/text>/g)].map((m) => m[2]);
    assert.deepEqual(ticks, ['100', '500', '2,000']);
    assert.equal([...svg.matchAll(/<circle /g)].length, 5);
    assert.ok(svg.includes('<text x="680" y="78.0" fill="#7f7f7f">baseline</text>'));
    assert.ok(svg.includes('>stateful &lt;s&gt;</text>'));
    assert.ok(svg.includes('records per unit'));
  });

  it('moves line-end labels down just enough to keep them apart, in the order of their lines', () => {
    assert.deepEqual(spreadOut([100, 50, 105, 200], 14), [100, 50, 114, 200]);
    assert.deepEqual(spreadOut([10, 10, 10], 14), [10, 24, 38]);
    assert.deepEqual(spreadOut([], 14), []);
  });

  it('makes a panel per swept setting from the bench JSON: a line per workload that has the setting, through its runs with the others at their defaults, in order of the setting', () => {
    const result: BenchResult = {
      settings: { ...benchSettings, sweep: { unitRecords: [100, 500, 2000], commitIntervalMs: [100, 1000, 5000] } },
      preloadSeconds: 3,
      results: [
        workloadResult('baseline', 10_000, { unitRecords: 100 }),
        workloadResult('baseline', 15_000, { unitRecords: 500 }),
        workloadResult('baseline', 20_000, { unitRecords: 2000 }),
        workloadResult('stateful', 4_000, { unitRecords: 100, commitIntervalMs: 1000 }),
        workloadResult('stateful', 6_000, { unitRecords: 500, commitIntervalMs: 1000 }),
        workloadResult('stateful', 7_000, { unitRecords: 2000, commitIntervalMs: 1000 }),
        workloadResult('stateful', 5_000, { unitRecords: 500, commitIntervalMs: 100 }),
        workloadResult('stateful', 6_500, { unitRecords: 500, commitIntervalMs: 5000 }),
        workloadResult('kafka-streams-stateful', 8_000, { commitIntervalMs: 100 }),
        workloadResult('kafka-streams-stateful', 9_000, { commitIntervalMs: 1000 }),
        workloadResult('quix-stateful', 5_000, {}),
      ],
    };
    const [unit, commit] = sweepPanels(result);
    const curves = (panel: LinePanel | undefined) => panel?.series.map((s) => [s.label, s.family, s.points.map((p) => [p.x, p.y])]);
    assert.deepEqual(curves(unit), [
      ['baseline', 'baseline', [[100, 10_000], [500, 15_000], [2000, 20_000]]],
      ['stateful', 'tributary', [[100, 4_000], [500, 6_000], [2000, 7_000]]],
    ]);
    assert.equal(unit!.note, "Other settings at the worker's defaults (commit interval 1,000 ms). Not drawn, no unit size setting: kafka-streams-stateful, quix-stateful.");
    assert.deepEqual(curves(commit), [
      ['stateful', 'tributary', [[100, 5_000], [1000, 6_000], [5000, 6_500]]],
      ['kafka-streams-stateful', 'kafka-streams', [[100, 8_000], [1000, 9_000]]],
    ]);
    assert.ok(commit!.note!.endsWith('Not drawn, no commit interval setting: baseline, quix-stateful.'));
    assert.deepEqual(sweepPanels({ ...result, settings: { ...benchSettings, sweep: { commitIntervalMs: [100] } } }).map((p) => p.title), ['Throughput against commit interval, 50,000 orders preloaded']);
    assert.deepEqual(sweepPanels({ ...result, settings: benchSettings }), []);
  });
});
