import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';

/**
 * A process the bench measures (a `tributary run` worker, the raw kafkajs loop, a peer's
 * JVM or Python): spawned directly, so its pid is the process doing the work and
 * /proc/<pid> describes it. Its stdout and stderr lines are kept, interleaved, for the
 * markers the bench reads and for the report when it fails.
 */
export class BenchProcess {
  readonly lines: string[] = [];
  private child: ChildProcess | undefined;
  private exit: Promise<number | null> | undefined;

  constructor(
    readonly name: string,
    private readonly command: string,
    private readonly args: readonly string[],
    private readonly options: { readonly cwd: string; readonly env: Record<string, string> },
  ) {}

  start(): this {
    const child = spawn(this.command, this.args, { cwd: this.options.cwd, env: { ...process.env, ...this.options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    for (const stream of [child.stdout!, child.stderr!]) {
      let partial = '';
      stream.on('data', (chunk: Buffer) => {
        const lines = (partial + chunk.toString()).split('\n');
        partial = lines.pop()!;
        this.lines.push(...lines);
      });
    }
    this.exit = once(child, 'exit').then(([code]) => code as number | null);
    this.child = child;
    return this;
  }

  get pid(): number {
    return this.child!.pid!;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code (null when a signal ended it). */
  async stop(graceMs = 30_000): Promise<number | null> {
    if (!this.running) return this.child ? this.child.exitCode : null;
    this.child!.kill('SIGTERM');
    const timer = setTimeout(() => this.child!.kill('SIGKILL'), graceMs);
    try {
      return await this.exit!;
    } finally {
      clearTimeout(timer);
    }
  }

  tail(lines = 30): string {
    return this.lines.slice(-lines).join('\n');
  }
}
