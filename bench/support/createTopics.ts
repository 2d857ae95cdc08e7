import { setTimeout as sleep } from 'node:timers/promises';
import type { Admin, ITopicConfig } from 'kafkajs';

/**
 * Creates the topics with `partitions` partitions each (and the given topic configs). A broker
 * busy with other clients' topics sometimes answers the leader wait with
 * UNKNOWN_TOPIC_OR_PARTITION for a topic it just created: ask again until its metadata shows
 * every partition with a leader.
 */
export async function createTopics(admin: Admin, names: readonly string[], partitions: number, configEntries: ITopicConfig['configEntries'] = []): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await admin.createTopics({ topics: names.map((topic) => ({ topic, numPartitions: partitions, replicationFactor: 1, configEntries })), waitForLeaders: true });
    } catch (error) {
      if (attempt >= 5) throw error;
    }
    const metadata = await admin.fetchTopicMetadata({ topics: [...names] }).catch(() => undefined);
    if (metadata?.topics.every((t) => t.partitions.length === partitions && t.partitions.every((p) => p.leader >= 0))) return;
    if (attempt >= 5) throw new Error(`topics ${names.join(', ')} have no leaders after ${attempt} attempts`);
    await sleep(1000);
  }
}
