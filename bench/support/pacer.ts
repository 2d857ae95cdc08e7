import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Calls `send(count)` with however many records are due at `rate` per second since `start`,
 * every `tickMs`: a send that falls behind is caught up on the next tick, so the rate holds
 * on average; one send is in flight at a time.
 */
export class Pacer {
  sent = 0;
  private running = false;
  private loop: Promise<void> | undefined;

  constructor(
    private readonly rate: number,
    private readonly send: (count: number) => Promise<void>,
    private readonly tickMs = 50,
  ) {}

  start(): void {
    this.running = true;
    this.loop = this.run();
    this.loop.catch(() => undefined); // surfaced by stop()
  }

  /** Stops after the send in flight; rejects if a send failed. */
  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  private async run(): Promise<void> {
    const started = performance.now();
    while (this.running) {
      const due = Math.floor(((performance.now() - started) / 1000) * this.rate) - this.sent;
      if (due > 0) {
        await this.send(due);
        this.sent += due;
      }
      await sleep(this.tickMs);
    }
  }
}
