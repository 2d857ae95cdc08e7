import type { LoadRequest } from '../taskState.ts';
import { keyId } from '../stateStore.ts';
import type { PlannedRead } from './cachedStore.ts';
import { LoadedRanges } from './loadedRanges.ts';
import { OrderedSlots } from './orderedSlots.ts';
import { decodeStored, encodeStored } from './storedValueCodec.ts';
import type { StoreWrites } from './taskScripts.ts';
import { entryField, keyFieldPrefix, parseEntryField, type TimedStoreKeys } from './taskKeys.ts';
import { ABSENT, newest, WriteBehindSlots, type Known, type Slot, type SlotIndex } from './writeBehindSlots.ts';

/**
 * Retention follows the store's own observed time, as in Kafka Streams' stores: at each
 * commit, entries at or before (the latest time put into the store) - retention go,
 * whatever the task's stream time, so a store its task stopped writing keeps its entries.
 * The TTL only reclaims a store whose task stopped writing for good. It must outlast any
 * pause of the partition, or a join's short retention would wipe records still waiting for
 * their window to close while the partition idles.
 */
const IDLE_STORE_TTL_MS = 7 * 24 * 3600_000;

/** TimedStoreOptions.wholeReadMaxEntries unless set. */
export const DEFAULT_WHOLE_READ_MAX_ENTRIES = 10_000;

/** How a window or session store keeps and loads its entries. */
export interface TimedStoreOptions {
  /** StoreDefinition.retentionMs. */
  readonly retentionMs?: number;
  /** StoreDefinition.readHorizonMs: keys load from the observed time minus this. */
  readonly readHorizonMs?: number;
  /**
   * A store with at most this many entries is read whole when keys of it are loaded: one
   * round trip of at most a few MB, after which no key of it needs a load (a per-key load scans
   * the key's index once per key, once per key the task meets). So is a store with a read
   * horizon that holds at most this many entries from its floor on (its open windows): what
   * its cache holds anyway, read once, after which only reads behind the floor need a load.
   */
  readonly wholeReadMaxEntries: number;
}

/** That every entry of a key from `from` on was loaded, as of the `floors`-th floor raise. */
interface KeyLoad {
  readonly from: number;
  readonly floors: number;
}

/** Where an entry of a window or session store sits. */
export interface TimedMeta {
  readonly keyId: string;
  readonly start: number;
  /** The session end; a window's start again. */
  readonly end: number;
  /** What fetchAll ranges and expiry go by: a window's start, a session's end. */
  readonly time: number;
}

export interface TimedEntry {
  readonly key: unknown;
  readonly value: unknown;
}

export type TimedSlot = Slot<TimedMeta, TimedEntry>;

/** Windows are keyed by start and found by start; sessions keyed by start and end and found by end. */
export type TimedKind = 'window' | 'session';

/**
 * The write-behind cache of a window or session store, with what it knows it has loaded:
 * whole keys (every entry of the key) and time ranges (every entry of every key whose time
 * is in the range). An entry not cached is known absent when its key or its time is loaded.
 */
export class TimedStoreCache implements SlotIndex<TimedMeta, TimedEntry> {
  readonly slots: WriteBehindSlots<TimedMeta, TimedEntry>;
  private readonly byKey = new Map<string, Set<TimedSlot>>();
  private readonly ordered: OrderedSlots<TimedSlot>;
  /**
   * Per key loaded, from when all its entries were known (-Infinity: all of them). A load made
   * before the floor last rose is known from the floor on only: raising every key's time at
   * each commit would cost a walk of all of them.
   */
  private readonly loadedKeys = new Map<string, KeyLoad>();
  /** How many times the floor rose, and where to: committed entries below it were forgotten. */
  private floors = 0;
  private floor = -Infinity;
  private readonly loadedRanges = new LoadedRanges();
  /** The latest time (window start, session end) put into the store since this cache began; what retention counts back from. */
  private observedTime = -Infinity;
  /** What the commit in flight expires: entries with an earlier time. */
  private expiringBefore: number | undefined;
  /** Committed entries with an earlier time were forgotten. */
  private expiredBefore = -Infinity;
  /** The puts the commit in flight leaves out, as expired. */
  private skipped: TimedSlot[] = [];

  private readonly retentionMs: number | undefined;
  private readonly readHorizonMs: number | undefined;
  private readonly wholeReadMaxEntries: number;

  constructor(
    private readonly kind: TimedKind,
    private readonly keys: TimedStoreKeys,
    options: TimedStoreOptions,
  ) {
    this.retentionMs = options.retentionMs;
    this.readHorizonMs = options.readHorizonMs;
    this.wholeReadMaxEntries = options.wholeReadMaxEntries;
    this.slots = new WriteBehindSlots(this);
    // Time, then start (sessions ending together), then keyId: fetchAll's order.
    this.ordered = new OrderedSlots<TimedSlot>(
      (a, b) => a.meta.time - b.meta.time || a.meta.start - b.meta.start || (a.meta.keyId < b.meta.keyId ? -1 : a.meta.keyId > b.meta.keyId ? 1 : 0),
      (slot) => slot.meta.time,
    );
  }

  /** The field and position of an entry. */
  locate(key: unknown, start: number, end: number): { field: string; meta: TimedMeta } {
    const id = keyId(key);
    const times = this.kind === 'window' ? [start] : [start, end];
    return { field: entryField(id, times), meta: { keyId: id, start, end, time: this.kind === 'window' ? start : end } };
  }

  /** The newest known state of an entry; undefined when it is not loaded. */
  read(field: string, meta: TimedMeta): Known<TimedEntry> | undefined {
    const known = this.slots.read(field);
    if (known !== undefined) return known;
    return this.keyLoadedFrom(meta.keyId, meta.time) || this.loadedRanges.covers(meta.time, meta.time) ? ABSENT : undefined;
  }

  /** Records a put (an entry) or a delete (ABSENT) in the pending layer. */
  write(field: string, meta: TimedMeta, entry: Known<TimedEntry>): void {
    this.slots.write(field, meta, entry);
  }

  /** Every entry of the key at `time` or later is known. */
  keyLoadedFrom(id: string, time: number): boolean {
    return this.keyKnownFrom(id) <= time || this.loadedRanges.covers(time, Infinity);
  }

  /** How many entries and loaded keys the cache holds: what the cache budget counts (StateCacheBudget). */
  get size(): number {
    return this.slots.size + this.loadedKeys.size;
  }

  private keyKnownFrom(id: string): number {
    const load = this.loadedKeys.get(id);
    if (load === undefined) return Infinity;
    return load.floors === this.floors ? load.from : Math.max(load.from, this.floor);
  }

  /**
   * Where a key's load starts when its reader did not say: the observed time minus the read
   * horizon, since no processor of the store reads further back. Before the first write since
   * this cache began the observed time is unknown, and the whole key loads.
   */
  private keyFloor(): number {
    return this.readHorizonMs !== undefined && Number.isFinite(this.observedTime) ? this.observedTime - this.readHorizonMs : -Infinity;
  }

  /** Every entry whose time is in `[from, to]` is known. */
  rangeLoaded(from: number, to: number): boolean {
    return this.loadedRanges.covers(from, to);
  }

  /**
   * What a fetchAll from `from` that missed asks to load: every time from `from` on, not just
   * up to the `to` it asked for. Callers fetch up to a stream time that only grows
   * (suppression does on every record) and what this task writes later is in its cache
   * anyway, so one load answers all their later fetches. A `from` at or below
   * MIN_SAFE_INTEGER means "from the start", and loads the whole store: then no key needs a
   * load of its own.
   */
  rangeRequest(store: string, from: number): LoadRequest {
    return { store, kind: 'range', from: from <= Number.MIN_SAFE_INTEGER ? -Infinity : from, to: Infinity };
  }

  /** The cached entries of a key that exist (newest layer), in no particular order. */
  entriesOfKey(id: string): Array<[TimedMeta, TimedEntry]> {
    const found: Array<[TimedMeta, TimedEntry]> = [];
    for (const slot of this.byKey.get(id) ?? []) {
      const entry = newest(slot);
      if (entry !== undefined && entry !== ABSENT) found.push([slot.meta, entry]);
    }
    return found;
  }

  /** The cached entries with time in `[from, to]` that exist, by time, start, keyId. */
  entriesBetween(from: number, to: number): Array<[TimedMeta, TimedEntry]> {
    const found: Array<[TimedMeta, TimedEntry]> = [];
    for (const slot of this.ordered.between(from, to)) {
      const entry = newest(slot);
      if (entry !== undefined && entry !== ABSENT) found.push([slot.meta, entry]);
    }
    return found;
  }

  /** The reads that load what `requests` name and is not loaded yet: one per range, one for all keys. */
  plan(requests: readonly LoadRequest[]): PlannedRead[] {
    const planned: PlannedRead[] = [];
    // Per key, the earliest time asked for.
    const ids = new Map<string, number>();
    const floor = this.keyFloor();
    for (const request of requests) {
      if (request.kind === 'key') {
        const id = keyId(request.key);
        const from = Math.min(request.from ?? floor, ids.get(id) ?? Infinity);
        if (!this.keyLoadedFrom(id, from)) ids.set(id, from);
      } else {
        // `all` of a window or session store is its whole time line.
        const [from, to] = request.kind === 'range' ? [request.from, request.to] : [-Infinity, Infinity];
        if (this.loadedRanges.covers(from, to)) continue;
        planned.push({
          read: { op: 'range', keys: this.keys, from, to },
          learn: (pairs) => {
            this.learnPairs(pairs);
            this.loadedRanges.add(from, to);
          },
        });
      }
    }
    if (ids.size > 0) {
      planned.push({
        read: {
          op: 'keys',
          keys: this.keys,
          prefixes: [...ids].map(([id, from]) => ({ prefix: keyFieldPrefix(id), from })),
          wholeUpTo: this.wholeReadMaxEntries,
          ...(floor > -Infinity ? { floor } : {}),
        },
        learn: ([read, ...pairs]) => {
          this.learnPairs(pairs);
          if (read === '1') this.loadedRanges.add(-Infinity, Infinity);
          else {
            if (read === '2') this.loadedRanges.add(floor, Infinity);
            for (const [id, from] of ids) this.loadedKeys.set(id, { from: Math.min(from, this.keyKnownFrom(id)), floors: this.floors });
          }
        },
      });
    }
    return planned;
  }

  /**
   * Moves pending writes in flight and says what the commit writes, and what it expires:
   * entries at or before the store's observed time minus retention. After a claim the
   * observed time starts again from the first put, so expiry waits for the store's next write.
   */
  beginCommit(): StoreWrites | undefined {
    const set: Array<[string, number, string]> = [];
    const del: string[] = [];
    const put: TimedSlot[] = [];
    for (const slot of this.slots.beginCommit()) {
      const entry = slot.inFlight!;
      if (entry === ABSENT) del.push(slot.id);
      else {
        put.push(slot);
        this.observedTime = Math.max(this.observedTime, slot.meta.time);
      }
    }
    const expireBefore = this.retentionMs !== undefined && Number.isFinite(this.observedTime) ? this.observedTime - this.retentionMs + 1 : undefined;
    this.expiringBefore = expireBefore;
    // Kafka Streams skips a put at or before its store's observed time minus retention: so does
    // the commit, and the cache forgets it once the commit is applied.
    this.skipped = [];
    for (const slot of put) {
      if (expireBefore !== undefined && slot.meta.time < expireBefore) {
        this.skipped.push(slot);
        continue;
      }
      const entry = slot.inFlight as TimedEntry;
      set.push([slot.id, slot.meta.time, encodeStored([entry.key, entry.value])]);
    }
    if (set.length === 0 && del.length === 0 && expireBefore === undefined) return undefined;
    return {
      kind: 'timed',
      keys: this.keys,
      set,
      del,
      ...(this.retentionMs !== undefined ? { ttlMs: this.retentionMs + IDLE_STORE_TTL_MS } : {}),
      ...(expireBefore !== undefined ? { expireBefore } : {}),
    };
  }

  /** Ends the commit begun last. */
  endCommit(applied: boolean): void {
    // A committed delete the loaded keys or ranges imply need not be remembered.
    this.slots.endCommit(applied, (slot) => this.keyLoadedFrom(slot.meta.keyId, slot.meta.time) || this.loadedRanges.covers(slot.meta.time, slot.meta.time));
    if (!applied) return;
    this.forgetExpired();
    this.forgetBelowFloor();
  }

  /** Forgets the committed entries the commit expired or did not write, so the cache answers as Redis does. */
  private forgetExpired(): void {
    for (const slot of this.skipped) if (slot.pending === undefined) this.slots.forgetCommittedOf(slot);
    this.skipped = [];
    const line = this.expiringBefore;
    // Older entries only once the line has risen since the last time: a scan settles the ordered slots.
    if (line === undefined || line <= this.expiredBefore) return;
    this.expiredBefore = line;
    this.forgetCommittedBefore(line);
  }

  /** Forgets the committed entries older than `time` that no write is pending or in flight for. */
  private forgetCommittedBefore(time: number): void {
    for (const slot of this.ordered.between(-Infinity, time)) {
      if (slot.meta.time < time && slot.pending === undefined && slot.inFlight === undefined) this.slots.forgetCommittedOf(slot);
    }
  }

  /**
   * Raises the floor to the key floor: forgets the committed entries older than it, and that
   * anything older is loaded. No processor of the store reads there again, save a late
   * record's miss, which loads what it reads. This holds the cache to the open windows;
   * without it a time-windowed store's cache grows with every window the task ever wrote, up
   * to its worker's cache budget.
   */
  private forgetBelowFloor(): void {
    const floor = this.keyFloor();
    if (floor <= this.floor) return;
    this.forgetCommittedBefore(floor);
    this.loadedRanges.forgetBefore(floor);
    this.floor = floor;
    this.floors++;
  }

  /** Forgets loaded and committed entries and what was loaded; pending writes stay. */
  forgetCommitted(): void {
    this.slots.forgetCommitted();
    this.loadedKeys.clear();
    this.loadedRanges.clear();
    this.floor = -Infinity;
    this.expiredBefore = -Infinity;
  }

  /** Forgets everything. */
  clear(): void {
    this.slots.clear();
    this.loadedKeys.clear();
    this.loadedRanges.clear();
    this.floor = -Infinity;
    this.expiredBefore = -Infinity;
  }

  added(slot: TimedSlot): void {
    let slots = this.byKey.get(slot.meta.keyId);
    if (!slots) this.byKey.set(slot.meta.keyId, (slots = new Set()));
    slots.add(slot);
    this.ordered.add(slot);
  }

  removed(slot: TimedSlot): void {
    const slots = this.byKey.get(slot.meta.keyId);
    slots?.delete(slot);
    if (slots?.size === 0) this.byKey.delete(slot.meta.keyId);
    this.ordered.remove(slot);
  }

  cleared(): void {
    this.byKey.clear();
    this.ordered.clear();
  }

  private learnPairs(pairs: readonly string[]): void {
    for (let i = 0; i + 1 < pairs.length; i += 2) {
      const field = pairs[i]!;
      const { keyId: id, times } = parseEntryField(field);
      const start = times[0]!;
      const end = this.kind === 'window' ? start : times[1]!;
      const [key, value] = decodeStored(pairs[i + 1]!) as [unknown, unknown];
      this.slots.learn(field, { keyId: id, start, end, time: this.kind === 'window' ? start : end }, { key, value });
    }
  }
}
