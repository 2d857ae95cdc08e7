import type { Admin, Consumer, Kafka, KafkaMessage } from 'kafkajs';
import type { AnyRecord, SourceNode, Subtopology, Topology } from '../../processors/topologyGraph.ts';
import { withRegistryRetry } from '../../schemas/retry.ts';
import type { KeyValueStore } from '../../state/keyValueStore.ts';
import { InMemoryKeyValueStore } from '../../state/memory/inMemoryKeyValueStore.ts';
import { inMemoryStoreFor } from '../../state/memory/inMemoryStoreFor.ts';
import type { StateStore } from '../../state/stateStore.ts';
import type { Logger } from '../logger.ts';
import { TopologyTask } from '../topologyTask.ts';

/** The subtopologies that only maintain global tables: every source topic of theirs is a global topic. */
export function isGlobalSubtopology(topology: Topology, subtopology: Subtopology): boolean {
  return subtopology.sourceTopics.length > 0 && subtopology.sourceTopics.every((t) => topology.globalTopics.includes(t));
}

/**
 * The topology's global tables, as Kafka Streams keeps them: every worker reads every
 * partition of each global topic into its own copy (here in memory), from the beginning,
 * through a consumer group of its own that never commits. `bootstrap` resolves once
 * every partition has been read up to the end offset it had at start, and the worker
 * processes nothing before that; afterwards updates keep flowing in. Stream tasks read
 * the copy synchronously (a global-table join needs no co-partitioning and no load).
 * A record that cannot be read is skipped with a warning (a global table has no task to
 * dead-letter from; its topic is the source of truth).
 */
export class GlobalTables {
  readonly stores = new Map<string, StateStore>();
  private readonly tasks: TopologyTask[] = [];
  private readonly sources = new Map<string, SourceNode>();
  private consumer: Consumer | undefined;

  constructor(
    private readonly topology: Topology,
    private readonly kafka: Kafka,
    private readonly admin: Admin,
    private readonly groupId: string,
    private readonly logger: Logger,
  ) {
    for (const definition of topology.stores.values()) if (definition.global) this.stores.set(definition.name, inMemoryStoreFor(definition));
    const processorTimes = new InMemoryKeyValueStore<string, number>('global-processor-times') as KeyValueStore<string, number>;
    for (const subtopology of topology.subtopologies.filter((s) => isGlobalSubtopology(topology, s))) {
      for (const node of subtopology.nodes) if (node.kind === 'source') for (const t of node.topics) this.sources.set(t, node);
      this.tasks.push(
        new TopologyTask(topology, subtopology, 0, {
          store: (name) => this.stores.get(name)!,
          processorTimes,
          wallClockTime: () => Date.now(),
          output: () => undefined,
          recordDropped: () => undefined,
        }),
      );
    }
  }

  /** Reads every global topic up to its current end; resolves when all are caught up. */
  async bootstrap(signal: AbortSignal): Promise<void> {
    const topics = this.topology.globalTopics;
    if (!topics.length) return;
    const remaining = new Map<string, number>();
    for (const topic of topics) {
      for (const { partition, high } of await this.admin.fetchTopicOffsets(topic)) if (Number(high) > 0) remaining.set(`${topic}/${partition}`, Number(high));
    }
    let caughtUp!: () => void;
    const done = new Promise<void>((resolve) => (caughtUp = resolve));
    if (remaining.size === 0) caughtUp();
    const consumer = this.kafka.consumer({ groupId: this.groupId, allowAutoTopicCreation: false, retry: { restartOnFailure: async () => true } });
    this.consumer = consumer;
    await consumer.connect();
    await consumer.subscribe({ topics: [...topics], fromBeginning: true });
    // Batch ends, not messages: a batch of transaction markers only never reaches eachBatch.
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      const id = `${payload.topic}/${payload.partition}`;
      const end = remaining.get(id);
      if (end === undefined || Number(payload.lastOffset) + 1 < end) return;
      remaining.delete(id);
      if (remaining.size === 0) caughtUp();
    });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        for (const message of batch.messages) await this.apply(batch.topic, batch.partition, message, signal);
      },
    });
    const started = Date.now();
    await done;
    this.logger.info({ topics, ms: Date.now() - started }, 'global tables bootstrapped');
  }

  async close(): Promise<void> {
    await this.consumer?.disconnect();
    if (this.consumer) await this.admin.deleteGroups([this.groupId]).catch(() => undefined);
  }

  private async apply(topic: string, partition: number, message: KafkaMessage, signal: AbortSignal): Promise<void> {
    const { serdes } = this.sources.get(topic)!;
    let record: AnyRecord;
    try {
      const read = (serde: typeof serdes.key, bytes: Buffer | null) =>
        bytes === null ? Promise.resolve(null) : withRegistryRetry(() => serde.deserialize(topic, bytes), { signal });
      const [key, value] = await Promise.all([read(serdes.key, message.key), read(serdes.value, message.value)]);
      record = { key, value, timestamp: Number(message.timestamp), headers: {}, topic, partition, offset: Number(message.offset) };
    } catch (error) {
      if (signal.aborted) throw error;
      this.logger.warn({ topic, partition, offset: message.offset, err: error }, 'skipping a global table record that cannot be read');
      return;
    }
    this.tasks.find((t) => t.subtopology.sourceTopics.includes(topic))!.process(topic, record);
  }
}
