import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { OutboxRecord, RedisCommandOutbox } from '../../state/redis/commandOutbox.ts';
import type { Logger } from '../logger.ts';
import { retryUntilDone } from '../worker/retryUntilDone.ts';

/** Where the relay sends records; resolves once the broker acknowledged every one of them. */
export interface RecordSender {
  send(records: readonly OutboxRecord[]): Promise<void>;
}

export interface OutboxRelayOptions {
  /** The application's outbox (a RedisCommandOutbox). */
  readonly outbox: Pick<RedisCommandOutbox, 'lease' | 'pending' | 'trim'>;
  readonly sender: RecordSender;
  readonly logger: Logger;
  /** Records sent per pass (default 500). */
  readonly batchSize?: number;
  /** Pause after a pass that found nothing to send (default 100 ms). */
  readonly idleMs?: number;
  /** How long the relay lease lasts without renewal (default 10 s): a relay that died is replaced after it. */
  readonly leaseMs?: number;
}

const DEFAULT_BATCH_SIZE = 500;
const DEFAULT_IDLE_MS = 100;
const DEFAULT_LEASE_MS = 10_000;

/**
 * Moves an outbox's records to Kafka, oldest first: sends a batch, and only once Kafka
 * acknowledged it, trims it from the outbox. At least once: a relay that fails or dies
 * between send and trim leaves the batch in the outbox and it is sent again, with the same
 * event ids, so consumers dedupe by them. An outage of Redis or Kafka is waited out and
 * retried, nothing is dropped. One relay per application sends at a time (a lease in Redis,
 * renewed every pass), so the workers of an application do not all send the same records;
 * the others take over when its lease expires.
 */
export class OutboxRelay {
  /** Settles when the relay stopped. */
  readonly done: Promise<void>;
  private readonly abort = new AbortController();
  private readonly holder = randomUUID();

  private constructor(private readonly options: OutboxRelayOptions) {
    this.done = this.run();
  }

  static start(options: OutboxRelayOptions): OutboxRelay {
    return new OutboxRelay(options);
  }

  /** Stops after the pass in flight (a batch sent but not trimmed is sent again by the next relay). */
  async stop(): Promise<void> {
    this.abort.abort();
    await this.done;
  }

  private async run(): Promise<void> {
    const { logger } = this.options;
    const signal = this.abort.signal;
    while (!signal.aborted) {
      const sent = await retryUntilDone('outbox relay', () => this.pass(), { fatal: () => false, signal, logger }).catch(() => 0);
      if (sent === 0) await sleep(this.options.idleMs ?? DEFAULT_IDLE_MS, undefined, { signal }).catch(() => undefined);
    }
  }

  /** Sends and trims one batch; the number of records relayed. */
  private async pass(): Promise<number> {
    const { outbox, sender } = this.options;
    if (!(await outbox.lease(this.holder, this.options.leaseMs ?? DEFAULT_LEASE_MS))) return 0;
    const batch = await outbox.pending(this.options.batchSize ?? DEFAULT_BATCH_SIZE);
    if (batch.length === 0) return 0;
    await sender.send(batch.map((p) => p.record));
    await outbox.trim(batch.map((p) => p.entryId));
    return batch.length;
  }
}
