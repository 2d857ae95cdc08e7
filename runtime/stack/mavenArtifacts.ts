import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Logger } from '../logger.ts';
import { DownloadError } from './stackErrors.ts';
import type { ProgressPhase, ProgressReporter } from './progressReporter.ts';

/** Written last into a cache folder: its presence means the folder is complete and Maven is not run again. */
const COMPLETE_MARKER = '.complete';

export interface MavenDownload {
  /** For the progress line, e.g. "Kafka 4.1.1 jars". */
  title: string;
  /** The cache folder to fill; replaced wholesale when its marker is missing. */
  targetDir: string;
  /** Rough size, for the progress bar. */
  expectedBytes: number;
  progress: ProgressReporter;
  logger: Logger;
}

/** True when `dir` was filled completely by an earlier download. */
export function isCached(dir: string): boolean {
  return fs.existsSync(path.join(dir, COMPLETE_MARKER));
}

/**
 * Copies the transitive dependencies of `pomFile` into `<targetDir>/libs` with
 * `mvn dependency:copy-dependencies`, once: later calls return at once while the marker exists.
 */
export async function copyPomDependencies(pomFile: string, download: MavenDownload): Promise<string> {
  const libs = path.join(download.targetDir, 'libs');
  if (isCached(download.targetDir)) return libs;
  await fillOnce(download, async (staging, phase) => {
    await runMaven(['-f', pomFile, 'dependency:copy-dependencies', `-DoutputDirectory=${path.join(staging, 'libs')}`], download, phase);
  });
  return libs;
}

/**
 * Fetches one artifact (`group:artifact:version:type[:classifier]`) with `mvn dependency:copy`,
 * then runs `unpack` on the staging folder (e.g. to extract a tar.gz), once.
 */
export async function fetchArtifact(
  coordinates: string,
  download: MavenDownload,
  unpack: (stagingDir: string) => Promise<void>,
): Promise<string> {
  if (isCached(download.targetDir)) return download.targetDir;
  await fillOnce(download, async (staging, phase) => {
    const [group, artifact, version] = coordinates.split(':');
    // A single large file prints nothing while it downloads: watch Maven's local repository for its growth.
    const watchDir = path.join(os.homedir(), '.m2', 'repository', ...group!.split('.'), artifact!, version!);
    await runMaven(['dependency:copy', `-Dartifact=${coordinates}`, `-DoutputDirectory=${staging}`], download, phase, watchDir);
    await unpack(staging);
  });
  return download.targetDir;
}

/** Fills a staging folder, then swaps it in and writes the marker, so a broken download never looks complete. */
async function fillOnce(download: MavenDownload, fill: (stagingDir: string, phase: ProgressPhase) => Promise<void>): Promise<void> {
  const staging = `${download.targetDir}.partial-${process.pid}`;
  fs.rmSync(staging, { recursive: true, force: true });
  fs.mkdirSync(staging, { recursive: true });
  const phase = download.progress.phase(`downloading ${download.title} (one time, ~${Math.round(download.expectedBytes / 1e6)} MB)`);
  const started = Date.now();
  try {
    await fill(staging, phase);
  } catch (error) {
    phase.fail();
    fs.rmSync(staging, { recursive: true, force: true });
    throw error;
  }
  fs.rmSync(download.targetDir, { recursive: true, force: true });
  fs.renameSync(staging, download.targetDir);
  fs.writeFileSync(path.join(download.targetDir, COMPLETE_MARKER), new Date().toISOString());
  phase.done(`${Math.round((Date.now() - started) / 1000)} s`);
}

const SIZE = /\((\d+(?:\.\d+)?) (B|kB|MB|GB) at /;
const UNIT: Record<string, number> = { B: 1, kB: 1e3, MB: 1e6, GB: 1e9 };

/** Runs Maven in batch mode, turning its "Downloaded from" lines (and optionally a folder's growth) into progress. */
function runMaven(args: string[], download: MavenDownload, phase: ProgressPhase, watchDir?: string): Promise<void> {
  const log = download.logger.child({ tool: 'mvn' });
  const phaseBytes = { parsed: 0 };
  return new Promise((resolve, reject) => {
    const child = spawn('mvn', ['-B', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let tail: string[] = [];
    let pending = '';
    const onData = (chunk: Buffer): void => {
      pending += chunk.toString('utf8');
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        tail = [...tail.slice(-20), line];
        const size = line.startsWith('Downloaded from') || line.includes('] Downloaded from') ? SIZE.exec(line) : null;
        if (size) phaseBytes.parsed += Number(size[1]) * UNIT[size[2]!]!;
        log.debug(line);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const timer = setInterval(() => {
      const watched = watchDir ? folderBytes(watchDir) : 0;
      phase.update(Math.max(phaseBytes.parsed, watched), download.expectedBytes);
    }, 500);
    child.on('error', (error) => {
      clearInterval(timer);
      reject(new DownloadError(download.title, error.message));
    });
    child.on('close', (code) => {
      clearInterval(timer);
      if (code === 0) return resolve();
      const reason = tail.filter((l) => l.includes('[ERROR]')).slice(0, 2).join(' ') || `mvn exited with ${code}`;
      reject(new DownloadError(download.title, reason.replace(/\s+/g, ' ').slice(0, 300)));
    });
  });
}

function folderBytes(dir: string): number {
  try {
    return fs.readdirSync(dir).reduce((sum, name) => sum + fs.statSync(path.join(dir, name)).size, 0);
  } catch {
    return 0;
  }
}
