import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadStackConfig } from '../../runtime/config.ts';

/** Written last: a folder without it is incomplete and is installed again. */
const COMPLETE = '.complete';

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)) : [path.join(dir, e.name)]))
    .sort();
}

/**
 * `<cache>/bench/<name>-<hash of the project's files>`, filled by `install` once: an edit of the
 * project installs afresh, an interrupted install is redone (the folder is removed first).
 */
export async function cachedInstall(name: string, project: string, install: (dir: string) => Promise<void>): Promise<string> {
  const hash = createHash('sha256');
  for (const file of files(project)) hash.update(path.relative(project, file)).update(readFileSync(file));
  const dir = path.join(loadStackConfig().cacheDir, 'bench', `${name}-${hash.digest('hex').slice(0, 12)}`);
  if (existsSync(path.join(dir, COMPLETE))) return dir;
  rmSync(dir, { recursive: true, force: true });
  try {
    await install(dir);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  writeFileSync(path.join(dir, COMPLETE), new Date().toISOString());
  return dir;
}
