import { randomBytes } from 'node:crypto';
import type { Kafka } from 'kafkajs';

/**
 * Reads `topic` from the beginning (a throwaway group) until `count` distinct keys have
 * a value, and returns each key's latest JSON value; fails after `timeoutMs` saying how
 * many it saw.
 */
export async function readLatestValues(kafka: Kafka, topic: string, count: number, timeoutMs = 60_000): Promise<Map<string, unknown>> {
  const consumer = kafka.consumer({ groupId: `reader-${randomBytes(4).toString('hex')}` });
  const seen = new Map<string, unknown>();
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      setTimeout(() => reject(new Error(`read ${seen.size} of ${count} keys from ${topic}`)), timeoutMs).unref();
      void consumer.run({
        eachMessage: async ({ message }) => {
          seen.set(message.key!.toString(), JSON.parse(message.value!.toString()));
          if (seen.size >= count) resolve();
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return new Map([...seen].sort(([a], [b]) => (a < b ? -1 : 1)));
}
