import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { ProcessSampler } from '../support/processSampler.ts';

describe('the process sampler', () => {
  it('reads a process’s resident set over time: what it held at an instant, and at most its peak', async () => {
    const sampler = new ProcessSampler(process.pid, 10);
    const before = Date.now();
    await sleep(50);
    const held = Buffer.alloc(64 * 2 ** 20, 1); // touched, so resident
    await sleep(50);
    const after = Date.now();
    sampler.stop();
    assert.ok(sampler.rssAt(after) - sampler.rssAt(before) >= 48 * 2 ** 20, `${sampler.rssAt(before)} → ${sampler.rssAt(after)} bytes`);
    assert.ok(sampler.rssAt(after) <= sampler.peakRss);
    assert.equal(held[0], 1);
  });
});
