import type { WindowStore } from '../windowStore.ts';
import { keyId } from '../stateStore.ts';

/** A window store held in process memory: for the test driver and users' unit tests. */
export class InMemoryWindowStore<K, V> implements WindowStore<K, V> {
  private readonly byKey = new Map<string, { key: K; windows: Map<number, V> }>();

  constructor(readonly name: string) {}

  fetch(key: K, windowStart: number): V | undefined {
    return this.byKey.get(keyId(key))?.windows.get(windowStart);
  }

  put(key: K, windowStart: number, value: V): void {
    const id = keyId(key);
    let entry = this.byKey.get(id);
    if (!entry) this.byKey.set(id, (entry = { key, windows: new Map() }));
    entry.windows.set(windowStart, value);
  }

  delete(key: K, windowStart: number): void {
    const id = keyId(key);
    const entry = this.byKey.get(id);
    entry?.windows.delete(windowStart);
    if (entry && entry.windows.size === 0) this.byKey.delete(id);
  }

  fetchRange(key: K, from: number, to: number): Array<[number, V]> {
    const windows = this.byKey.get(keyId(key))?.windows;
    if (!windows) return [];
    return [...windows.entries()].filter(([start]) => start >= from && start <= to).sort(([a], [b]) => a - b);
  }

  fetchAll(from: number, to: number): Array<[K, number, V]> {
    const found: Array<[string, K, number, V]> = [];
    for (const [id, { key, windows }] of this.byKey) {
      for (const [start, value] of windows) if (start >= from && start <= to) found.push([id, key, start, value]);
    }
    return found
      .sort((a, b) => a[2] - b[2] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .map(([, key, start, value]) => [key, start, value]);
  }
}
