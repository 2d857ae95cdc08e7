import type { StateStore } from './stateStore.ts';

/**
 * What a task must load before a store view can answer without I/O:
 * - `key`: one key of a store (key-value: its entry; window: all its windows; session: all its sessions);
 * - `range`: the entries of every key whose window start (window store) or session end
 *   (session store) is in `[from, to]`, for `fetchAll`;
 * - `all`: the whole store of this task (key-value `all()`).
 */
export type LoadRequest =
  /**
   * A key's entries. For a window or session store, `from` says that its entries of that time or
   * later suffice (what a read at that time needs); absent, the store loads from its own read
   * horizon (StoreDefinition.readHorizonMs), or the whole key.
   */
  | { readonly store: string; readonly kind: 'key'; readonly key: unknown; readonly from?: number }
  | { readonly store: string; readonly kind: 'range'; readonly from: number; readonly to: number }
  | { readonly store: string; readonly kind: 'all' };

/** What a task finds when it takes ownership of its partition. */
export interface Claim {
  /** The task's new epoch: every earlier owner is fenced from now on. */
  readonly epoch: number;
  /** The last applied offset per input topic (absent: nothing applied yet). Records at or below it are not applied again. */
  readonly watermarks: Readonly<Record<string, number>>;
  /** Outputs committed with state but perhaps not yet sent to Kafka, oldest first. Opaque to the store. */
  readonly outbox: readonly Buffer[];
}

/** One atomic commit: the writes since the last commit, plus these. */
export interface CommitUnit {
  /** The last applied offset of each input topic this unit advances. */
  readonly watermarks: Readonly<Record<string, number>>;
  /** Outputs to append to the outbox, in order. */
  readonly outbox: readonly Buffer[];
}

/**
 * The state of one task (one partition of one subtopology), behind a write-behind
 * cache. Store views are synchronous: a read of something not loaded throws
 * `StateNotLoadedError` naming what to load, and the caller loads it, rolls back and
 * runs the uncommitted records again. Writes stay in memory until `commit`, which
 * applies them, the watermarks and the outbox atomically, and only if the task still
 * holds the epoch `claim` gave it (else `TaskFencedError`).
 */
export interface TaskState {
  readonly taskId: string;
  /** Bumps the epoch (fencing every earlier owner) and reads watermarks and outbox. */
  claim(): Promise<Claim>;
  /** The task's view of a declared store. */
  store(name: string): StateStore;
  /** Loads what the requests name into the cache, in one round trip where it can. */
  load(requests: readonly LoadRequest[]): Promise<void>;
  /** Drops every write since the last commit. */
  rollback(): void;
  /** Writes since the last commit exist. */
  readonly dirty: boolean;
  /** Applies the writes since the last commit with `unit`, atomically, under the claimed epoch. */
  commit(unit: CommitUnit): Promise<void>;
  /** Removes the first `count` outbox entries (they reached Kafka), under the claimed epoch. */
  trimOutbox(count: number): Promise<void>;
  /** Releases what the task holds in memory; the state in Redis stays. */
  close(): void;
}
