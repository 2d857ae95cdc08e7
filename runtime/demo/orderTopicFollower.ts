import { randomBytes } from 'node:crypto';
import type { Consumer, Kafka } from 'kafkajs';
import type { OrderCatalogue, RunTopicName, RunTopicValues } from './orderCatalogue.ts';

/** One record read from a run's order topic, decoded; a union over the topics, so checking `topic` narrows `value`. */
export type FollowedRecord<T extends RunTopicName = RunTopicName> = T extends RunTopicName
  ? {
      readonly topic: T;
      readonly key: string;
      readonly value: RunTopicValues[T];
      readonly partition: number;
      readonly offset: string;
      readonly timestamp: number;
    }
  : never;

/**
 * Reads order topics (the catalogue's, Avro, or the Order aggregate's, JSON) from their
 * beginning as the order system's consumers do (committed transactions only, so what
 * exactly-once workers aborted is never seen), in a throwaway group, and hands each decoded
 * record to `onRecord` in partition order. Resolves once the consumer runs; `stop()` leaves
 * the group.
 */
export class OrderTopicFollower {
  private constructor(private readonly consumer: Consumer) {}

  static async start<T extends RunTopicName>(kafka: Kafka, orders: OrderCatalogue, topics: readonly T[], onRecord: (record: FollowedRecord<T>) => void): Promise<OrderTopicFollower> {
    const consumer = kafka.consumer({ groupId: `${orders.prefix}follower-${randomBytes(4).toString('hex')}`, readUncommitted: false });
    await consumer.connect();
    const byFullName = new Map<string, T>(topics.map((t) => [orders.topic(t), t]));
    await consumer.subscribe({ topics: [...byFullName.keys()], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        const value = (await orders.decode(topic, message.value!)) as RunTopicValues[T];
        onRecord({ topic: byFullName.get(topic)!, key: message.key!.toString(), value, partition, offset: message.offset, timestamp: Number(message.timestamp) } as FollowedRecord<T>);
      },
    });
    return new OrderTopicFollower(consumer);
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect();
  }
}
