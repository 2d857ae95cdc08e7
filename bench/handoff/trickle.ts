import type { Producer } from 'kafkajs';
import { Pacer } from '../support/pacer.ts';

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
 * fixed rate (see Pacer), until stopped. Remembers what it sent per key (the sum), so the
 * state can be checked afterwards.
 */
export class Trickle {
  /** Sum of the values sent per key. */
  readonly sums = new Map<string, number>();
  private readonly pacer: Pacer;

  constructor(producer: Producer, options: TrickleOptions) {
    const { topic, keyCount, keyOf } = options;
    this.pacer = new Pacer(
      options.rate,
      async (due) => {
        const messages = [];
        for (let i = 0; i < due; i++) {
          const key = keyOf(Math.floor(Math.random() * keyCount));
          const value = 1 + Math.floor(Math.random() * 9);
          this.sums.set(key, (this.sums.get(key) ?? 0) + value);
          messages.push({ key, value: JSON.stringify(value) });
        }
        await producer.send({ topic, messages, acks: -1 });
      },
      options.tickMs,
    );
  }

  get sent(): number {
    return this.pacer.sent;
  }

  start(): void {
    this.pacer.start();
  }

  /** Stops after the send in flight; rejects if a send failed. */
  stop(): Promise<void> {
    return this.pacer.stop();
  }
}
