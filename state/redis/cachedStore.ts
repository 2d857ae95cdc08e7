import type { StateStore } from '../stateStore.ts';
import type { LoadRequest } from '../taskState.ts';
import type { StoreRead, StoreWrites } from './taskScripts.ts';

/** A read one store needs for some load requests, and how it takes in the answer. */
export interface PlannedRead {
  readonly read: StoreRead;
  /** Takes in the read's `field, value` pairs. */
  learn(pairs: readonly string[]): void;
}

/**
 * A Redis-backed store view as its task state drives it: the view answers reads from its
 * write-behind cache; the task state batches every store's reads into one load and every
 * store's writes into one commit.
 */
export interface CachedStore extends StateStore {
  /** Writes since the last commit exist. */
  readonly dirty: boolean;
  /** Entries cached, in every layer, and what else the cache keeps per key: what the cache budget counts (StateCacheBudget). */
  readonly size: number;
  /** What to read for `requests` (all of this store); nothing for what is loaded already. */
  plan(requests: readonly LoadRequest[]): PlannedRead[];
  /** Moves the pending writes in flight and says what to write (undefined: nothing to do here). */
  beginCommit(): StoreWrites | undefined;
  /** Ends the commit begun last: its writes are committed, or pending again. */
  endCommit(applied: boolean): void;
  /** Drops the pending writes. */
  rollback(): void;
  /** Forgets what was loaded or committed; pending writes stay. */
  forgetCommitted(): void;
  /** Forgets everything. */
  clear(): void;
}
