import { setTimeout as sleep } from 'node:timers/promises';
import type { Producer } from 'kafkajs';

export interface TrickleOptions {
  readonly topic: string;
  /** Records per second, spread evenly (a send every `tickMs`). */
  readonly rate: number;
  readonly keyCount: number;
  readonly keyOf: (i: number) => string;
  readonly tickMs?: number;
}

/**
 * A steady stream of numbers (1–9) on keys drawn uniformly from the whole keyspace, at a
 * fixed rate, until stopped. A send that falls behind is caught up on the next tick, so the
 * rate holds on average; one send is in flight at a time. Remembers what it sent per key
 * (the sum), so the state can be checked afterwards.
 */
export class Trickle {
  /** Sum of the values sent per key. */
  readonly sums = new Map<string, number>();
  sent = 0;
  private running = false;
  private loop: Promise<void> | undefined;

  constructor(
    private readonly producer: Producer,
    private readonly options: TrickleOptions,
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
    const { rate, topic, keyCount, keyOf } = this.options;
    const tickMs = this.options.tickMs ?? 50;
    const started = performance.now();
    while (this.running) {
      const due = Math.floor(((performance.now() - started) / 1000) * rate) - this.sent;
      if (due > 0) {
        const messages = [];
        for (let i = 0; i < due; i++) {
          const key = keyOf(Math.floor(Math.random() * keyCount));
          const value = 1 + Math.floor(Math.random() * 9);
          this.sums.set(key, (this.sums.get(key) ?? 0) + value);
          messages.push({ key, value: JSON.stringify(value) });
        }
        await this.producer.send({ topic, messages, acks: -1 });
        this.sent += due;
      }
      await sleep(tickMs);
    }
  }
}
