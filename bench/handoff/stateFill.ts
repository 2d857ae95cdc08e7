import type { Subtopology, Topology } from '../../processors/topologyGraph.ts';
import { taskStores } from '../../runtime/worker/taskStores.ts';
import type { KeyValueStore } from '../../state/keyValueStore.ts';
import type { RedisClient } from '../../state/redis/redisConnection.ts';
import { RedisTaskState } from '../../state/redis/redisTaskState.ts';
import { StateCacheBudget } from '../../state/redis/stateCacheBudget.ts';

/** The subtopology whose tasks hold `store`. */
export function subtopologyOf(topology: Topology, store: string): Subtopology {
  const found = topology.subtopologies.find((s) => s.stores.includes(store));
  if (!found) throw new Error(`topology '${topology.name}' has no store '${store}'`);
  return found;
}

/** The value a key-value aggregation (`reduce`, `count`, `aggregate`) keeps per key. */
export interface StoredAggregate {
  readonly value: number;
  readonly timestamp: number;
}

export interface StateFillOptions {
  readonly app: string;
  readonly topology: Topology;
  readonly store: string;
  readonly partitions: number;
  /** The bench's keys: key i of `count`. */
  readonly keyOf: (i: number) => string;
  readonly count: number;
  readonly partitionOf: (key: string) => number;
  /** Entries per commit (one Lua call each). */
  readonly chunk: number;
  readonly value: StoredAggregate;
}

/** How many keys each task (`<subtopology>_<partition>`) received, and how long the fill took. */
export interface StateFill {
  readonly perTask: number[];
  readonly ms: number;
}

/**
 * Writes `count` keys of state straight into Redis through RedisTaskState, the way the
 * worker commits them (claim, put, commit under the epoch), each key into the task of the
 * partition Kafka would route it to. Tasks are filled side by side, one commit in flight
 * each, so memory stays at a few chunks whatever `count` is.
 */
export async function fillState(redis: RedisClient, options: StateFillOptions): Promise<StateFill> {
  const started = Date.now();
  const subtopology = subtopologyOf(options.topology, options.store);
  const states = Array.from(
    { length: options.partitions },
    (_, p) =>
      // A budget of 0 entries: the cache forgets each chunk once it is committed.
      new RedisTaskState(redis, { app: options.app, taskId: `${subtopology.id}_${p}`, stores: taskStores(options.topology, subtopology), cacheBudget: new StateCacheBudget(0) }),
  );
  await Promise.all(states.map((s) => s.claim()));
  const stores = states.map((s) => s.store(options.store) as KeyValueStore<string, StoredAggregate>);
  const pending: Array<Promise<void>> = states.map(() => Promise.resolve());
  const buffered = states.map(() => 0);
  const perTask = states.map(() => 0);
  const commit = (p: number) => states[p]!.commit({ watermarks: {}, outbox: [] });
  for (let i = 0; i < options.count; i++) {
    const key = options.keyOf(i);
    const p = options.partitionOf(key);
    if (buffered[p] === 0) await pending[p]; // the previous chunk of this task is in Redis before the next starts
    stores[p]!.put(key, options.value);
    perTask[p]!++;
    if (++buffered[p]! >= options.chunk) {
      pending[p] = commit(p);
      buffered[p] = 0;
    }
  }
  await Promise.all(pending);
  await Promise.all(states.map((_, p) => (buffered[p] ? commit(p) : undefined)));
  for (const s of states) s.close();
  return { perTask, ms: Date.now() - started };
}

/**
 * Removes every Redis key of the application (all tasks, all namespaces), from every primary
 * when the URL names a cluster; UNLINK frees large hashes off Redis' main thread.
 */
export async function dropState(redis: RedisClient, app: string, prefix = 'tributary:'): Promise<number> {
  let removed = 0;
  for (const node of 'nodes' in redis ? redis.nodes('master') : [redis]) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', `${prefix}{${app}:*`, 'COUNT', 1000);
      cursor = next;
      // One key per command: a task's keys share a slot, different tasks' keys do not.
      for (const key of keys) removed += await node.unlink(key);
    } while (cursor !== '0');
  }
  return removed;
}
