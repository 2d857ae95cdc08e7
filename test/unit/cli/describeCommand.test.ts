import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

function tributary(...args: string[]) {
  return spawnSync(process.execPath, ['bin/tributary.js', ...args], { encoding: 'utf8' });
}

describe('tributary describe', function () {
  this.timeout(30_000);
  it('prints a topology module as text', () => {
    const run = tributary('describe', 'test/unit/fixtures/wordCountTopology.ts');
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /^Topologies:\n   Sub-topology: 0\n/);
    assert.match(run.stdout, /Sink: by-word-repartition-sink \(topic: by-word-repartition\)/);
    assert.match(run.stdout, /Processor: KSTREAM-AGGREGATE-0000000003 \(stores: \[word-counts\]\)/);
  });

  it('prints Mermaid with --format mermaid', () => {
    const run = tributary('describe', 'test/unit/fixtures/wordCountTopology.ts', '--format', 'mermaid');
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /^flowchart TD\n/);
  });

  it('exits non-zero with one line for an unknown format', () => {
    const run = tributary('describe', 'test/unit/fixtures/wordCountTopology.ts', '--format', 'svg');
    assert.notEqual(run.status, 0);
    assert.match(run.stderr, /error: option '--format <format>' argument 'svg' is invalid/);
  });

  it('exits non-zero with one line for a missing module', () => {
    const run = tributary('describe', 'no/such/topology.ts');
    assert.equal(run.status, 1);
    assert.equal(run.stderr.trim(), 'error: no topology module at no/such/topology.ts');
  });
});
