import type { Admin } from 'kafkajs';
import type { RedisClient } from '../../state/redis/redisConnection.ts';
import { clearNamespace } from '../../state/redis/stateNamespace.ts';
import type { NamespaceScope } from '../../state/redis/taskKeys.ts';
import type { OffsetChange, ReplayPlan } from './replayPlan.ts';

/**
 * Carries out an in-place replay planned by `planReplay` (for `groupId`, the application's
 * group unless a shadow replay's); the group must be empty (Kafka refuses offset changes
 * otherwise). Returns how many Redis keys it deleted.
 *
 * The steps are ordered so that a failure part-way leaves an application that runs correctly
 * and that a second replay finishes: offsets move first, and while the state still holds its
 * watermarks, workers skip every record they had applied, so the old state stays whole; the
 * state goes last, and only once it is gone do workers apply records again, from the new
 * offsets, to an empty namespace.
 */
export async function applyReplay(admin: Admin, redis: RedisClient, plan: ReplayPlan, scope: NamespaceScope, groupId: string = plan.applicationId): Promise<number> {
  for (const [topic, changes] of byTopic(plan.sourceOffsets)) await setOffsets(admin, groupId, topic, changes);
  for (const [topic, deletions] of byTopic(plan.repartitionTopics)) {
    // Records up to the end read when planning: workers are stopped, so nothing was appended since.
    const nonEmpty = deletions.filter((d) => d.recordsDeleted > 0);
    if (nonEmpty.length) {
      await admin.fetchTopicMetadata({ topics: [topic] }); // kafkajs looks the partitions' leaders up only in metadata it already holds
      await admin.deleteTopicRecords({ topic, partitions: nonEmpty.map((d) => ({ partition: d.partition, offset: String(d.newOffset) })) });
    }
    await setOffsets(admin, groupId, topic, deletions);
  }
  return clearNamespace(redis, scope);
}

export function setOffsets(admin: Admin, groupId: string, topic: string, changes: readonly OffsetChange[]): Promise<void> {
  return admin.setOffsets({ groupId, topic, partitions: changes.map((c) => ({ partition: c.partition, offset: String(c.newOffset) })) });
}

export function byTopic<T extends OffsetChange>(changes: readonly T[]): Map<string, T[]> {
  const topics = new Map<string, T[]>();
  for (const change of changes) {
    let list = topics.get(change.topic);
    if (!list) topics.set(change.topic, (list = []));
    list.push(change);
  }
  return topics;
}
