import type { KeyValueStore } from '../keyValueStore.ts';
import { keyId } from '../stateStore.ts';

/** A key-value store held in process memory: for the test driver and users' unit tests. */
export class InMemoryKeyValueStore<K, V> implements KeyValueStore<K, V> {
  private readonly entries = new Map<string, [K, V]>();

  constructor(readonly name: string) {}

  get(key: K): V | undefined {
    return this.entries.get(keyId(key))?.[1];
  }

  put(key: K, value: V): void {
    this.entries.set(keyId(key), [key, value]);
  }

  delete(key: K): void {
    this.entries.delete(keyId(key));
  }

  all(): Array<[K, V]> {
    return [...this.entries.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, entry]) => entry);
  }
}
