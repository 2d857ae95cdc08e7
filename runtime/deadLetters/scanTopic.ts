import type { Admin, Kafka } from 'kafkajs';
import type { Logger } from '../logger.ts';
import { toDeadLetter, type DeadLetter } from './deadLetter.ts';
import { DeadLetterReadStalledError } from './deadLetterErrors.ts';

export interface ScanOptions {
  /** The consumer group to read as: its committed offsets say where each partition starts (none: the beginning). */
  readonly groupId: string;
  /** Commit each batch's end to `groupId` once `onBatch` has resolved; otherwise nothing is ever committed. */
  readonly commit: boolean;
  /** Delete `groupId` afterwards (a throwaway group that must leave no trace). */
  readonly deleteGroupAfter: boolean;
  /** Hand at most this many records of each partition to `onBatch`, then stop reading it. */
  readonly limitPerPartition?: number;
  /** No batch for this long ends the scan with DeadLetterReadStalledError. */
  readonly idleTimeoutMs?: number;
  readonly logger: Logger;
  /** One partition's next records, in offset order; calls never overlap. */
  onBatch(letters: readonly DeadLetter[]): Promise<void>;
}

/**
 * Reads `topic` as the consumer group `groupId`, from the group's committed offsets (or the
 * beginning) up to the topic's end as it was when the scan started, then stops: records
 * that arrive meanwhile are left for the next scan. The end is the last stable offset
 * (read_committed), so dead letters of open transactions are neither read nor waited for.
 *
 * Invariant: an offset committed to `groupId` is never past a record `onBatch` has not
 * finished with, and never past the end the scan started for.
 */
export async function scanTopic(kafka: Kafka, admin: Admin, topic: string, options: ScanOptions): Promise<void> {
  const offsets = await admin.fetchTopicOffsets(topic);
  const [committed] = await admin.fetchOffsets({ groupId: options.groupId, topics: [topic] });
  const ends = new Map(offsets.map((o) => [o.partition, Number(o.high)]));
  // Kafka resets a committed offset below the log start (retention) to the beginning, as we do here.
  const starts = new Map(offsets.map((o) => [o.partition, Math.max(Number(o.low), Number(committed?.partitions.find((c) => c.partition === o.partition)?.offset ?? -1))]));
  const pending = new Set(offsets.filter((o) => starts.get(o.partition)! < ends.get(o.partition)!).map((o) => o.partition));
  if (!pending.size) return;

  const delivered = new Map<number, number>();
  const consumer = kafka.consumer({
    groupId: options.groupId,
    allowAutoTopicCreation: false,
    maxWaitTimeInMs: 500,
    retry: { retries: 5, restartOnFailure: async () => false },
  });
  let settle!: { resolve: () => void; reject: (error: unknown) => void };
  const finished = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
  finished.catch(() => undefined); // awaited below; a failure while connecting must not count as unhandled
  let failed = false;
  const fail = (error: unknown): void => {
    failed = true;
    settle.reject(error);
  };
  const idleMs = options.idleTimeoutMs ?? 30_000;
  let idle: NodeJS.Timeout | undefined;
  let stopped = false;
  const progressed = (): void => {
    clearTimeout(idle);
    if (stopped) return;
    idle = setTimeout(() => fail(new DeadLetterReadStalledError(topic, idleMs)), idleMs);
  };
  const done = (partition: number): void => {
    pending.delete(partition);
    if (!pending.size) settle.resolve();
  };

  consumer.on(consumer.events.CRASH, ({ payload }) => fail(payload.error));
  // Fires for every batch, also those holding only transaction markers (which never reach eachBatch).
  consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
    progressed();
    if (pending.has(payload.partition) && Number(payload.lastOffset) + 1 >= ends.get(payload.partition)!) done(payload.partition);
  });

  try {
    progressed();
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        const { partition } = batch;
        if (failed || !pending.has(partition)) return;
        const end = ends.get(partition)!;
        const start = starts.get(partition)!;
        let messages = batch.messages.filter((m) => Number(m.offset) >= start && Number(m.offset) < end);
        const room = options.limitPerPartition === undefined ? Infinity : options.limitPerPartition - (delivered.get(partition) ?? 0);
        // A record past the limit exists: that is all there is to know about this partition.
        const cut = messages.length > room;
        if (cut) messages = messages.slice(0, room);
        try {
          if (messages.length) await options.onBatch(messages.map((m) => toDeadLetter(topic, partition, m)));
          delivered.set(partition, (delivered.get(partition) ?? 0) + messages.length);
          if (options.commit) {
            const last = messages[messages.length - 1];
            const next = !cut ? Math.min(Number(batch.lastOffset()) + 1, end) : last ? Number(last.offset) + 1 : undefined;
            if (next !== undefined) await consumer.commitOffsets([{ topic, partition, offset: String(next) }]);
          }
        } catch (error) {
          fail(error);
          return;
        }
        if (cut) done(partition);
      },
    });
    await finished;
  } finally {
    stopped = true;
    clearTimeout(idle);
    await consumer.disconnect().catch((error: unknown) => options.logger.warn({ err: error, topic }, 'disconnecting the dead-letter reader failed'));
    if (options.deleteGroupAfter) {
      await admin.deleteGroups([options.groupId]).catch((error: unknown) => options.logger.debug({ err: error, group: options.groupId }, 'the throwaway group was not deleted (Kafka expires it)'));
    }
  }
}
