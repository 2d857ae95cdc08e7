import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Partitioners } from 'kafkajs';
import type { RedisStoreReader } from '../../../state/redis/storeReader.ts';
import { TopologyStoreReader } from '../../../runtime/queries/topologyStoreReader.ts';
import { orderProjections, PROJECTION_STORES } from '../../../topologies/orders/orderProjections.ts';

const topology = orderProjections().build();

/** Where kafkajs' default partitioner (the producer's and the worker's repartition sinks') sends a key among `count` partitions. */
function kafkajsPartition(topic: string, key: string, count: number): number {
  const partitionMetadata = Array.from({ length: count }, (_v, partitionId) => ({ partitionId, leader: 0, replicas: [0], isr: [0], partitionErrorCode: 0 }));
  return Partitioners.DefaultPartitioner()({ topic, partitionMetadata, message: { key: Buffer.from(key), value: null } });
}

/** A row reader that answers with the task, store, key and window it was asked for. */
const echoRows = {
  keyValue: async (taskId: string, store: string, key: unknown) => ({ taskId, store, key }),
  window: async (taskId: string, store: string, key: unknown, windowStart: number) => ({ taskId, store, key, windowStart }),
} as unknown as RedisStoreReader;

describe('TopologyStoreReader', () => {
  it("reads a key's row from the task of the store's subtopology and the partition the producer picked for the key", async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...Object.values(PROJECTION_STORES)), fc.string({ minLength: 1 }), fc.integer({ min: 1, max: 64 }), async (store, key, partitions) => {
        const subtopology = topology.subtopologies.find((s) => s.stores.includes(store))!;
        const asked: string[] = [];
        const reader = new TopologyStoreReader(topology, echoRows, async (topic) => (asked.push(topic), partitions));
        const row = store === PROJECTION_STORES.revenuePerDay ? await reader.getWindow(store, key, 86_400_000) : await reader.get(store, key);
        const taskId = `${subtopology.id}_${kafkajsPartition(subtopology.sourceTopics[0]!, key, partitions)}`;
        assert.deepEqual(row, store === PROJECTION_STORES.revenuePerDay ? { taskId, store, key, windowStart: 86_400_000 } : { taskId, store, key });
        assert.deepEqual(asked, [subtopology.sourceTopics[0]]);
      }),
      { numRuns: 200 },
    );
  });

  it('asks Kafka for a topic’s partition count once, and again after a failed lookup', async () => {
    let lookups = 0;
    const reader = new TopologyStoreReader(topology, echoRows, async () => {
      if (++lookups === 1) throw new Error('kafka unreachable');
      return 3;
    });
    await assert.rejects(reader.get(PROJECTION_STORES.summaries, 'a'), /kafka unreachable/);
    await reader.get(PROJECTION_STORES.summaries, 'a');
    await reader.get(PROJECTION_STORES.summaries, 'b');
    assert.equal(lookups, 2);
  });

  it('refuses a store the topology does not have, naming it', async () => {
    const reader = new TopologyStoreReader(topology, echoRows, async () => 1);
    await assert.rejects(reader.get('no-such-store', 'a'), { message: "application 'order-projections' has no store 'no-such-store'" });
  });
});
