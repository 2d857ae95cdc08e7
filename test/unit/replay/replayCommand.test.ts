import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

const FIXTURE = 'test/integration/replay/fixtures/projectionTopology.ts';

/**
 * The CLI with no broker or Redis behind it: what these tests check is refused before connecting.
 * The parsers' cases are in resetTarget.test.ts; these check what the user sees.
 */
function tributary(...args: string[]) {
  return spawnSync(process.execPath, ['bin/tributary.js', ...args], { encoding: 'utf8', env: { ...process.env, KAFKA_BROKERS: 'localhost:1', REDIS_URL: 'redis://localhost:1' } });
}

describe('tributary replay with arguments that make no sense', function () {
  this.timeout(60_000);

  const refusals: Array<[string, string[], string]> = [
    ['a time that is not ISO 8601', ['--to-datetime', 'yesterday'], "error: --to-datetime must be an ISO 8601 date and time such as 2026-01-31T09:30:00Z, not 'yesterday'"],
    ['an offsets list that does not parse', ['--offsets', 'orders:0'], "error: --offsets takes topic:partition=offset,… (e.g. orders:0=42,orders:1=7), and 'orders:0' is not one"],
    ['two reset targets', ['--to-earliest', '--by-duration', 'PT1H'], 'error: give one of --to-earliest, --to-datetime, --by-duration, --offsets (got --to-earliest and --by-duration)'],
    ['--shadow with --follow', ['--shadow', '--follow'], 'error: --shadow reports its own progress and ends after the switch; --follow watches an in-place replay'],
    ['--cutover-lag without --shadow', ['--cutover-lag', '10'], 'error: --cutover-lag says when --shadow switches; pass --shadow too'],
    ['a cutover lag that is not a number', ['--shadow', '--cutover-lag', 'many'], "error: --cutover-lag takes a number of records, not 'many'"],
  ];
  for (const [what, args, line] of refusals) {
    it(`exits 1 with one line for ${what}`, () => {
      const run = tributary('replay', FIXTURE, ...args);
      assert.equal(run.status, 1, run.stderr);
      assert.equal(run.stderr, `${line}\n`);
      assert.equal(run.stdout, '');
    });
  }
});
