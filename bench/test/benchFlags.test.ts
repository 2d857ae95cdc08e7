import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../..', import.meta.url));

/** Runs a bench entry point with `args`; a flag that makes no sense stops it before it touches the stack. */
function run(script: string, args: readonly string[]): { status: number | null; stderr: string } {
  const result = spawnSync(process.execPath, ['--import', 'tsx', script, ...args], { cwd: REPO, encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, stderr: result.stderr.trim() };
}

describe('bench flags', function () {
  this.timeout(60_000);

  it('npm run bench refuses a --saga-orders that is not a positive integer, in one line naming the flag', () => {
    const { status, stderr } = run('bench/main.ts', ['--saga-orders', '0']);
    assert.equal(status, 1);
    assert.equal(stderr, "error: --saga-orders must be a positive integer, not '0'");
  });
});
