import { isDeepStrictEqual } from 'node:util';
import { randomBytes } from 'node:crypto';
import type { Kafka } from 'kafkajs';

/**
 * Reads `topic` from the beginning (a throwaway group) until `count` distinct keys have
 * a value, and returns each key's latest JSON value; fails after `timeoutMs` saying how
 * many it saw.
 */
export function readLatestValues(kafka: Kafka, topic: string, count: number, timeoutMs = 60_000): Promise<Map<string, unknown>> {
  return readLatestUntil(kafka, topic, (seen) => seen.size >= count, `${count} keys`, timeoutMs);
}

/**
 * Reads `topic` from the beginning until each key's latest JSON value (a tombstone deleting
 * the key) is exactly `expected`; fails after `timeoutMs` saying how many keys differed.
 */
export async function readUntilLatestValues(kafka: Kafka, topic: string, expected: ReadonlyMap<string, unknown>, timeoutMs = 60_000): Promise<void> {
  // Maps compare unordered.
  await readLatestUntil(kafka, topic, (seen) => isDeepStrictEqual(seen, expected), `the expected ${expected.size} keys`, timeoutMs, (seen) => {
    const wrong = [...expected].filter(([key, value]) => !isDeepStrictEqual(seen.get(key), value)).length + [...seen.keys()].filter((key) => !expected.has(key)).length;
    return `, ${wrong} key(s) not as expected`;
  });
}

async function readLatestUntil(
  kafka: Kafka,
  topic: string,
  done: (seen: ReadonlyMap<string, unknown>) => boolean,
  what: string,
  timeoutMs: number,
  detail: (seen: ReadonlyMap<string, unknown>) => string = () => '',
): Promise<Map<string, unknown>> {
  const consumer = kafka.consumer({ groupId: `reader-${randomBytes(4).toString('hex')}` });
  const seen = new Map<string, unknown>();
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      setTimeout(() => reject(new Error(`read ${seen.size} keys from ${topic}, waiting for ${what}${detail(seen)}`)), timeoutMs).unref();
      void consumer.run({
        eachMessage: async ({ message }) => {
          const key = message.key!.toString();
          if (message.value === null) seen.delete(key);
          else seen.set(key, JSON.parse(message.value.toString()));
          if (done(seen)) resolve();
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return new Map([...seen].sort(([a], [b]) => (a < b ? -1 : 1)));
}
