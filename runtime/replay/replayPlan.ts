import type { Admin } from 'kafkajs';
import type { Topology } from '../../processors/topologyGraph.ts';
import type { RedisClient } from '../../state/redis/redisConnection.ts';
import { countNamespaceKeys } from '../../state/redis/stateNamespace.ts';
import { namespaceKeyPattern, type NamespaceScope } from '../../state/redis/taskKeys.ts';
import { ConfigError } from '../errors.ts';
import { applicationInputs } from '../lag/applicationInputs.ts';
import { readApplicationLag } from '../lag/applicationLag.ts';
import type { PartitionLag } from '../lag/partitionLag.ts';
import type { ResetTarget } from './resetTarget.ts';

/** A partition whose committed offset replay moves. */
export interface OffsetChange {
  readonly topic: string;
  readonly partition: number;
  /** The group's committed offset now; null when it has none. */
  readonly currentOffset: number | null;
  readonly newOffset: number;
  /** The log end when planned: a replay from a source partition's new offset reads up to here. */
  readonly logEndOffset: number;
}

/** A repartition topic's partition: its records are deleted and the group starts at its (new) log start. */
export interface RecordsDeletion extends OffsetChange {
  readonly recordsDeleted: number;
}

/** Everything an in-place replay changes, worked out before anything changes (what `--dry-run` prints). */
export interface ReplayPlan {
  /** The consumer group, the owner of the state namespace and the prefix of the repartition topics. */
  readonly applicationId: string;
  /** Source topics' partitions: the group restarts there. */
  readonly sourceOffsets: readonly OffsetChange[];
  /** Repartition topics' partitions: what they hold now was derived from the old run, so it goes. */
  readonly repartitionTopics: readonly RecordsDeletion[];
  /** The state namespace that is cleared: its SCAN pattern and how many keys it holds now. */
  readonly state: { readonly namespace: string; readonly pattern: string; readonly keys: number };
}

/**
 * Works out an in-place replay of `applicationId` running `topology`, reading the group's
 * offsets, the topics' log offsets and the state namespace's key count; changes nothing.
 * A source partition moves to the reset target, clamped to the partition's log start and end
 * as `kafka-consumer-groups --reset-offsets` clamps; with explicit offsets, partitions not
 * named go to the log start (the state is rebuilt from scratch, so they must be read again).
 * `groupId` is the consumer group whose offsets move: the application's, or a shadow replay's.
 */
export async function planReplay(admin: Admin, redis: RedisClient, topology: Topology, scope: Required<NamespaceScope>, target: ResetTarget, groupId: string = scope.app): Promise<ReplayPlan> {
  const repartition = new Set(applicationInputs(topology).repartition);
  const { partitions } = await readApplicationLag(admin, topology, groupId);
  const sources = partitions.filter((p) => !repartition.has(p.topic));
  const newOffsets = await targetOffsets(admin, sources, target);
  return {
    applicationId: scope.app,
    sourceOffsets: sources.map((p, i) => ({ topic: p.topic, partition: p.partition, currentOffset: p.committedOffset, newOffset: newOffsets[i]!, logEndOffset: p.logEndOffset })),
    repartitionTopics: partitions
      .filter((p) => repartition.has(p.topic))
      .map((p) => ({ topic: p.topic, partition: p.partition, currentOffset: p.committedOffset, newOffset: p.logEndOffset, logEndOffset: p.logEndOffset, recordsDeleted: p.logEndOffset - p.logStartOffset })),
    state: { namespace: scope.namespace, pattern: namespaceKeyPattern(scope), keys: await countNamespaceKeys(redis, scope) },
  };
}

async function targetOffsets(admin: Admin, sources: readonly PartitionLag[], target: ResetTarget): Promise<number[]> {
  const clamp = (p: PartitionLag, offset: number) => Math.min(Math.max(offset, p.logStartOffset), p.logEndOffset);
  switch (target.kind) {
    case 'earliest':
      return sources.map((p) => p.logStartOffset);
    case 'offsets': {
      const known = new Set(sources.map((p) => `${p.topic}:${p.partition}`));
      const unknown = [...target.offsets.keys()].filter((k) => !known.has(k));
      if (unknown.length) {
        const topics = [...new Set(sources.map((p) => p.topic))].join(', ');
        throw new ConfigError(`--offsets names ${unknown.join(', ')}, not a partition of the application's source topics (${topics})`);
      }
      return sources.map((p) => clamp(p, target.offsets.get(`${p.topic}:${p.partition}`) ?? p.logStartOffset));
    }
    case 'timestamp': {
      const byTopic = new Map<string, Map<number, number>>();
      for (const topic of new Set(sources.map((p) => p.topic))) {
        const offsets = await admin.fetchTopicOffsetsByTimestamp(topic, target.timestamp);
        byTopic.set(topic, new Map(offsets.map((o) => [o.partition, Number(o.offset)])));
      }
      return sources.map((p) => clamp(p, byTopic.get(p.topic)!.get(p.partition)!));
    }
  }
}
