import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import fc from 'fast-check';
import { createLogger } from '../../../runtime/logger.ts';
import { OutboxRelay } from '../../../runtime/outbox/outboxRelay.ts';
import { RedisCommandOutbox, type OutboxRecord, type PendingRecord } from '../../../state/redis/commandOutbox.ts';

/** The outbox as the relay sees it: records in order, trimmed by entry id. */
class OutboxModel {
  private next = 0;
  entries: PendingRecord[] = [];

  add(record: OutboxRecord): void {
    this.entries.push({ entryId: String(this.next++), record });
  }

  async lease(): Promise<boolean> {
    return true;
  }

  async pending(count: number): Promise<PendingRecord[]> {
    return this.entries.slice(0, count);
  }

  async trim(entryIds: readonly string[]): Promise<void> {
    this.entries = this.entries.filter((e) => !entryIds.includes(e.entryId));
  }
}

/** What a send attempt does: succeed, fail before Kafka has the batch (Kafka down), or fail after (a crash before the trim). */
type Attempt = 'ok' | 'down' | 'crash';

describe('OutboxRelay', () => {
  it('delivers every record, in order per key, whatever the send attempts do; only crashed batches come twice, with their event ids', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom('a', 'b', 'c'), { minLength: 1, maxLength: 30 }),
        fc.array(fc.constantFrom<Attempt>('ok', 'ok', 'down', 'crash'), { maxLength: 4 }),
        fc.integer({ min: 1, max: 8 }),
        async (keys, attempts, batchSize) => {
          const outbox = new OutboxModel();
          const written = keys.map((key, i) => RedisCommandOutbox.record('t', key, i));
          written.forEach((r) => outbox.add(r));
          const delivered: OutboxRecord[] = [];
          let expectedExtra = 0;
          let attempt = 0;
          const relay = OutboxRelay.start({
            outbox,
            batchSize,
            idleMs: 1,
            logger: createLogger('silent'),
            sender: {
              async send(records) {
                const outcome = attempts[attempt++] ?? 'ok';
                if (outcome === 'down') throw new Error('kafka down');
                delivered.push(...records);
                if (outcome === 'crash') {
                  expectedExtra += records.length;
                  throw new Error('crashed before trim');
                }
              },
            },
          });
          while (outbox.entries.length) await sleep(5);
          await relay.stop();
          assert.deepEqual(new Set(delivered.map((r) => r.id)), new Set(written.map((r) => r.id)));
          assert.equal(delivered.length, written.length + expectedExtra);
          for (const key of ['a', 'b', 'c']) {
            const firstSeen = [...new Set(delivered.filter((r) => r.key === key).map((r) => r.value as number))];
            assert.deepEqual(firstSeen, written.filter((r) => r.key === key).map((r) => r.value as number));
          }
          // A resend is the same record: same event id, same value.
          for (const record of delivered) assert.deepEqual(record, written.find((w) => w.id === record.id));
        },
      ),
      { numRuns: 15 },
    );
  });
});
