import { setTimeout as sleep } from 'node:timers/promises';
import type { Admin } from 'kafkajs';
import { partitionLag, type PartitionLag } from './partitionLag.ts';

/**
 * Every partition of `topics` with the group's committed offset, the log's start and end
 * offsets and the lag, sorted by topic and partition. The committed offsets are read before
 * the log ends, so a record committed meanwhile can only make the lag look larger, never
 * hide one that is still to be read.
 */
export async function readPartitionLags(admin: Admin, groupId: string, topics: readonly string[]): Promise<PartitionLag[]> {
  if (!topics.length) return [];
  const committed = new Map<string, number>();
  for (const { topic, partitions } of await admin.fetchOffsets({ groupId, topics: [...topics] })) {
    for (const { partition, offset } of partitions) if (Number(offset) >= 0) committed.set(`${topic}:${partition}`, Number(offset));
  }
  const rows: PartitionLag[] = [];
  for (const topic of [...topics].sort()) {
    const offsets = await untilLeadersAnswer(() => admin.fetchTopicOffsets(topic));
    for (const { partition, low, high } of offsets.sort((a, b) => a.partition - b.partition)) {
      const committedOffset = committed.get(`${topic}:${partition}`) ?? null;
      const logEndOffset = Number(high);
      rows.push({ topic, partition, committedOffset, logStartOffset: Number(low), logEndOffset, lag: partitionLag(committedOffset, logEndOffset) });
    }
  }
  return rows;
}

/**
 * Asks again, for a few seconds, while the broker answers with a retriable error: a partition
 * created a moment ago answers NOT_LEADER_OR_FOLLOWER until its leader is elected, and kafkajs'
 * fetchTopicOffsets gives that up at once.
 */
async function untilLeadersAnswer<T>(operation: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      if (attempt >= 6 || !(error as { retriable?: boolean }).retriable) throw error;
      await sleep(100 * 2 ** attempt);
    }
  }
}
