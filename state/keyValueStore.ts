import type { StateStore } from './stateStore.ts';

/**
 * A key-value store scoped to one task. Reads and writes are synchronous: the runtime
 * loads the keys a batch touches before the batch runs, so operators never wait on I/O
 * per record. Writes become visible to later reads at once and reach the backing
 * storage at the task's next commit, atomically with its outputs.
 */
export interface KeyValueStore<K, V> extends StateStore {
  get(key: K): V | undefined;
  put(key: K, value: V): void;
  delete(key: K): void;
  /** Every entry of this task's store, in key order of their identity strings. */
  all(): Array<[K, V]>;
}
