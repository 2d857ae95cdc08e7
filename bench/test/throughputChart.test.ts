import assert from 'node:assert/strict';
import fc from 'fast-check';
import { barChartSvg, escapeXml, familyOf, niceCeiling } from '../chart/throughputChart.ts';

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
    const svg = barChartSvg('heading <x>', ['a & b'], [
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
});
