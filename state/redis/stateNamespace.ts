import { Cluster, type Redis } from 'ioredis';
import type { RedisClient } from './redisConnection.ts';
import { namespaceKeyPattern, type NamespaceScope } from './taskKeys.ts';

/** Keys asked for per SCAN step and deleted per UNLINK. */
const BATCH = 500;

/**
 * The keys of an application's state namespace, a SCAN step at a time, from every primary
 * of a Redis Cluster or from the one Redis. For offline operations (replay) only: nothing
 * on the hot path scans the keyspace.
 */
export async function* namespaceKeys(redis: RedisClient, scope: NamespaceScope): AsyncGenerator<readonly string[]> {
  const match = namespaceKeyPattern(scope);
  const nodes: Redis[] = redis instanceof Cluster ? redis.nodes('master') : [redis];
  for (const node of nodes) {
    for await (const keys of node.scanStream({ match, count: BATCH })) {
      if ((keys as string[]).length) yield keys as string[];
    }
  }
}

/** How many keys the namespace holds now. */
export async function countNamespaceKeys(redis: RedisClient, scope: NamespaceScope): Promise<number> {
  let count = 0;
  for await (const keys of namespaceKeys(redis, scope)) count += keys.length;
  return count;
}

/**
 * Deletes every key of the namespace (stores, watermarks, outboxes, epochs and lastWrite
 * markers of all its tasks), so workers started afterwards find no state at all, as on
 * their first start. Must run while no worker writes the namespace. Returns how many keys
 * it deleted.
 */
export async function clearNamespace(redis: RedisClient, scope: NamespaceScope): Promise<number> {
  let deleted = 0;
  for await (const keys of namespaceKeys(redis, scope)) {
    // One UNLINK per task: a task's keys share its hash tag, so its slot, which a Redis Cluster requires of a multi-key command.
    for (const taskKeys of byHashTag(keys)) deleted += await redis.unlink(...taskKeys);
  }
  return deleted;
}

function byHashTag(keys: readonly string[]): string[][] {
  const groups = new Map<string, string[]>();
  for (const key of keys) {
    const open = key.indexOf('{');
    const tag = key.slice(open, key.indexOf('}', open));
    let group = groups.get(tag);
    if (!group) groups.set(tag, (group = []));
    group.push(key);
  }
  return [...groups.values()];
}
