import type { WindowStore } from '../windowStore.ts';
import { keyId } from '../stateStore.ts';
import { StoreRetention } from './storeRetention.ts';

/**
 * A window store held in process memory: for the test driver and users' unit tests. It keeps
 * entries for its retention as Kafka Streams' in-memory window store does (see StoreRetention).
 */
export class InMemoryWindowStore<K, V> implements WindowStore<K, V> {
  private readonly byKey = new Map<string, { key: K; windows: Map<number, V> }>();
  private readonly retention: StoreRetention;

  constructor(
    readonly name: string,
    retentionMs?: number,
  ) {
    this.retention = new StoreRetention(retentionMs);
  }

  fetch(key: K, windowStart: number): V | undefined {
    if (this.retention.expired(windowStart)) return undefined;
    return this.byKey.get(keyId(key))?.windows.get(windowStart);
  }

  put(key: K, windowStart: number, value: V): void {
    if (!this.retention.accepts(windowStart)) return;
    const id = keyId(key);
    let entry = this.byKey.get(id);
    if (!entry) this.byKey.set(id, (entry = { key, windows: new Map() }));
    entry.windows.set(windowStart, value);
    if (this.retention.dueForPruning()) this.prune();
  }

  delete(key: K, windowStart: number): void {
    if (!this.retention.accepts(windowStart)) return;
    const id = keyId(key);
    const entry = this.byKey.get(id);
    entry?.windows.delete(windowStart);
    if (entry && entry.windows.size === 0) this.byKey.delete(id);
  }

  fetchRange(key: K, from: number, to: number): Array<[number, V]> {
    const windows = this.byKey.get(keyId(key))?.windows;
    if (!windows) return [];
    const earliest = Math.max(from, this.retention.minLiveTime);
    return [...windows.entries()].filter(([start]) => start >= earliest && start <= to).sort(([a], [b]) => a - b);
  }

  fetchAll(from: number, to: number): Array<[K, number, V]> {
    const earliest = Math.max(from, this.retention.minLiveTime);
    const found: Array<[string, K, number, V]> = [];
    for (const [id, { key, windows }] of this.byKey) {
      for (const [start, value] of windows) if (start >= earliest && start <= to) found.push([id, key, start, value]);
    }
    return found
      .sort((a, b) => a[2] - b[2] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .map(([, key, start, value]) => [key, start, value]);
  }

  private prune(): void {
    for (const [id, { windows }] of this.byKey) {
      for (const start of windows.keys()) if (this.retention.expired(start)) windows.delete(start);
      if (windows.size === 0) this.byKey.delete(id);
    }
  }
}
