import { TributaryError } from '../../runtime/errors.ts';
import type { StateStore } from '../stateStore.ts';
import type { StoreDefinition } from '../storeDefinition.ts';
import { TaskFencedError } from '../taskFencedError.ts';
import type { Claim, CommitUnit, LoadRequest, TaskState } from '../taskState.ts';
import type { CachedStore, PlannedRead } from './cachedStore.ts';
import { RedisKeyValueStore } from './redisKeyValueStore.ts';
import type { RedisClient } from './redisConnection.ts';
import { RedisSessionStore } from './redisSessionStore.ts';
import { RedisWindowStore } from './redisWindowStore.ts';
import { DEFAULT_STATE_CACHE_ENTRIES, StateCacheBudget } from './stateCacheBudget.ts';
import { TaskKeys } from './taskKeys.ts';
import { TaskScripts, type GuardedOutcome, type StoreWrites } from './taskScripts.ts';
import { DEFAULT_WHOLE_READ_MAX_ENTRIES } from './timedStoreCache.ts';

export interface RedisTaskStateOptions {
  readonly app: string;
  /** The state namespace; '0' unless replay builds another. */
  readonly namespace?: string;
  /** Prefix of every key; 'tributary:' unless set. */
  readonly prefix?: string;
  readonly taskId: string;
  readonly stores: readonly StoreDefinition[];
  /** What the cache shares with the other tasks of its worker (default: a budget of its own of DEFAULT_STATE_CACHE_ENTRIES). */
  readonly cacheBudget?: StateCacheBudget;
  /** TimedStoreOptions.wholeReadMaxEntries of the window and session stores (default 10 000). */
  readonly wholeReadMaxEntries?: number;
}


/** A script whose reply was lost: retried, it keeps its write id, so Redis applies it at most once. */
interface Unanswered {
  readonly operation: CommitUnit | number;
  readonly writeId: string;
}

/**
 * A task's state in Redis behind a write-behind cache (the TaskState contract). Claim reads
 * only epoch, watermarks and outbox: no store data, so taking a task over costs the same
 * whatever its state size. Store views answer from the cache and throw StateNotLoadedError
 * for what is not loaded; `load` reads a whole batch's misses in one script call; `commit`
 * writes every store, the watermarks and the outbox in one epoch-guarded script call.
 *
 * The cache keeps what it loaded and committed across commits (only this task writes its
 * keys while it holds its epoch) until its worker's caches together outgrow their budget
 * (`StateCacheBudget`) and this one holds more than its share; `claim` and `close` empty it.
 */
export class RedisTaskState implements TaskState {
  readonly taskId: string;
  private readonly scripts: TaskScripts;
  private readonly stores = new Map<string, CachedStore>();
  private readonly cacheBudget: StateCacheBudget;
  private epoch: number | undefined;
  private writeSeq = 0;
  // Bumped by claim and close: a load answered after them must not fill the emptied cache.
  private generation = 0;
  // The last commit or outbox trim, and how many are queued or running.
  private writes: Promise<unknown> = Promise.resolve();
  private running = 0;
  private unanswered: Unanswered | undefined;

  constructor(redis: RedisClient, options: RedisTaskStateOptions) {
    this.taskId = options.taskId;
    this.cacheBudget = options.cacheBudget ?? new StateCacheBudget(DEFAULT_STATE_CACHE_ENTRIES);
    const keys = new TaskKeys({ app: options.app, namespace: options.namespace, prefix: options.prefix, taskId: options.taskId });
    this.scripts = new TaskScripts(redis, keys);
    for (const definition of options.stores) {
      if (this.stores.has(definition.name)) throw new TributaryError('DUPLICATE_STORE', `task ${this.taskId} declares store '${definition.name}' twice`);
      this.stores.set(definition.name, storeFor(definition, keys, options.wholeReadMaxEntries ?? DEFAULT_WHOLE_READ_MAX_ENTRIES));
    }
  }

  /** Bumps the epoch (fencing every earlier owner) and reads watermarks and outbox; empties the cache. */
  async claim(): Promise<Claim> {
    this.forgetAll();
    const reply = await this.scripts.claim();
    this.epoch = reply.epoch;
    this.unanswered = undefined;
    return reply;
  }

  /** The view of a declared store: a KeyValueStore, WindowStore or SessionStore by its kind. */
  store(name: string): StateStore {
    return this.storeNamed(name);
  }

  /** Loads what the requests name that is not cached yet, in one script call (none if all is cached). */
  async load(requests: readonly LoadRequest[]): Promise<void> {
    const byStore = new Map<CachedStore, LoadRequest[]>();
    for (const request of requests) {
      const store = this.storeNamed(request.store);
      let list = byStore.get(store);
      if (!list) byStore.set(store, (list = []));
      list.push(request);
    }
    const planned: PlannedRead[] = [];
    for (const [store, list] of byStore) planned.push(...store.plan(list));
    if (planned.length === 0) return;
    const generation = this.generation;
    const replies = await this.scripts.load(planned.map((p) => p.read));
    if (generation !== this.generation) return;
    planned.forEach((p, i) => p.learn(replies[i] ?? []));
  }

  /** Drops every write since the last commit. */
  rollback(): void {
    for (const store of this.stores.values()) store.rollback();
  }

  /** Writes since the last commit exist. */
  get dirty(): boolean {
    for (const store of this.stores.values()) if (store.dirty) return true;
    return false;
  }

  /**
   * Applies the writes since the last commit, `unit.watermarks` and `unit.outbox` in one
   * script, if the claimed epoch still holds (else TaskFencedError, and Redis is unchanged).
   * Window and session stores get their retention (plus a week) as TTL and lose entries
   * at or before their own observed time minus retention. Takes the writes made before the call (or, behind a commit
   * still in flight, before that one ends); later writes go with the next commit.
   */
  commit(unit: CommitUnit): Promise<void> {
    return this.serially(() => this.commitNow(unit));
  }

  /** Removes the first `count` outbox entries, if the claimed epoch still holds (else TaskFencedError). */
  trimOutbox(count: number): Promise<void> {
    if (count <= 0) return Promise.resolve();
    return this.serially(async () => {
      const epoch = this.claimedEpoch();
      this.fenced(epoch, await this.guarded(count, (writeId) => this.scripts.trimOutbox(epoch, writeId, count)));
    });
  }

  /** Empties the cache; the state in Redis stays. The task must claim again to write. */
  close(): void {
    this.forgetAll();
    this.cacheBudget.release(this);
    this.epoch = undefined;
  }

  private async commitNow(unit: CommitUnit): Promise<void> {
    const epoch = this.claimedEpoch();
    const writes: StoreWrites[] = [];
    let storesWritten = false;
    for (const store of this.stores.values()) {
      const storeWrites = store.beginCommit();
      if (!storeWrites) continue;
      writes.push(storeWrites);
      if (storeWrites.set.length > 0 || storeWrites.del.length > 0) storesWritten = true;
    }
    if (!storesWritten && unit.outbox.length === 0 && Object.keys(unit.watermarks).length === 0) {
      this.endCommit(true);
      return;
    }
    let outcome: GuardedOutcome;
    try {
      outcome = await this.guarded(unit, (writeId) => this.scripts.commit(epoch, writeId, unit.watermarks, unit.outbox, writes));
    } catch (error) {
      this.endCommit(false);
      throw error;
    }
    this.endCommit(outcome.applied);
    this.fenced(epoch, outcome);
    this.cacheBudget.set(this, this.cachedEntries());
    if (!this.cacheBudget.overdrawn(this)) return;
    for (const store of this.stores.values()) store.forgetCommitted();
    this.cacheBudget.set(this, this.cachedEntries());
  }

  private cachedEntries(): number {
    let cached = 0;
    for (const store of this.stores.values()) cached += store.size;
    return cached;
  }

  /**
   * Runs an epoch-guarded script under a fresh write id, or under the id of the same
   * operation's unanswered last attempt: had that attempt run, Redis recognises the id and
   * does not apply it twice (an outbox appended twice, or trimmed twice).
   */
  private async guarded(operation: CommitUnit | number, run: (writeId: string) => Promise<GuardedOutcome>): Promise<GuardedOutcome> {
    const writeId = this.unanswered?.operation === operation ? this.unanswered.writeId : `${this.epoch}:${++this.writeSeq}`;
    try {
      const outcome = await run(writeId);
      this.unanswered = undefined;
      return outcome;
    } catch (error) {
      this.unanswered = { operation, writeId };
      throw error;
    }
  }

  private fenced(epoch: number, outcome: GuardedOutcome): void {
    if (!outcome.applied) throw new TaskFencedError(this.taskId, epoch, outcome.currentEpoch);
  }

  private endCommit(applied: boolean): void {
    for (const store of this.stores.values()) store.endCommit(applied);
  }

  /**
   * Runs commits and trims one after another, in call order. With none running, the operation
   * starts at once, so a commit takes exactly the writes made before it was called.
   */
  private serially(operation: () => Promise<void>): Promise<void> {
    const run = this.running === 0 ? operation() : this.writes.then(operation);
    this.running++;
    this.writes = run.catch(() => undefined).finally(() => this.running--);
    return run;
  }

  private claimedEpoch(): number {
    if (this.epoch === undefined) throw new TributaryError('TASK_NOT_CLAIMED', `task ${this.taskId} writes state without holding it: call claim() first`);
    return this.epoch;
  }

  private storeNamed(name: string): CachedStore {
    const store = this.stores.get(name);
    if (!store) throw new TributaryError('UNKNOWN_STORE', `task ${this.taskId} has no store '${name}' (it has ${[...this.stores.keys()].map((n) => `'${n}'`).join(', ') || 'none'})`);
    return store;
  }

  private forgetAll(): void {
    this.generation++;
    for (const store of this.stores.values()) store.clear();
    this.cacheBudget.set(this, 0);
  }
}

function storeFor(definition: StoreDefinition, keys: TaskKeys, wholeReadMaxEntries: number): CachedStore {
  const timed = { retentionMs: definition.retentionMs, readHorizonMs: definition.readHorizonMs, wholeReadMaxEntries };
  switch (definition.kind) {
    case 'keyValue':
      return new RedisKeyValueStore(definition.name, keys.keyValue(definition.name));
    case 'window':
      return new RedisWindowStore(definition.name, keys.window(definition.name), timed);
    case 'session':
      return new RedisSessionStore(definition.name, keys.session(definition.name), timed);
  }
}
