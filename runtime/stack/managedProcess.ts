import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** What a pid file records: the pid plus the kernel's start time, so a recycled pid is not mistaken for ours. */
interface PidRecord {
  pid: number;
  /** Field 22 of /proc/<pid>/stat (clock ticks since boot); absent where /proc does not exist. */
  startTicks?: number;
  command: string;
}

export interface ProcessSpec {
  command: string;
  args: string[];
  cwd: string;
  env?: Record<string, string | undefined>;
}

/**
 * One long-running program of the stack, started detached (it outlives the CLI that started it),
 * with its pid in `<name>.pid` and its stdout+stderr in `<name>.log` under `dir`.
 * Every method re-reads the pid file, so separate CLI invocations agree on the state.
 */
export class ManagedProcess {
  readonly pidFile: string;
  readonly logFile: string;

  constructor(
    readonly name: string,
    dir: string,
  ) {
    this.pidFile = path.join(dir, `${name}.pid`);
    this.logFile = path.join(dir, `${name}.log`);
  }

  /** The pid of our running process, or undefined when none runs (a stale pid file is removed). */
  pid(): number | undefined {
    const record = this.readRecord();
    if (!record) return undefined;
    if (isSameProcess(record)) return record.pid;
    fs.rmSync(this.pidFile, { force: true });
    return undefined;
  }

  /** Starts the program detached; the log file is appended to, so earlier runs stay readable. */
  start(spec: ProcessSpec): number {
    fs.mkdirSync(path.dirname(this.logFile), { recursive: true });
    const log = fs.openSync(this.logFile, 'a');
    fs.writeSync(log, `\n--- ${new Date().toISOString()} ${spec.command} ${spec.args.join(' ')}\n`);
    const child = spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      env: { ...process.env, ...spec.env },
      detached: true,
      stdio: ['ignore', log, log],
    });
    fs.closeSync(log);
    if (child.pid === undefined) throw new Error(`could not spawn ${spec.command}`);
    // Ignore errors after spawn (ENOENT is reported through 'error'): aliveness is judged from /proc.
    child.on('error', () => {});
    child.unref();
    const record: PidRecord = { pid: child.pid, command: spec.command };
    const startTicks = readStartTicks(child.pid);
    if (startTicks !== undefined) record.startTicks = startTicks;
    fs.writeFileSync(this.pidFile, JSON.stringify(record));
    return child.pid;
  }

  /** Sends a signal to our process (SIGKILL, SIGSTOP, SIGCONT… for fault tests); false when none runs. */
  signal(signal: NodeJS.Signals): boolean {
    const pid = this.pid();
    if (pid === undefined) return false;
    process.kill(pid, signal);
    return true;
  }

  /**
   * Stops our process: SIGCONT (a stopped process cannot handle SIGTERM), SIGTERM, then SIGKILL
   * after `graceMs`. Resolves once the process is gone and the pid file removed.
   */
  async stop(graceMs: number): Promise<void> {
    const record = this.readRecord();
    if (!record || !isSameProcess(record)) {
      fs.rmSync(this.pidFile, { force: true });
      return;
    }
    trySignal(record.pid, 'SIGCONT');
    trySignal(record.pid, 'SIGTERM');
    const deadline = Date.now() + graceMs;
    while (isSameProcess(record) && Date.now() < deadline) await sleep(100);
    if (isSameProcess(record)) {
      trySignal(record.pid, 'SIGKILL');
      while (isSameProcess(record)) await sleep(50);
    }
    fs.rmSync(this.pidFile, { force: true });
  }

  /** The last lines of the log, for error messages when a start fails. */
  tail(lines = 15): string {
    try {
      return fs.readFileSync(this.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '';
    }
  }

  /** `see <log file>: <last lines, joined by ' | '>`, for one-line error messages. */
  logHint(lines = 5): string {
    return `see ${this.logFile}: ${this.tail(lines).replace(/\s*\n\s*/g, ' | ')}`;
  }

  private readRecord(): PidRecord | undefined {
    try {
      return JSON.parse(fs.readFileSync(this.pidFile, 'utf8')) as PidRecord;
    } catch {
      return undefined;
    }
  }
}

function trySignal(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

/** True while the recorded process runs (and is not a zombie), and its pid was not recycled. */
function isSameProcess(record: PidRecord): boolean {
  const stat = readStat(record.pid);
  if (stat === undefined) {
    if (fs.existsSync('/proc/self/stat')) return false;
    try {
      process.kill(record.pid, 0);
      return true;
    } catch {
      return false;
    }
  }
  if (stat.state === 'Z' || stat.state === 'X') return false;
  return record.startTicks === undefined || record.startTicks === stat.startTicks;
}

function readStartTicks(pid: number): number | undefined {
  return readStat(pid)?.startTicks;
}

function readStat(pid: number): { state: string; startTicks: number } | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and parentheses: split after its last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0]!, startTicks: Number(fields[19]) };
  } catch {
    return undefined;
  }
}
