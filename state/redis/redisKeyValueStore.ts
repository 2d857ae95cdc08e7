import type { KeyValueStore } from '../keyValueStore.ts';
import { StateNotLoadedError } from '../stateNotLoadedError.ts';
import { keyId } from '../stateStore.ts';
import type { LoadRequest } from '../taskState.ts';
import type { CachedStore, PlannedRead } from './cachedStore.ts';
import { decodeStored, encodeStored } from './storedValueCodec.ts';
import type { StoreWrites } from './taskScripts.ts';
import { ABSENT, newest, WriteBehindSlots } from './writeBehindSlots.ts';

interface Entry {
  readonly key: unknown;
  readonly value: unknown;
}

/**
 * A task's key-value store in Redis: one hash, field = keyId, value = JSON `[key, value]`
 * (the key itself is stored so `all()` returns keys, not their ids). Reads come from the
 * write-behind cache; a key not loaded throws StateNotLoadedError; a put or delete needs no
 * load (a later read of the key sees it).
 */
export class RedisKeyValueStore<K, V> implements KeyValueStore<K, V>, CachedStore {
  private readonly slots = new WriteBehindSlots<undefined, Entry>();
  // Every entry of the store is known (loaded, or written since): a key not cached is absent.
  private allLoaded = false;

  constructor(
    readonly name: string,
    private readonly hash: string,
  ) {}

  get(key: K): V | undefined {
    const known = this.slots.read(keyId(key)) ?? (this.allLoaded ? ABSENT : undefined);
    if (known === undefined) throw new StateNotLoadedError({ store: this.name, kind: 'key', key });
    return known === ABSENT ? undefined : (known.value as V);
  }

  put(key: K, value: V): void {
    this.slots.write(keyId(key), undefined, { key, value });
  }

  delete(key: K): void {
    this.slots.write(keyId(key), undefined, ABSENT);
  }

  all(): Array<[K, V]> {
    if (!this.allLoaded) throw new StateNotLoadedError({ store: this.name, kind: 'all' });
    const found: Array<[string, Entry]> = [];
    for (const slot of this.slots.values()) {
      const entry = newest(slot);
      if (entry !== undefined && entry !== ABSENT) found.push([slot.id, entry]);
    }
    return found.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, entry]) => [entry.key as K, entry.value as V]);
  }

  get dirty(): boolean {
    return this.slots.dirty;
  }

  get size(): number {
    return this.slots.size;
  }

  plan(requests: readonly LoadRequest[]): PlannedRead[] {
    if (this.allLoaded) return [];
    if (requests.some((r) => r.kind !== 'key')) {
      return [
        {
          read: { op: 'all', key: this.hash },
          learn: (pairs) => {
            for (let i = 0; i + 1 < pairs.length; i += 2) this.slots.learn(pairs[i]!, undefined, decodeEntry(pairs[i + 1]!));
            this.allLoaded = true;
          },
        },
      ];
    }
    const fields = new Set<string>();
    for (const request of requests) {
      const id = keyId((request as { key: unknown }).key);
      // What the cache knows as committed needs no read: the task wrote it or read it before.
      if (this.slots.get(id)?.committed === undefined) fields.add(id);
    }
    if (fields.size === 0) return [];
    return [
      {
        read: { op: 'fields', key: this.hash, fields: [...fields] },
        learn: (pairs) => {
          for (let i = 0; i + 1 < pairs.length; i += 2) {
            this.slots.learn(pairs[i]!, undefined, decodeEntry(pairs[i + 1]!));
            fields.delete(pairs[i]!);
          }
          for (const id of fields) this.slots.learn(id, undefined, ABSENT);
        },
      },
    ];
  }

  beginCommit(): StoreWrites | undefined {
    const slots = this.slots.beginCommit();
    if (slots.length === 0) return undefined;
    const set: Array<[string, string]> = [];
    const del: string[] = [];
    for (const slot of slots) {
      const entry = slot.inFlight!;
      if (entry === ABSENT) del.push(slot.id);
      else set.push([slot.id, encodeStored([entry.key, entry.value])]);
    }
    return { kind: 'hash', key: this.hash, set, del };
  }

  endCommit(applied: boolean): void {
    this.slots.endCommit(applied, () => this.allLoaded);
  }

  rollback(): void {
    this.slots.rollback();
  }

  forgetCommitted(): void {
    this.slots.forgetCommitted();
    this.allLoaded = false;
  }

  clear(): void {
    this.slots.clear();
    this.allLoaded = false;
  }
}

function decodeEntry(text: string): Entry {
  const [key, value] = decodeStored(text) as [unknown, unknown];
  return { key, value };
}
