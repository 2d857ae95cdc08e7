import { Partitioners, type PartitionMetadata } from 'kafkajs';

/**
 * The partition kafkajs' default producer sends a keyed record to (murmur2 of the key
 * bytes, as Kafka's Java client): the same partitioner instance the bench's producer
 * uses, so pre-populated state lands in the task that will later read the key's records.
 */
export function kafkaPartitioner(partitions: number): (key: string) => number {
  const choose = Partitioners.DefaultPartitioner();
  const partitionMetadata: PartitionMetadata[] = Array.from({ length: partitions }, (_, partitionId) => ({
    partitionErrorCode: 0,
    partitionId,
    leader: 0,
    replicas: [0],
    isr: [0],
    offlineReplicas: [],
  }));
  return (key) => choose({ topic: 'bench', partitionMetadata, message: { key, value: null } });
}
