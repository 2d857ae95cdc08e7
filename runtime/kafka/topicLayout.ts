import type { Admin } from 'kafkajs';
import { CoPartitioningError } from '../../processors/topologyError.ts';
import type { Topology } from '../../processors/topologyGraph.ts';
import { deadLetterTopicOf, DEFAULT_DEAD_LETTER_TOPIC } from '../deadLetters/deadLetterTopicPattern.ts';
import { ConfigError } from '../errors.ts';
import { createTopics } from './createTopics.ts';

/** How many partitions each topic a topology reads has, once its internal topics exist. */
export type PartitionCounts = ReadonlyMap<string, number>;

/**
 * Makes the topics a topology needs and checks the ones it reads, before any member
 * joins the group (as Kafka Streams does at start):
 * - every input topic must exist (one line naming the missing one);
 * - co-partitioned topics must have equal partition counts (CoPartitioningError naming them);
 * - repartition topics are created with the partition count the topology fixed, else that
 *   of the source topics they are joined with, else the largest of the topics that feed
 *   them (as Kafka Streams picks);
 * - each input topic gets its dead-letter topic under `deadLetterTopic` (default `<topic>.dlq`),
 *   with its partition count; a dead-letter topic shared by several inputs gets the largest.
 *   A dead-letter topic the topology reads or writes is a ConfigError.
 */
export async function prepareTopics(admin: Admin, topology: Topology, deadLetterTopic: string = DEFAULT_DEAD_LETTER_TOPIC): Promise<PartitionCounts> {
  const internal = new Map(topology.internalTopics.map((t) => [t.name, t]));
  const external = [...new Set(topology.subtopologies.flatMap((s) => s.sourceTopics).filter((t) => !internal.has(t)))];
  const counts = new Map<string, number>();
  const existing = new Set(await admin.listTopics());
  const missing = external.filter((t) => !existing.has(t));
  if (missing.length) throw new ConfigError(`input topic${missing.length > 1 ? 's' : ''} ${missing.join(', ')} of application '${topology.name}' do${missing.length > 1 ? '' : 'es'} not exist`);
  if (external.length) {
    const { topics } = await admin.fetchTopicMetadata({ topics: external });
    for (const t of topics) counts.set(t.name, t.partitions.length);
  }

  // A repartition topic's count comes from its writers' inputs, which may be repartition topics themselves.
  const countOf = (topic: string, seen: Set<string>): number => {
    const known = counts.get(topic);
    if (known !== undefined) return known;
    const declared = internal.get(topic)?.partitions;
    if (declared !== undefined) return declared;
    if (seen.has(topic)) throw new ConfigError(`repartition topic ${topic} feeds itself; give it a partition count`);
    seen.add(topic);
    const writers = topology.subtopologies.filter((s) => s.sinkTopics.includes(topic));
    const count = Math.max(1, ...writers.flatMap((s) => s.sourceTopics.map((t) => countOf(t, seen))));
    counts.set(topic, count);
    return count;
  };
  // Kafka Streams sizes a repartition topic that is joined like the source topics it is joined with.
  for (const group of topology.coPartitionGroups) {
    const sources = group.filter((t) => !internal.has(t));
    if (!sources.length) continue;
    const count = Math.max(...sources.map((t) => counts.get(t)!));
    for (const t of group) if (internal.has(t) && internal.get(t)!.partitions === undefined) counts.set(t, count);
  }
  for (const topic of internal.keys()) countOf(topic, new Set());

  for (const group of topology.coPartitionGroups) {
    const sizes = group.map((t) => `${t} (${counts.get(t) ?? '?'} partitions)`);
    if (new Set(group.map((t) => counts.get(t))).size > 1) {
      throw new CoPartitioningError(`${sizes.join(' and ')} are joined, so they must have the same partition count`);
    }
  }

  const deadLetterCounts = new Map<string, number>();
  for (const [topic, count] of counts) {
    const dlq = deadLetterTopicOf(deadLetterTopic, topic);
    deadLetterCounts.set(dlq, Math.max(count, deadLetterCounts.get(dlq) ?? 0));
  }
  const used = new Set(topology.subtopologies.flatMap((s) => [...s.sourceTopics, ...s.sinkTopics]));
  const clash = [...deadLetterCounts.keys()].find((t) => used.has(t));
  if (clash) throw new ConfigError(`dead-letter topic ${clash} is a topic topology '${topology.name}' reads or writes; choose another --dead-letter-topic`);

  const toCreate = [
    ...[...internal.keys()].map((topic) => ({ topic, numPartitions: counts.get(topic)! })),
    ...[...deadLetterCounts].map(([topic, numPartitions]) => ({ topic, numPartitions })),
  ].filter((t) => !existing.has(t.topic));
  if (toCreate.length) {
    await createTopics(admin, toCreate.map((t) => ({ ...t, replicationFactor: -1 })));
  }
  // A topic made earlier with another count wins over ours; read back what exists.
  const { topics } = await admin.fetchTopicMetadata({ topics: [...internal.keys()] });
  for (const t of topics) counts.set(t.name, t.partitions.length);
  return counts;
}
