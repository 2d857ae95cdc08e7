import type { Kafka, Message, Producer } from 'kafkajs';
import { Partitioners } from 'kafkajs';
import type { CancelOrder, TopicValues } from '../../schemas/generated/types.ts';
import type { PlannedBatch } from '../../topologies/orders/load/orderGenerator.ts';
import type { OrderCatalogue, OrderTopicName } from './orderCatalogue.ts';

/** One record for a catalogued order topic, keyed as the catalogue says. */
export interface OrderRecord<T extends OrderTopicName = OrderTopicName> {
  readonly topic: T;
  readonly key: string;
  readonly value: TopicValues[T];
  /** Record timestamp (epoch ms); the producer's clock when absent. */
  readonly timestamp?: number;
}

/**
 * Writes Avro records to a run's order topics, as the order system's clients would: an
 * idempotent producer with Kafka's default partitioner (murmur2 of the key), so records land
 * where the workers and queries expect them.
 */
export class OrderProducer {
  private constructor(
    private readonly producer: Producer,
    private readonly orders: OrderCatalogue,
  ) {}

  static async connect(kafka: Kafka, orders: OrderCatalogue): Promise<OrderProducer> {
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    return new OrderProducer(producer, orders);
  }

  /** Sends the records, in one request per call; records of one topic and key keep their order. */
  async send(records: readonly OrderRecord[]): Promise<void> {
    const byTopic = new Map<string, Message[]>();
    for (const record of records) {
      const topic = this.orders.topic(record.topic);
      const message: Message = { key: record.key, value: await this.orders.serdes.serialize(topic, record.value) };
      if (record.timestamp !== undefined) message.timestamp = String(record.timestamp);
      byTopic.set(topic, [...(byTopic.get(topic) ?? []), message]);
    }
    if (byTopic.size) await this.producer.sendBatch({ topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })) });
  }

  /** Sends planned batches: each order, then the group checkout its guests belong to. Cancellations are sent later, once the saga runs. */
  sendPlanned(batches: readonly PlannedBatch[]): Promise<void> {
    return this.send(batches.flatMap(plannedRecords));
  }

  async disconnect(): Promise<void> {
    await this.producer.disconnect();
  }
}

/** A batch's records; the group's start is stamped a millisecond after its orders, as inputs of one task are applied in timestamp order. */
export function plannedRecords(batch: PlannedBatch): OrderRecord[] {
  const records: OrderRecord[] = batch.orders.map(({ order }) => ({ topic: 'orders.order.created', key: order.orderId, value: order, timestamp: order.createdAt }));
  if (batch.group) records.push({ topic: 'checkout.group.started', key: batch.group.groupCheckoutId, value: batch.group, timestamp: batch.group.startedAt + 1 });
  return records;
}

/** A customer's cancellation as a record of `orders.order.cancel`, stamped when sent. */
export function cancellationRecord(cancel: CancelOrder): OrderRecord<'orders.order.cancel'> {
  return { topic: 'orders.order.cancel', key: cancel.orderId, value: cancel };
}
