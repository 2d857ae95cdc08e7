import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

function tributary(...args: string[]) {
  return spawnSync(process.execPath, ['bin/tributary.js', ...args], { encoding: 'utf8', env: { ...process.env, KAFKA_BROKERS: 'localhost:1' } });
}

describe('tributary lag without what it needs', function () {
  this.timeout(60_000);

  it('exits 1 with one line for a topology module that does not exist', () => {
    const run = tributary('lag', 'no/such/topology.ts', '--json');
    assert.equal(run.status, 1);
    assert.equal(run.stderr, 'error: no topology module at no/such/topology.ts\n');
    assert.equal(run.stdout, '');
  });

  it('exits 1 with one line when no broker answers', () => {
    const run = tributary('lag', 'test/unit/fixtures/wordCountTopology.ts');
    assert.equal(run.status, 1);
    assert.equal(run.stderr, 'error: cannot reach Kafka at localhost:1 (set --brokers or KAFKA_BROKERS, or start the local stack with `tributary stack up`)\n');
    assert.equal(run.stdout, '');
  });
});
