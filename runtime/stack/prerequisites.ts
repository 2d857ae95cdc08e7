import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from '../logger.ts';
import { MissingPrerequisiteError } from './stackErrors.ts';
import type { ProgressReporter } from './progressReporter.ts';

/** A program the stack runs, and the Debian package that provides it. */
export interface Prerequisite {
  binary: string;
  debianPackage: string;
}

export const JAVA: Prerequisite = { binary: 'java', debianPackage: 'openjdk-17-jre-headless' };
export const MAVEN: Prerequisite = { binary: 'mvn', debianPackage: 'maven' };
export const REDIS_SERVER: Prerequisite = { binary: 'redis-server', debianPackage: 'redis-server' };
/** Debian's redis-server depends on redis-tools, so this is only missing where Redis came from elsewhere. */
export const REDIS_CLI: Prerequisite = { binary: 'redis-cli', debianPackage: 'redis-tools' };

/** The absolute path of `binary` on PATH, or undefined. */
export function findOnPath(binary: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, binary);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * Makes sure every prerequisite is on PATH. Missing ones are installed with one `apt-get update`
 * and one `apt-get install -y` when we run as root on a machine with apt-get (so the README's first
 * command works on a fresh Debian machine); otherwise throws MissingPrerequisiteError naming the package.
 */
export function ensurePrerequisites(needed: readonly Prerequisite[], progress: ProgressReporter, logger: Logger): void {
  const missing = dedupe(needed).filter((p) => !findOnPath(p.binary));
  if (missing.length === 0) return;
  const first = missing[0]!;
  const isRoot = process.getuid?.() === 0;
  if (!isRoot) throw new MissingPrerequisiteError(first.binary, first.debianPackage, 'not running as root, so not installing it');
  if (!findOnPath('apt-get')) throw new MissingPrerequisiteError(first.binary, first.debianPackage, 'apt-get is not available');

  const packages = missing.map((p) => p.debianPackage);
  const phase = progress.phase(`installing ${packages.join(', ')} with apt-get (one time)`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update'], ['install', '-y', '--no-install-recommends', ...packages]]) {
    const result = spawnSync('apt-get', args, { env, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
    if (result.status !== 0) {
      logger.error({ args, stderr: result.stderr }, 'apt-get failed');
      phase.fail();
      const lastLine = (result.stderr || result.stdout || '').trim().split('\n').pop() ?? '';
      throw new MissingPrerequisiteError(first.binary, first.debianPackage, `apt-get ${args[0]} failed: ${lastLine}`);
    }
  }
  phase.done();
  const stillMissing = missing.find((p) => !findOnPath(p.binary));
  if (stillMissing) throw new MissingPrerequisiteError(stillMissing.binary, stillMissing.debianPackage, 'still not on PATH after apt-get install');
}

function dedupe(list: readonly Prerequisite[]): Prerequisite[] {
  return [...new Map(list.map((p) => [p.binary, p])).values()];
}
