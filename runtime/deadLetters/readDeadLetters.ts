import { randomUUID } from 'node:crypto';
import type { DeadLetter } from './deadLetter.ts';
import { requireTopic, type DeadLetterKafka } from './deadLetterKafka.ts';
import { resolveDeadLetterTopic } from './deadLetterTopicPattern.ts';
import { scanTopic } from './scanTopic.ts';

export interface DeadLetterListing {
  /** The dead-letter topic that was read. */
  readonly topic: string;
  /** In dead-letter partition order, then offset order. */
  readonly letters: readonly DeadLetter[];
}

/**
 * The dead letters of `topic` (its dead-letter topic under the workers' pattern `deadLetterTopic`,
 * default `<topic>.dlq`, or `topic` itself when it is one), from
 * the beginning up to the end the topic had when the call started; with `limit`, the first
 * `limit` of them in partition and offset order. Reads as a throwaway consumer group that
 * commits nothing and is deleted afterwards, so no group's progress (replay's included) moves.
 * Throws DeadLetterTopicNotFoundError when the topic does not exist.
 */
export async function readDeadLetters(client: DeadLetterKafka, topic: string, options: { readonly limit?: number; readonly deadLetterTopic?: string } = {}): Promise<DeadLetterListing> {
  const dlqTopic = resolveDeadLetterTopic(topic, options.deadLetterTopic);
  await requireTopic(client.admin, dlqTopic);
  const letters: DeadLetter[] = [];
  await scanTopic(client.kafka, client.admin, dlqTopic, {
    groupId: `tributary-dlq-list-${randomUUID()}`,
    commit: false,
    deleteGroupAfter: true,
    ...(options.limit === undefined ? {} : { limitPerPartition: options.limit }),
    logger: client.logger,
    onBatch: async (batch) => {
      letters.push(...batch);
    },
  });
  letters.sort((a, b) => a.dlqPartition - b.dlqPartition || Number(a.dlqOffset) - Number(b.dlqOffset));
  return { topic: dlqTopic, letters: letters.slice(0, options.limit ?? Infinity) };
}
