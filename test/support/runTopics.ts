import type { Kafka } from 'kafkajs';
import { createTopics } from '../../runtime/kafka/createTopics.ts';

/** Creates a test run's topics, each with its partition count. */
export async function createRunTopics(kafka: Kafka, topics: ReadonlyArray<{ topic: string; numPartitions: number }>): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await createTopics(admin, [...topics]);
  } finally {
    await admin.disconnect();
  }
}

/**
 * Deletes every topic whose name holds `runId`: a run's own topics, their dead-letter topics and
 * its application's internal topics alike. Best effort: a run's leftovers must not fail its test.
 */
export async function deleteRunTopics(kafka: Kafka, runId: string): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const topics = (await admin.listTopics()).filter((t) => t.includes(runId));
    await admin.deleteTopics({ topics }).catch(() => undefined);
  } finally {
    await admin.disconnect();
  }
}
