import { setTimeout as sleep } from 'node:timers/promises';
import type { Admin, ITopicConfig } from 'kafkajs';

/** How long a broker may take to host the partitions of topics just created. */
const HOSTING_TIMEOUT_MS = 30_000;

/**
 * Creates the topics that do not exist yet and returns once the broker answers with a leader
 * for every partition of every one of them. kafkajs' own leader wait gives up when a broker
 * whose metadata lags the controller answers "This server does not host this
 * topic-partition" for a topic it just created (KRaft applies the creation a moment later,
 * more often on a busy machine), so this asks again until the metadata shows the leaders.
 */
export async function createTopics(admin: Admin, topics: readonly ITopicConfig[]): Promise<void> {
  const names = topics.map((t) => t.topic);
  const deadline = Date.now() + HOSTING_TIMEOUT_MS;
  try {
    await admin.createTopics({ topics: [...topics], waitForLeaders: true });
  } catch (error) {
    if (!isNotHostedYet(error)) throw error;
  }
  for (;;) {
    try {
      const { topics: described } = await admin.fetchTopicMetadata({ topics: names });
      if (described.length === names.length && described.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0))) return;
    } catch (error) {
      if (!isNotHostedYet(error)) throw error;
    }
    if (Date.now() > deadline) throw new Error(`topics ${names.join(', ')} have no leader for every partition ${HOSTING_TIMEOUT_MS / 1000} s after they were created`);
    await sleep(200);
  }
}

/** A protocol error saying a partition is not there yet, as kafkajs throws it or wraps it after its own retries. */
function isNotHostedYet(error: unknown): boolean {
  const { type, originalError } = (error ?? {}) as { type?: string; originalError?: unknown };
  if (type === 'UNKNOWN_TOPIC_OR_PARTITION' || type === 'LEADER_NOT_AVAILABLE' || type === 'NOT_LEADER_FOR_PARTITION') return true;
  return originalError !== undefined && originalError !== error && isNotHostedYet(originalError);
}
