import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { ProcessSampler } from '../support/processSampler.ts';

describe('the process sampler', () => {
  it('reads a process’s resident set over time: what it held at an instant, and at most its peak', async () => {
    // A fresh process that touches 64 MiB when told: its resident set must grow by about that much.
    const child = spawn(process.execPath, ['-e', "process.stdin.once('data', () => { globalThis.held = Buffer.alloc(64 * 2 ** 20, 1); console.log('held'); }); setTimeout(() => {}, 60_000);"], { stdio: ['pipe', 'pipe', 'inherit'] });
    try {
      const sampler = new ProcessSampler(child.pid!, 10);
      await sleep(200);
      const before = Date.now();
      child.stdin!.write('go\n');
      await once(child.stdout!, 'data');
      await sleep(200);
      const after = Date.now();
      sampler.stop();
      assert.ok(sampler.rssAt(after) - sampler.rssAt(before) >= 48 * 2 ** 20, `${sampler.rssAt(before)} → ${sampler.rssAt(after)} bytes`);
      assert.ok(sampler.rssAt(after) <= sampler.peakRss);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
