import type { Producer } from 'kafkajs';
import type { Serdes } from '../../processors/serdes.ts';
import type { OutboxRecord } from '../../state/redis/commandOutbox.ts';
import type { RecordSender } from './outboxRelay.ts';

/** The header carrying an outbox record's event id, the same on every resend. */
export const EVENT_ID_HEADER = 'event-id';

/**
 * Sends outbox records with a kafkajs producer (make it idempotent, with one request in
 * flight, so a batch keeps its order per partition and a retried request is not written
 * twice), serialized with the serdes of their topic and keyed as Kafka's default
 * partitioner places them, each with its event id in the `event-id` header.
 */
export function kafkaRecordSender(producer: Producer, serdesOf: (topic: string) => Serdes<unknown, unknown>): RecordSender {
  return {
    async send(records) {
      const byTopic = new Map<string, OutboxRecord[]>();
      for (const record of records) {
        const ofTopic = byTopic.get(record.topic);
        if (ofTopic) ofTopic.push(record);
        else byTopic.set(record.topic, [record]);
      }
      const topicMessages = await Promise.all(
        [...byTopic].map(async ([topic, ofTopic]) => {
          const serdes = serdesOf(topic);
          const messages = await Promise.all(
            ofTopic.map(async (r) => ({ key: await serdes.key.serialize(topic, r.key), value: await serdes.value.serialize(topic, r.value as never), headers: { [EVENT_ID_HEADER]: r.id } })),
          );
          return { topic, messages };
        }),
      );
      await producer.sendBatch({ topicMessages, acks: -1 });
    },
  };
}
