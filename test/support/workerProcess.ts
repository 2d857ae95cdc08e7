import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../..', import.meta.url));

/** What fault tests run workers with: a short session, so a frozen or killed worker loses its tasks in seconds, and frequent punctuation. */
export const FAULT_WORKER_ENV: Readonly<Record<string, string>> = {
  TRIBUTARY_SESSION_TIMEOUT_MS: '6000',
  TRIBUTARY_COMMIT_INTERVAL_MS: '200',
};

/**
 * A `tributary run` worker as a real child process, for fault tests: it can be
 * SIGKILLed, SIGSTOPped and resumed, or stopped with SIGTERM like in production.
 * Its log lines (pino JSON on stderr) are kept for assertions and for the failure report.
 */
export class WorkerProcess {
  readonly logs: string[] = [];
  private child: ChildProcess | undefined;
  private exit: Promise<number | null> | undefined;

  constructor(
    readonly name: string,
    private readonly args: readonly string[],
    private readonly env: Record<string, string>,
  ) {}

  start(): this {
    const child = spawn('node', ['bin/tributary.js', 'run', ...this.args], {
      cwd: REPO,
      env: { ...process.env, TRIBUTARY_LOG_LEVEL: 'info', ...this.env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let partial = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop()!;
      this.logs.push(...lines);
    });
    this.exit = once(child, 'exit').then(([code]) => code as number | null);
    this.child = child;
    return this;
  }

  get pid(): number {
    return this.child!.pid!;
  }

  signal(signal: NodeJS.Signals): void {
    this.child?.kill(signal);
  }

  /** SIGKILL, and wait until the process is gone. */
  async kill(): Promise<void> {
    if (!this.running) return;
    this.child!.kill('SIGKILL');
    await this.exit;
  }

  /** SIGTERM; resolves with the exit code. */
  async stop(): Promise<number | null> {
    if (!this.running) return this.child ? this.child.exitCode : null;
    this.child!.kill('SIGTERM');
    return this.exit!;
  }

  /** Resolves with the exit code (null when a signal ended it) once the process is gone. */
  exited(): Promise<number | null> {
    return this.exit!;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Waits until a log line matches, or fails after `timeoutMs` showing the last lines. */
  async waitForLog(pattern: RegExp, timeoutMs = 60_000, from = 0): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const line = this.logs.slice(from).find((l) => pattern.test(l));
      if (line) return line;
      if (!this.running) throw new Error(`${this.name} exited before logging ${pattern}:\n${this.tail()}`);
      if (Date.now() > deadline) throw new Error(`${this.name} did not log ${pattern} within ${timeoutMs} ms:\n${this.tail()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  tail(lines = 30): string {
    return this.logs.slice(-lines).join('\n');
  }
}
