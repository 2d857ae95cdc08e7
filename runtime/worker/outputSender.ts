import { Partitioners, type Consumer, type Kafka, type Message, type Producer, type TopicMessages } from 'kafkajs';
import type { Logger } from '../logger.ts';
import type { OutboxRecord } from './outboxRecord.ts';

/** The next offset to read of one input partition: what a commit records. */
export interface InputPosition {
  readonly topic: string;
  readonly partition: number;
  /** The offset after the last applied record (Kafka's committed-offset convention). */
  readonly offset: number;
}

/** A newer owner's producer took over this task's transactional id. */
export class ProducerFencedError extends Error {
  readonly code = 'PRODUCER_FENCED';
}

/**
 * Gets one task's outputs to Kafka and records its input positions in the consumer
 * group. `send` returns only once both are done, and is retried by its caller.
 */
export interface OutputSender {
  /** Prepares to send (exactly_once: registers the task's transactional id, which fences any older producer of it). */
  open(): Promise<void>;
  send(records: readonly OutboxRecord[], positions: readonly InputPosition[]): Promise<void>;
  close(): Promise<void>;
}

function toTopicMessages(records: readonly OutboxRecord[]): TopicMessages[] {
  const byTopic = new Map<string, Message[]>();
  for (const r of records) {
    // kafkajs only reads the headers: the record's own object goes, not a copy.
    const message: Message = { key: r.key, value: r.value, headers: r.headers, timestamp: String(r.timestamp) };
    if (r.partition !== undefined) message.partition = r.partition;
    const messages = byTopic.get(r.topic);
    if (messages) messages.push(message);
    else byTopic.set(r.topic, [message]);
  }
  return [...byTopic].map(([topic, messages]) => ({ topic, messages }));
}

function toOffsets(positions: readonly InputPosition[]) {
  return positions.map((p) => ({ topic: p.topic, partition: p.partition, offset: String(p.offset) }));
}

/**
 * at_least_once: the worker's shared idempotent producer, then the consumer commits
 * the positions. A crash between the two sends the outputs again on recovery; their
 * ids say they are the same records.
 */
export class AtLeastOnceSender implements OutputSender {
  constructor(
    private readonly producer: Producer,
    private readonly consumer: Consumer,
    private readonly logger: Logger,
  ) {}

  async open(): Promise<void> {}

  async send(records: readonly OutboxRecord[], positions: readonly InputPosition[]): Promise<void> {
    if (records.length) await this.producer.sendBatch({ topicMessages: toTopicMessages(records), acks: -1 });
    if (!positions.length) return;
    try {
      await this.consumer.commitOffsets(toOffsets(positions));
    } catch (error) {
      // The group is rebalancing and will not take our offsets until this batch returns.
      // Skipping is safe: the watermark in Redis already says these records were applied,
      // and the next owner commits the positions when it claims the task.
      if (!REBALANCING.has((error as { type?: string }).type ?? '')) throw error;
      this.logger.debug({ err: error }, 'offsets not committed: the group is rebalancing');
    }
  }

  async close(): Promise<void> {}
}

const REBALANCING = new Set(['REBALANCE_IN_PROGRESS', 'ILLEGAL_GENERATION', 'UNKNOWN_MEMBER_ID', 'FENCED_INSTANCE_ID']);

const FENCED = new Set(['PRODUCER_FENCED', 'INVALID_PRODUCER_EPOCH', 'INVALID_PRODUCER_ID_MAPPING']);

/**
 * exactly_once: a transactional producer per task (transactional id
 * `<application id>-<task id>`), so a newer owner's `open` fences this one in Kafka as
 * the epoch fences it in Redis. Outputs and input positions commit in one transaction;
 * consumers with read_committed see all of a unit or none of it.
 */
export class ExactlyOnceSender implements OutputSender {
  private producer: Producer;
  /** A transaction failed mid-way: whether it committed is unknown until the producer is made anew. */
  private inDoubt = false;

  constructor(
    private readonly kafka: Kafka,
    private readonly groupId: string,
    private readonly transactionalId: string,
    /** The group's committed offsets of the task's inputs, to learn whether an in-doubt transaction committed. */
    private readonly committedOffsets: (topics: readonly string[]) => Promise<Record<string, number | undefined>>,
    private readonly logger: Logger,
  ) {
    this.producer = this.newProducer();
  }

  async open(): Promise<void> {
    await this.producer.connect();
  }

  async send(records: readonly OutboxRecord[], positions: readonly InputPosition[]): Promise<void> {
    if (!records.length && !positions.length) return;
    if (this.inDoubt && (await this.resolveDoubt(positions))) return;
    const transaction = await this.producer.transaction();
    try {
      if (records.length) await transaction.sendBatch({ topicMessages: toTopicMessages(records), acks: -1 });
      if (positions.length) {
        const topics = [...new Set(positions.map((p) => p.topic))].map((topic) => ({
          topic,
          partitions: positions.filter((p) => p.topic === topic).map((p) => ({ partition: p.partition, offset: String(p.offset) })),
        }));
        await transaction.sendOffsets({ consumerGroupId: this.groupId, topics });
      }
      await transaction.commit();
    } catch (error) {
      if (FENCED.has((error as { type?: string }).type ?? '')) throw new ProducerFencedError((error as Error).message);
      this.inDoubt = true;
      throw error;
    }
  }

  async close(): Promise<void> {
    await this.producer.disconnect();
  }

  /**
   * After a failed commit or abort (a broker restart mid-transaction) the kafkajs producer
   * stays in COMMITTING or ABORTING for good. A new producer with the same transactional
   * id finishes the old transaction either way on `connect`; the group's offsets then say
   * which way: at our positions means it committed, and sending again would duplicate.
   * Returns true when the unit is already in Kafka.
   */
  private async resolveDoubt(positions: readonly InputPosition[]): Promise<boolean> {
    await this.producer.disconnect().catch(() => undefined);
    this.producer = this.newProducer();
    await this.producer.connect();
    this.inDoubt = false;
    if (!positions.length) return false;
    const committed = await this.committedOffsets(positions.map((p) => p.topic));
    const sent = positions.every((p) => (committed[p.topic] ?? -1) >= p.offset);
    this.logger.warn({ transactionalId: this.transactionalId, sent }, 'a transaction was in doubt; resolved with a new producer');
    return sent;
  }

  private newProducer(): Producer {
    return this.kafka.producer({
      transactionalId: this.transactionalId,
      idempotent: true,
      maxInFlightRequests: 1,
      transactionTimeout: 60_000,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
  }
}
