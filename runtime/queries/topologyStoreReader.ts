import type { Topology } from '../../processors/topologyGraph.ts';
import type { RedisStoreReader } from '../../state/redis/storeReader.ts';
import { ConfigError } from '../errors.ts';
import { defaultPartition } from './defaultPartitioner.ts';
import type { StoreReader } from './storeReader.ts';

/** How many partitions a topic has (Kafka metadata), asked once per topic. */
export type PartitionCountOf = (topic: string) => Promise<number>;

/**
 * A StoreReader over a running application's state in Redis. For a store and a key it finds
 * the subtopology that holds the store, serializes the key with the key serde of that
 * subtopology's first source topic, picks the partition as Kafka's default partitioner
 * does on those bytes (how producers and repartition sinks placed the key), hence the task
 * `<subtopology>_<partition>`, and reads that task's row. `topology` is the application's
 * (internal topics named after its application id).
 */
export class TopologyStoreReader implements StoreReader {
  private readonly counts = new Map<string, Promise<number>>();

  constructor(
    private readonly topology: Topology,
    private readonly rows: RedisStoreReader,
    private readonly partitionCountOf: PartitionCountOf,
  ) {}

  async get<V>(store: string, key: unknown): Promise<V | undefined> {
    return (await this.rows.keyValue(await this.taskOf(store, key), store, key)) as V | undefined;
  }

  async getWindow<V>(store: string, key: unknown, windowStart: number): Promise<V | undefined> {
    return (await this.rows.window(await this.taskOf(store, key), store, key, windowStart)) as V | undefined;
  }

  /** The id of the task whose partition holds `key` in `store`. */
  async taskOf(store: string, key: unknown): Promise<string> {
    const subtopology = this.topology.subtopologies.find((s) => s.stores.includes(store));
    if (!subtopology) throw new ConfigError(`application '${this.topology.name}' has no store '${store}'`);
    // A global table is one copy per worker, not partitioned over tasks: the store reader has no task to read.
    if (this.topology.stores.get(store)?.global) throw new ConfigError(`store '${store}' of application '${this.topology.name}' is a global table's; only partitioned stores are readable by key`);
    const topic = subtopology.sourceTopics[0]!;
    const source = this.topology.nodes.find((n) => n.kind === 'source' && n.topics.includes(topic));
    if (source?.kind !== 'source') throw new ConfigError(`no source node reads ${topic}`);
    const bytes = await source.serdes.key.serialize(topic, key as never);
    return `${subtopology.id}_${defaultPartition(bytes, await this.partitionCount(topic))}`;
  }

  private partitionCount(topic: string): Promise<number> {
    let count = this.counts.get(topic);
    if (!count) {
      count = this.partitionCountOf(topic);
      // A failed lookup (Kafka unreachable) is asked again next time.
      count.catch(() => this.counts.delete(topic));
      this.counts.set(topic, count);
    }
    return count;
  }
}
