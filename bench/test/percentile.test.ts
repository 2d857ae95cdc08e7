import assert from 'node:assert/strict';
import fc from 'fast-check';
import { percentile } from '../support/percentile.ts';

describe('percentile', () => {
  it('is the nearest-rank quantile: an observed value with at least q·n values at or below it and fewer below', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -1000, max: 1000 }), { minLength: 1, maxLength: 200 }), fc.double({ min: 0.001, max: 1, noNaN: true }), (values, q) => {
        const sorted = [...values].sort((a, b) => a - b);
        const p = percentile(sorted, q);
        const rank = Math.ceil(q * sorted.length);
        assert.ok(sorted.includes(p));
        assert.ok(sorted.filter((v) => v <= p).length >= rank);
        assert.ok(sorted.filter((v) => v < p).length < rank);
      }),
    );
  });

  it('is NaN for no values', () => {
    assert.ok(Number.isNaN(percentile([], 0.5)));
  });
});
