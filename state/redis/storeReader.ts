import { keyId } from '../stateStore.ts';
import type { RedisClient } from './redisConnection.ts';
import { decodeStored } from './storedValueCodec.ts';
import { entryField, TaskKeys, type NamespaceScope } from './taskKeys.ts';

/**
 * Reads single rows of any task's stores of an application's state namespace, as the
 * tasks last committed them: read-only, with no claim and no epoch, so any process may
 * read while the owning worker runs (a query endpoint). A read sees committed state only,
 * never what a task holds in its write-behind cache.
 */
export class RedisStoreReader {
  constructor(
    private readonly redis: RedisClient,
    private readonly scope: NamespaceScope,
  ) {}

  /** The value under `key` in the key-value store `store` of task `taskId`, or undefined when there is none. */
  async keyValue(taskId: string, store: string, key: unknown): Promise<unknown> {
    const stored = await this.redis.hget(this.keys(taskId).keyValue(store), keyId(key));
    return valueOf(stored);
  }

  /** The value of the window starting at `windowStart` for `key` in the window store `store` of task `taskId`, or undefined. */
  async window(taskId: string, store: string, key: unknown, windowStart: number): Promise<unknown> {
    const stored = await this.redis.hget(this.keys(taskId).window(store).data, entryField(keyId(key), [windowStart]));
    return valueOf(stored);
  }

  private keys(taskId: string): TaskKeys {
    return new TaskKeys({ ...this.scope, taskId });
  }
}

// Entries are stored as JSON [key, value] (redisKeyValueStore.ts, timedStoreCache.ts).
function valueOf(stored: string | null): unknown {
  return stored === null ? undefined : (decodeStored(stored) as [unknown, unknown])[1];
}
