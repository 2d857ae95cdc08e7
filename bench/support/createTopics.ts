import type { Admin, ITopicConfig } from 'kafkajs';
import { createTopics as createHostedTopics } from '../../runtime/kafka/createTopics.ts';

/** Creates the topics with `partitions` partitions each (and the given topic configs), once every partition has a leader. */
export async function createTopics(admin: Admin, names: readonly string[], partitions: number, configEntries: ITopicConfig['configEntries'] = []): Promise<void> {
  await createHostedTopics(admin, names.map((topic) => ({ topic, numPartitions: partitions, replicationFactor: 1, configEntries })));
}
