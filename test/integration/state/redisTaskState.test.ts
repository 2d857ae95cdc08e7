import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import type { Redis } from 'ioredis';
import { loadConnectionConfig } from '../../../runtime/config.ts';
import type { TimeWindow } from '../../../processors/record.ts';
import type { KeyValueStore } from '../../../state/keyValueStore.ts';
import { InMemoryKeyValueStore } from '../../../state/memory/inMemoryKeyValueStore.ts';
import { InMemorySessionStore } from '../../../state/memory/inMemorySessionStore.ts';
import { InMemoryWindowStore } from '../../../state/memory/inMemoryWindowStore.ts';
import { closeRedis, connectRedis, type RedisClient } from '../../../state/redis/redisConnection.ts';
import { RedisTaskState, type RedisTaskStateOptions } from '../../../state/redis/redisTaskState.ts';
import { StateCacheBudget } from '../../../state/redis/stateCacheBudget.ts';
import { TaskKeys } from '../../../state/redis/taskKeys.ts';
import { TaskScripts } from '../../../state/redis/taskScripts.ts';
import type { SessionStore } from '../../../state/sessionStore.ts';
import { StateNotLoadedError } from '../../../state/stateNotLoadedError.ts';
import { keyId } from '../../../state/stateStore.ts';
import type { StoreDefinition } from '../../../state/storeDefinition.ts';
import { TaskFencedError } from '../../../state/taskFencedError.ts';
import type { CommitUnit, TaskState } from '../../../state/taskState.ts';
import type { WindowStore } from '../../../state/windowStore.ts';

const WEEK = 7 * 24 * 3600_000;

const TASK = '0_3';
const EMPTY_UNIT: CommitUnit = { watermarks: {}, outbox: [] };

interface Views {
  readonly kv: KeyValueStore<unknown, unknown>;
  readonly win: WindowStore<unknown, unknown>;
  readonly sess: SessionStore<unknown, unknown>;
}

const STORES: readonly StoreDefinition[] = [
  { name: 'kv', kind: 'keyValue' },
  { name: 'win', kind: 'window' },
  { name: 'sess', kind: 'session' },
];

function viewsOf(state: TaskState): Views {
  return {
    kv: state.store('kv') as KeyValueStore<unknown, unknown>,
    win: state.store('win') as WindowStore<unknown, unknown>,
    sess: state.store('sess') as SessionStore<unknown, unknown>,
  };
}

/** Runs a read, answering each StateNotLoadedError with the load it names, as the runtime does. */
async function answered<T>(state: TaskState, read: () => T): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return read();
    } catch (error) {
      if (!(error instanceof StateNotLoadedError) || attempt >= 3) throw error;
      await state.load([error.request]);
    }
  }
}

describe('RedisTaskState against a real Redis', function () {
  this.timeout(60_000);
  const url = loadConnectionConfig().redisUrl;
  let redis: RedisClient;
  let apps: string[] = [];

  function newApp(): string {
    const app = `test-${randomUUID().slice(0, 8)}`;
    apps.push(app);
    return app;
  }

  function newState(app: string, options: Partial<RedisTaskStateOptions> = {}, client: RedisClient = redis): RedisTaskState {
    return new RedisTaskState(client, { app, taskId: TASK, stores: STORES, ...options });
  }

  /** The app's keys, from every primary when REDIS_URL names a cluster (a test may SCAN; the code may not). */
  async function keysOf(app: string): Promise<string[]> {
    const found: string[] = [];
    for (const node of 'nodes' in redis ? redis.nodes('master') : [redis]) {
      let cursor = '0';
      do {
        const [next, batch] = await node.scan(cursor, 'MATCH', `tributary:{${app}:*`, 'COUNT', 1000);
        found.push(...batch);
        cursor = next;
      } while (cursor !== '0');
    }
    return found.sort();
  }

  /** Every key of the app with its type and contents. */
  async function snapshot(app: string): Promise<Record<string, unknown>> {
    const contents: Record<string, unknown> = {};
    for (const key of await keysOf(app)) {
      const type = await redis.type(key);
      if (type === 'string') contents[key] = await redis.get(key);
      else if (type === 'hash') contents[key] = await redis.hgetall(key);
      else if (type === 'list') contents[key] = (await redis.lrangeBuffer(key, 0, -1)).map((b) => b.toString('hex'));
      else if (type === 'zset') contents[key] = await redis.zrange(key, 0, -1, 'WITHSCORES');
      else contents[key] = type;
    }
    return contents;
  }

  before(async () => {
    redis = connectRedis(url);
    await redis.ping();
  });

  afterEach(async () => {
    for (const app of apps) {
      const keys = await keysOf(app);
      if (keys.length > 0) await redis.del(...keys);
    }
    apps = [];
  });

  after(async () => {
    await closeRedis(redis);
  });

  describe('store views', () => {
    it('answer every read like the in-memory stores, through random puts, deletes, commits, rollbacks and reclaims', async () => {
      await fc.assert(
        fc.asyncProperty(
          operations,
          fc.constantFrom(0, 4, 100_000),
          fc.constantFrom(undefined, 0, 3),
          fc.constantFrom(0, 3, 10_000),
          (ops, cacheEntries, readHorizonMs, wholeReadMaxEntries) =>
            runAgainstModel(ops, { cacheBudget: new StateCacheBudget(cacheEntries), wholeReadMaxEntries }, readHorizonMs),
        ),
        { numRuns: 80 },
      );
    });

    /**
     * With a read horizon the window and session stores load keys from their observed time
     * minus it and forget older entries at each commit; reads further back (which the model
     * makes at any time) must then load what they read, never answer from what was forgotten.
     */
    async function runAgainstModel(ops: readonly Op[], options: Partial<RedisTaskStateOptions>, readHorizonMs: number | undefined): Promise<void> {
      const app = newApp();
      const stores = STORES.map((store) => (store.kind === 'keyValue' || readHorizonMs === undefined ? store : { ...store, readHorizonMs }));
      let state = newState(app, { ...options, stores });
      await state.claim();
      let committed: WriteOp[] = [];
      let pending: WriteOp[] = [];
      let model = modelOf([]);
      for (const op of ops) {
        switch (op.op) {
          case 'commit':
            await state.commit(EMPTY_UNIT);
            committed = [...committed, ...pending];
            pending = [];
            break;
          case 'rollback':
            state.rollback();
            pending = [];
            model = modelOf(committed);
            break;
          case 'prefetch':
            // What a task loads before a unit: the unit's keys, from each store's own floor.
            await state.load(STORES.map((store) => ({ store: store.name, kind: 'key', key: op.key })));
            break;
          case 'reclaim':
            // A new owner with a cold cache: everything it reads comes from Redis.
            state.close();
            state = newState(app, { ...options, stores });
            await state.claim();
            pending = [];
            model = modelOf(committed);
            break;
          default:
            if (isWrite(op)) {
              apply(model, op);
              apply(viewsOf(state), op); // a blind write: never needs a load
              pending.push(op);
            } else {
              const expected = normalized(op, apply(model, op));
              const views = viewsOf(state);
              const actual = await answered(state, () => apply(views, op));
              assert.deepStrictEqual(actual, expected, `${describeOp(op)} after ${ops.indexOf(op)} operations`);
            }
        }
        assert.equal(state.dirty, pending.length > 0, `dirty after ${describeOp(op)}`);
      }
    }

    it('throw StateNotLoadedError naming the key, the range from the asked start on, or all', async () => {
      const state = newState(newApp());
      await state.claim();
      const { kv, win, sess } = viewsOf(state);
      assert.throws(() => kv.get('k'), (e: unknown) => e instanceof StateNotLoadedError && e.request.kind === 'key' && e.request.key === 'k');
      assert.throws(() => kv.all(), (e: unknown) => e instanceof StateNotLoadedError && e.request.kind === 'all');
      assert.throws(() => win.fetch({ id: 1 }, 0), (e: unknown) => e instanceof StateNotLoadedError && e.request.kind === 'key');
      assert.throws(() => win.fetchAll(5, 10), (e: unknown) => e instanceof StateNotLoadedError && e.request.kind === 'range' && e.request.from === 5 && e.request.to === Infinity);
      assert.throws(() => sess.findSessions('u', 0, 10), (e: unknown) => e instanceof StateNotLoadedError && e.request.kind === 'key');
      await state.load([{ store: 'win', kind: 'range', from: 5, to: Infinity }]);
      assert.deepEqual(win.fetchAll(5, 10), []);
      assert.deepEqual(win.fetchAll(7, 1e12), [], 'a later, wider fetchAll needs no second load');
      assert.deepEqual(win.fetchRange('any', 6, 9), [], 'a loaded range answers fetchRange for any key');
    });

    it('load a window store once for fetchAll from the start up to a growing stream time, as suppression asks', async () => {
      const app = newApp();
      const writer = newState(app);
      await writer.claim();
      viewsOf(writer).win.put('old', 10, 'a');
      viewsOf(writer).win.put('open', 500, 'b');
      await writer.commit(EMPTY_UNIT);

      const state = newState(app);
      await state.claim();
      const { win } = viewsOf(state);
      let loads = 0;
      const fetchUpTo = (time: number) =>
        answered(state, () => {
          try {
            return win.fetchAll(Number.MIN_SAFE_INTEGER, time);
          } catch (error) {
            loads++;
            throw error;
          }
        });
      assert.deepEqual(await fetchUpTo(100), [['old', 10, 'a']]);
      win.put('late', 300, 'c');
      assert.deepEqual(await fetchUpTo(400), [['old', 10, 'a'], ['late', 300, 'c']]);
      assert.deepEqual(await fetchUpTo(1_000), [['old', 10, 'a'], ['late', 300, 'c'], ['open', 500, 'b']]);
      assert.equal(loads, 1);
      assert.equal(win.fetch('never-written', 500), undefined, 'the whole store is loaded: any key is known');
    });

    it('read a small window store whole at its first key load, then know every key of it; a larger one key by key', async () => {
      async function storeOf(entries: number): Promise<WindowStore<unknown, unknown>> {
        const app = newApp();
        const writer = newState(app);
        await writer.claim();
        for (let i = 0; i < entries; i++) viewsOf(writer).win.put(`k${i}`, 100, i);
        await writer.commit(EMPTY_UNIT);
        const reader = newState(app);
        await reader.claim();
        await reader.load([{ store: 'win', kind: 'key', key: 'k1' }]);
        return viewsOf(reader).win;
      }
      const small = await storeOf(10_000);
      assert.equal(small.fetch('k2', 100), 2, 'a key not asked for is read with the store');
      assert.equal(small.fetch('absent', 100), undefined, 'a key the store does not hold is known absent');
      const large = await storeOf(10_001);
      assert.equal(large.fetch('k1', 100), 1);
      assert.throws(() => large.fetch('k2', 100), StateNotLoadedError, 'past 10,000 entries only the keys asked for are read');
    });

    it('load a key of a window store with a read horizon only from its observed time minus the horizon, and an older window when it is read', async () => {
      const app = newApp();
      const stores: StoreDefinition[] = [{ name: 'hw', kind: 'window', readHorizonMs: 1_000 }];
      const writer = newState(app, { stores });
      await writer.claim();
      const hw = (state: RedisTaskState) => state.store('hw') as WindowStore<string, number>;
      for (let start = 0; start <= 10_000; start += 1_000) hw(writer).put('k', start, start);
      // Past 10,000 entries, so the store is read key by key, not whole.
      for (let i = 0; i < 10_000; i++) hw(writer).put(`filler${i}`, 10_000, i);
      await writer.commit(EMPTY_UNIT);

      const reader = newState(app, { stores });
      await reader.claim();
      hw(reader).put('other', 10_000, 0);
      await reader.commit(EMPTY_UNIT); // the reader has now observed time 10,000
      await reader.load([{ store: 'hw', kind: 'key', key: 'k' }]);
      assert.equal(hw(reader).fetch('k', 9_000), 9_000);
      assert.equal(hw(reader).fetch('k', 10_000), 10_000);
      assert.equal(hw(reader).fetch('k', 9_500), undefined, 'a window from the floor on is known absent');
      assert.throws(() => hw(reader).fetch('k', 8_000), StateNotLoadedError, 'older windows were not read');
      assert.equal(await answered(reader, () => hw(reader).fetch('k', 3_000)), 3_000, 'a read further back loads from where it reads');
      assert.deepEqual(await answered(reader, () => hw(reader).fetchRange('k', 0, 2_000)), [[0, 0], [1_000, 1_000], [2_000, 2_000]]);

      const whole = newState(app, { stores: [{ name: 'hw', kind: 'window' }] });
      await whole.claim();
      hw(whole).put('other', 10_000, 0);
      await whole.commit(EMPTY_UNIT);
      await whole.load([{ store: 'hw', kind: 'key', key: 'k' }]);
      assert.equal(hw(whole).fetch('k', 0), 0, 'without a read horizon the whole key loads');
    });

    it('read every entry of a window store with a read horizon from its floor on at the first key load, when at most 10,000 lie there', async () => {
      const hw = (state: RedisTaskState) => state.store('hw') as WindowStore<string, number>;
      const stores: StoreDefinition[] = [{ name: 'hw', kind: 'window', readHorizonMs: 1_000 }];
      async function readerAfter(open: number): Promise<RedisTaskState> {
        const app = newApp();
        const writer = newState(app, { stores });
        await writer.claim();
        // Past 10,000 entries in all, so the store is not read whole.
        for (let i = 0; i < 10_001; i++) hw(writer).put(`old${i}`, 0, i);
        hw(writer).put('k', 0, -1);
        for (let i = 0; i < open; i++) hw(writer).put(`open${i}`, 9_500, i);
        await writer.commit(EMPTY_UNIT);
        const reader = newState(app, { stores });
        await reader.claim();
        hw(reader).put('other', 10_000, 0);
        await reader.commit(EMPTY_UNIT); // observed 10,000: the floor is 9,000
        await reader.load([{ store: 'hw', kind: 'key', key: 'k', from: 0 }]);
        return reader;
      }
      const few = await readerAfter(10_000 - 1); // with 'other', 10,000 from the floor on
      assert.equal(hw(few).fetch('k', 0), -1, 'the key asked for is read before the floor too');
      assert.equal(hw(few).fetch('open7', 9_500), 7, 'a key not asked for is read from the floor on');
      assert.equal(hw(few).fetch('old7', 9_800), undefined, 'every key is known from the floor on');
      assert.throws(() => hw(few).fetch('old7', 0), StateNotLoadedError, 'but not before it');
      const many = await readerAfter(10_000);
      assert.equal(hw(many).fetch('k', 0), -1);
      assert.throws(() => hw(many).fetch('open7', 9_500), StateNotLoadedError, 'past 10,000 from the floor on, only the keys asked for are read');
    });

    it('forget committed windows older than the read floor at each commit, whether keys or the whole store were loaded, and load one again when it is read', async () => {
      const hw = (state: RedisTaskState) => state.store('hw') as WindowStore<string, number>;
      for (const fillers of [0, 10_000]) {
        const app = newApp();
        const stores: StoreDefinition[] = [{ name: 'hw', kind: 'window', readHorizonMs: 1_000 }];
        const writer = newState(app, { stores });
        await writer.claim();
        hw(writer).put('k', 0, 1);
        hw(writer).put('k', 4_500, 2);
        // Past 10,000 entries the store is read key by key, not whole.
        for (let i = 0; i < fillers; i++) hw(writer).put(`filler${i}`, 0, i);
        await writer.commit(EMPTY_UNIT);

        const reader = newState(app, { stores });
        await reader.claim();
        await reader.load([{ store: 'hw', kind: 'key', key: 'k' }]); // observed time unknown yet: the whole key
        assert.equal(hw(reader).fetch('k', 0), 1);
        hw(reader).put('other', 5_000, 3);
        await reader.commit(EMPTY_UNIT); // observed 5,000: the floor is 4,000
        const loaded = fillers === 0 ? 'the whole store' : 'the key';
        assert.throws(() => hw(reader).fetch('k', 0), StateNotLoadedError, `a window below the floor is forgotten (${loaded} loaded)`);
        assert.equal(hw(reader).fetch('k', 4_500), 2, `a window from the floor on stays (${loaded} loaded)`);
        assert.equal(hw(reader).fetch('k', 4_000), undefined, `the key is still known from the floor on (${loaded} loaded)`);
        assert.equal(await answered(reader, () => hw(reader).fetch('k', 0)), 1, 'a read below the floor loads what it reads');
        assert.deepEqual(await answered(reader, () => hw(reader).fetchRange('k', 0, 5_000)), [[0, 1], [4_500, 2]]);
      }
    });

    it('answer a blind write without a load, and see it in a later read', async () => {
      const state = newState(newApp());
      await state.claim();
      const { kv, win } = viewsOf(state);
      kv.put('fresh', 1);
      win.put('w', 100, 'x');
      assert.equal(kv.get('fresh'), 1);
      assert.equal(win.fetch('w', 100), 'x');
      assert.throws(() => win.fetch('w', 200), StateNotLoadedError, 'other windows of the key are still unknown');
      await state.commit(EMPTY_UNIT);
      assert.equal(kv.get('fresh'), 1, 'the committed layer survives the commit');
      kv.delete('gone');
      assert.equal(kv.get('gone'), undefined, 'a blind delete is known absent');
    });
  });

  describe('claim', () => {
    it('bumps the epoch, and the stale owner\'s commit throws TaskFencedError and leaves Redis unchanged', async () => {
      const app = newApp();
      const first = newState(app);
      assert.equal((await first.claim()).epoch, 1);
      viewsOf(first).kv.put('k', 'v1');
      await first.commit({ watermarks: { orders: 10 }, outbox: [Buffer.from('a')] });

      const second = newState(app);
      const claim = await second.claim();
      assert.equal(claim.epoch, 2);
      const before = await snapshot(app);

      const stale = viewsOf(first);
      stale.kv.put('k', 'v2');
      stale.win.put('w', 0, 1);
      await assert.rejects(first.commit({ watermarks: { orders: 11 }, outbox: [Buffer.from('b')] }), (error: unknown) => {
        assert.ok(error instanceof TaskFencedError);
        assert.equal(error.code, 'TASK_FENCED');
        assert.equal(error.epoch, 1);
        assert.equal(error.currentEpoch, 2);
        assert.equal(error.taskId, TASK);
        return true;
      });
      await assert.rejects(first.trimOutbox(1), TaskFencedError);
      assert.deepEqual(await snapshot(app), before, 'the fenced commit and trim changed nothing');

      await second.load([{ store: 'kv', kind: 'key', key: 'k' }]);
      assert.equal(viewsOf(second).kv.get('k'), 'v1');
    });

    it('reads no store data: with 10 000 entries stored it sends one script naming only epoch, watermarks and outbox', async () => {
      const app = newApp();
      const writer = newState(app);
      await writer.claim();
      const { kv, win } = viewsOf(writer);
      for (let i = 0; i < 10_000; i++) {
        kv.put(`key-${i}`, { n: i, payload: 'x'.repeat(50) });
        win.put(`key-${i}`, i % 100, i);
      }
      await writer.commit({ watermarks: { orders: 9_999 }, outbox: [] });
      assert.equal(await redis.hlen(new TaskKeys({ app, taskId: TASK }).keyValue('kv')), 10_000);

      const client = connectRedis(url) as Redis;
      try {
        await client.ping();
        const sent = recordCommands(client);
        const owner = newState(app, {}, client);
        const started = performance.now();
        const claim = await owner.claim();
        const claimMs = performance.now() - started;
        const keys = new TaskKeys({ app, taskId: TASK });
        assert.deepEqual(claim.watermarks, { orders: 9_999 });
        assert.equal(sent.length, 1, `claim sent ${sent.map((c) => c.name).join(', ')}`);
        assert.equal(sent[0]!.name, 'evalsha');
        assert.deepEqual(sent[0]!.args.slice(1, 5).map(String), ['3', keys.epoch, keys.watermarks, keys.outbox]);
        assert.ok(claimMs < 1_000, `claim took ${claimMs} ms`);

        sent.length = 0;
        const wanted = Array.from({ length: 1_000 }, (_, i) => `key-${i * 7}`);
        await owner.load(wanted.flatMap((key) => [
          { store: 'kv', kind: 'key' as const, key },
          { store: 'win', kind: 'key' as const, key },
        ]));
        assert.equal(sent.length, 1, 'a batch of 2 000 load requests is one script call');
        const views = viewsOf(owner);
        assert.deepEqual(views.kv.get('key-7'), { n: 7, payload: 'x'.repeat(50) });
        assert.deepEqual(views.win.fetchRange('key-14', 0, 100), [[14, 14]]);

        sent.length = 0;
        await owner.load([{ store: 'kv', kind: 'key', key: 'key-7' }]);
        assert.equal(sent.length, 0, 'a load of what is cached sends nothing');
      } finally {
        await closeRedis(client);
      }
    });

    it('empties the cache, so a reclaimed task reads what Redis holds', async () => {
      const app = newApp();
      const state = newState(app);
      await state.claim();
      viewsOf(state).kv.put('k', 1);
      await state.commit(EMPTY_UNIT);
      await redis.hset(new TaskKeys({ app, taskId: TASK }).keyValue('kv'), 'k', JSON.stringify(['k', 2]));
      await state.claim();
      assert.equal(await answered(state, () => viewsOf(state).kv.get('k')), 2);
    });
  });

  describe('commit', () => {
    it('applies store writes, watermarks and outbox together, and a new owner finds all three', async () => {
      const app = newApp();
      const state = newState(app);
      await state.claim();
      const { kv, win, sess } = viewsOf(state);
      kv.put({ customer: 7 }, { total: 3, blob: Buffer.from([0, 255, 1]) });
      win.put('clicks', 60_000, 4);
      sess.put('user', { start: 10, end: 20 }, 'visit');
      const outputs = [Buffer.from([0xff, 0x00, 0xfe]), Buffer.from('second')];
      await state.commit({ watermarks: { orders: 41, payments: 7 }, outbox: outputs });
      await state.commit({ watermarks: { orders: 42 }, outbox: [Buffer.from('third')] });

      const next = newState(app);
      const claim = await next.claim();
      assert.deepEqual(claim.watermarks, { orders: 42, payments: 7 });
      assert.deepEqual(claim.outbox, [...outputs, Buffer.from('third')]);
      await next.load([{ store: 'kv', kind: 'all' }, { store: 'win', kind: 'key', key: 'clicks' }, { store: 'sess', kind: 'range', from: 0, to: Infinity }]);
      const views = viewsOf(next);
      assert.deepEqual(views.kv.all(), [[{ customer: 7 }, { total: 3, blob: Buffer.from([0, 255, 1]) }]]);
      assert.deepEqual(views.win.fetchRange('clicks', 0, 1e9), [[60_000, 4]]);
      assert.deepEqual(views.sess.fetchAll(0, 100), [['user', { start: 10, end: 20 }, 'visit']]);
    });

    it('sends nothing when there is nothing to write, and still writes watermarks alone', async () => {
      const app = newApp();
      const state = newState(app);
      await state.claim();
      await state.commit(EMPTY_UNIT);
      assert.deepEqual(await keysOf(app), [new TaskKeys({ app, taskId: TASK }).epoch]);
      await state.commit({ watermarks: { orders: 3 }, outbox: [] });
      assert.deepEqual(await redis.hgetall(new TaskKeys({ app, taskId: TASK }).watermarks), { orders: '3' });
    });

    it('keeps writes made while a commit is in flight for the next commit', async () => {
      const app = newApp();
      const state = newState(app);
      await state.claim();
      const { kv } = viewsOf(state);
      kv.put('a', 1);
      const inFlight = state.commit(EMPTY_UNIT);
      kv.put('b', 2);
      assert.equal(kv.get('a'), 1);
      await inFlight;
      assert.equal(state.dirty, true);
      await state.commit(EMPTY_UNIT);
      const next = newState(app);
      await next.claim();
      await next.load([{ store: 'kv', kind: 'all' }]);
      assert.deepEqual(viewsOf(next).kv.all(), [['a', 1], ['b', 2]]);
    });

    it('sets retention plus a week of idleness as TTL on window and session entries, and none on key-value entries', async () => {
      const app = newApp();
      const stores: StoreDefinition[] = [
        { name: 'kv', kind: 'keyValue' },
        { name: 'win', kind: 'window', retentionMs: 60_000 },
        { name: 'sess', kind: 'session', retentionMs: 30_000 },
        { name: 'forever', kind: 'window' },
      ];
      const state = newState(app, { stores });
      await state.claim();
      const { kv, win, sess } = viewsOf(state);
      kv.put('k', 1);
      win.put('k', 1_000, 1);
      sess.put('k', { start: 1, end: 2 }, 1);
      (state.store('forever') as WindowStore<string, number>).put('k', 1_000, 1);
      await state.commit({ watermarks: {}, outbox: [] });
      const keys = new TaskKeys({ app, taskId: TASK });
      for (const key of Object.values(keys.window('win'))) {
        const ttl = await redis.pttl(key);
        assert.ok(ttl > WEEK + 50_000 && ttl <= WEEK + 60_000, `${key} TTL ${ttl}`);
      }
      for (const key of Object.values(keys.session('sess'))) {
        const ttl = await redis.pttl(key);
        assert.ok(ttl > WEEK + 20_000 && ttl <= WEEK + 30_000, `${key} TTL ${ttl}`);
      }
      assert.equal(await redis.pttl(keys.window('forever').data), -1);
      assert.equal(await redis.pttl(keys.keyValue('kv')), -1);
    });

    it("drops window and session entries at or before the store's own observed time minus retention, as Kafka Streams' stores do, whatever other stores' times", async () => {
      const app = newApp();
      const stores: StoreDefinition[] = [
        { name: 'win', kind: 'window', retentionMs: 2_000 },
        { name: 'sess', kind: 'session', retentionMs: 2_000 },
        { name: 'idle', kind: 'window', retentionMs: 2_000 },
      ];
      const state = newState(app, { stores });
      await state.claim();
      const win = state.store('win') as WindowStore<string, number>;
      const sess = state.store('sess') as SessionStore<string, number>;
      (state.store('idle') as WindowStore<string, number>).put('k', 0, 0);
      for (const start of [0, 1_000, 3_000, 3_001]) win.put('k', start, start);
      sess.put('k', { start: 0, end: 1_500 }, 1);
      sess.put('k', { start: 0, end: 1_501 }, 1);
      await state.commit(EMPTY_UNIT);
      // Later writes move 'win' to 5000 and 'sess' to 3500; 'idle' gets none, as a join side whose partner runs ahead.
      win.put('k', 5_000, 5_000);
      sess.put('k', { start: 3_000, end: 3_500 }, 2);
      await state.commit({ watermarks: { t: 1 }, outbox: [] });
      const keys = new TaskKeys({ app, taskId: TASK });
      assert.deepEqual(await redis.zrange(keys.window('win').byTime, 0, -1), ['1:k:3001', '1:k:5000']);
      assert.deepEqual(await redis.zrange(keys.window('win').byKey, 0, -1), ['1:k:3001', '1:k:5000']);
      assert.deepEqual(Object.keys(await redis.hgetall(keys.window('win').data)).sort(), ['1:k:3001', '1:k:5000']);
      assert.deepEqual(await redis.zrange(keys.session('sess').byTime, 0, -1), ['1:k:0:1501', '1:k:3000:3500']);
      assert.deepEqual(await redis.zrange(keys.window('idle').byTime, 0, -1), ['1:k:0']);

      const next = newState(app, { stores });
      await next.claim();
      await next.load([{ store: 'win', kind: 'key', key: 'k' }]);
      assert.deepEqual((next.store('win') as WindowStore<string, number>).fetchRange('k', -1e9, 1e9), [[3_001, 3_001], [5_000, 5_000]]);
    });

    it("skips a put at or before the store's observed time minus retention, as Kafka Streams' stores do, and the cache answers as Redis then does", async () => {
      const app = newApp();
      const stores: StoreDefinition[] = [{ name: 'win', kind: 'window', retentionMs: 2_000 }];
      const state = newState(app, { stores });
      await state.claim();
      const win = state.store('win') as WindowStore<string, number>;
      win.put('k', 5_000, 5_000);
      await state.commit(EMPTY_UNIT);
      win.put('k', 3_000, 3_000); // at 5000 − 2000: expired
      win.put('k', 3_001, 3_001);
      await state.commit(EMPTY_UNIT);
      const keys = new TaskKeys({ app, taskId: TASK });
      assert.deepEqual(await redis.zrange(keys.window('win').byTime, 0, -1), ['1:k:3001', '1:k:5000']);
      await state.load([{ store: 'win', kind: 'key', key: 'k', from: 0 }]);
      assert.deepEqual(win.fetchRange('k', 0, 1e9), [[3_001, 3_001], [5_000, 5_000]]);
    });

    it('is applied once when the same script reaches Redis twice (ioredis resends after a dropped connection)', async () => {
      const app = newApp();
      const keys = new TaskKeys({ app, taskId: TASK });
      const scripts = new TaskScripts(redis, keys);
      const { epoch } = await scripts.claim();
      const writes = [{ kind: 'hash' as const, key: keys.keyValue('kv'), set: [['k', '["k",1]'] as const], del: [] }];
      assert.deepEqual(await scripts.commit(epoch, `${epoch}:1`, { t: 5 }, [Buffer.from('x')], writes), { applied: true, replayed: false });
      assert.deepEqual(await scripts.commit(epoch, `${epoch}:1`, { t: 5 }, [Buffer.from('x')], writes), { applied: true, replayed: true });
      assert.deepEqual(await redis.lrange(keys.outbox, 0, -1), ['x']);
      assert.deepEqual(await scripts.trimOutbox(epoch, `${epoch}:2`, 1), { applied: true, replayed: false });
      assert.deepEqual(await scripts.trimOutbox(epoch, `${epoch}:2`, 1), { applied: true, replayed: true });
      assert.equal(await redis.llen(keys.outbox), 0);
    });

    it('starts the cache again empty once it holds more than its budget', async () => {
      const app = newApp();
      const state = newState(app, { cacheBudget: new StateCacheBudget(2) });
      await state.claim();
      const { kv } = viewsOf(state);
      kv.put('a', 1);
      kv.put('b', 2);
      await state.commit(EMPTY_UNIT);
      assert.equal(kv.get('a'), 1, 'two entries fit');
      kv.put('c', 3);
      await state.commit(EMPTY_UNIT);
      assert.throws(() => kv.get('a'), StateNotLoadedError);
      assert.equal(await answered(state, () => kv.get('c')), 3);
    });

    it('shares a budget among the tasks of a worker: past it, a task over its share empties its cache, one under it keeps it', async () => {
      const budget = new StateCacheBudget(10);
      const app = newApp();
      const small = new RedisTaskState(redis, { app, taskId: '0_0', stores: STORES, cacheBudget: budget });
      const large = new RedisTaskState(redis, { app, taskId: '0_1', stores: STORES, cacheBudget: budget });
      await small.claim();
      await large.claim();
      viewsOf(small).kv.put('s', 1);
      await small.commit(EMPTY_UNIT);
      for (let i = 0; i < 9; i++) viewsOf(large).kv.put(`l${i}`, i);
      await large.commit(EMPTY_UNIT);
      assert.equal(viewsOf(large).kv.get('l0'), 0, '10 entries in all: within the budget');
      viewsOf(large).kv.put('l9', 9);
      await large.commit(EMPTY_UNIT);
      assert.throws(() => viewsOf(large).kv.get('l0'), StateNotLoadedError, 'past the budget the task over its share (5) starts again empty');
      viewsOf(small).kv.put('t', 2);
      await small.commit(EMPTY_UNIT);
      assert.equal(viewsOf(small).kv.get('s'), 1, 'the task under its share keeps its cache');
      large.close();
      for (let i = 0; i < 8; i++) viewsOf(small).kv.put(`m${i}`, i);
      await small.commit(EMPTY_UNIT);
      assert.equal(viewsOf(small).kv.get('s'), 1, 'a closed task leaves the whole budget to the others (10 entries)');
    });
  });

  describe('trimOutbox', () => {
    it('removes the first entries and keeps the rest in order', async () => {
      const app = newApp();
      const state = newState(app);
      await state.claim();
      await state.commit({ watermarks: {}, outbox: ['a', 'b', 'c', 'd'].map((s) => Buffer.from(s)) });
      await state.trimOutbox(0);
      await state.trimOutbox(3);
      const claim = await newState(app).claim();
      assert.deepEqual(claim.outbox, [Buffer.from('d')]);
    });
  });

  describe('rollback', () => {
    it('drops uncommitted writes and keeps committed ones', async () => {
      const app = newApp();
      const state = newState(app);
      await state.claim();
      const { kv, win, sess } = viewsOf(state);
      kv.put('kept', 1);
      await state.commit(EMPTY_UNIT);
      kv.put('kept', 2);
      kv.put('dropped', 3);
      win.put('w', 5, 'x');
      sess.put('s', { start: 1, end: 2 }, 'y');
      assert.equal(state.dirty, true);
      state.rollback();
      assert.equal(state.dirty, false);
      assert.equal(kv.get('kept'), 1);
      assert.throws(() => kv.get('dropped'), StateNotLoadedError, 'a dropped blind write is unknown again, not absent');
      assert.equal(await answered(state, () => kv.get('dropped')), undefined);
      assert.equal(await answered(state, () => win.fetch('w', 5)), undefined);
      assert.deepEqual(await answered(state, () => sess.findSessions('s', 0, 10)), []);
    });
  });
});

/** Commands sent through a client from now on, with their arguments at send time. */
function recordCommands(client: Redis): Array<{ name: string; args: unknown[] }> {
  const sent: Array<{ name: string; args: unknown[] }> = [];
  const send = client.sendCommand.bind(client);
  client.sendCommand = ((command, stream) => {
    sent.push({ name: command.name, args: [...command.args] });
    return send(command, stream);
  }) as Redis['sendCommand'];
  return sent;
}

// ---- the model-based property: random operations on both implementations ----

type Key = string | number | Buffer | { readonly id: number | string };

type WriteOp =
  | { readonly store: 'kv'; readonly op: 'put'; readonly key: Key; readonly value: unknown }
  | { readonly store: 'kv'; readonly op: 'delete'; readonly key: Key }
  | { readonly store: 'win'; readonly op: 'put'; readonly key: Key; readonly start: number; readonly value: unknown }
  | { readonly store: 'win'; readonly op: 'delete'; readonly key: Key; readonly start: number }
  | { readonly store: 'sess'; readonly op: 'put'; readonly key: Key; readonly session: TimeWindow; readonly value: unknown }
  | { readonly store: 'sess'; readonly op: 'remove'; readonly key: Key; readonly session: TimeWindow };

type ReadOp =
  | { readonly store: 'kv'; readonly op: 'get'; readonly key: Key }
  | { readonly store: 'kv'; readonly op: 'all' }
  | { readonly store: 'win'; readonly op: 'fetch'; readonly key: Key; readonly start: number }
  | { readonly store: 'win'; readonly op: 'fetchRange'; readonly key: Key; readonly from: number; readonly to: number }
  | { readonly store: 'win'; readonly op: 'fetchAll'; readonly from: number; readonly to: number }
  | { readonly store: 'sess'; readonly op: 'findSessions'; readonly key: Key; readonly earliestEnd: number; readonly latestStart: number }
  | { readonly store: 'sess'; readonly op: 'fetchAll'; readonly from: number; readonly to: number };

type Op = WriteOp | ReadOp | { readonly op: 'commit' } | { readonly op: 'rollback' } | { readonly op: 'reclaim' } | { readonly op: 'prefetch'; readonly key: Key };

// Keys whose ids look like field syntax (`1:x`, digits, colons), a NUL, non-ASCII, numbers,
// objects and a Buffer: each has one shape per id, as keys of one store do.
const key = fc.constantFrom<Key>('a', 'b', '1:a', '3:b:', '10', 'x\u0000y', 'é€', 7, -1, { id: 1 }, { id: 'z' }, Buffer.from([0, 255]));
const value = fc.oneof(
  fc.integer(),
  fc.string({ maxLength: 5 }),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.integer({ min: -9, max: 9 }), { maxLength: 3 }),
  // Plain objects: a null-prototype object cannot come back from JSON.
  fc.record({ n: fc.integer(), tags: fc.array(fc.string({ maxLength: 2 }), { maxLength: 2 }) }, { noNullPrototype: true }),
  fc.uint8Array({ maxLength: 4 }).map((bytes) => Buffer.from(bytes)),
);
const time = fc.integer({ min: -3, max: 12 });
// fetchAll from MIN_SAFE_INTEGER is how suppression asks for "from the start".
const from = fc.oneof({ weight: 4, arbitrary: time }, { weight: 1, arbitrary: fc.constant(Number.MIN_SAFE_INTEGER) });
const session = fc.tuple(time, fc.integer({ min: 0, max: 6 })).map(([start, length]): TimeWindow => ({ start, end: start + length }));

const operations: fc.Arbitrary<Op[]> = fc.array(
  fc.oneof(
    { weight: 4, arbitrary: fc.record({ store: fc.constant('kv' as const), op: fc.constant('put' as const), key, value }) },
    { weight: 1, arbitrary: fc.record({ store: fc.constant('kv' as const), op: fc.constant('delete' as const), key }) },
    { weight: 3, arbitrary: fc.record({ store: fc.constant('kv' as const), op: fc.constant('get' as const), key }) },
    { weight: 1, arbitrary: fc.record({ store: fc.constant('kv' as const), op: fc.constant('all' as const) }) },
    { weight: 4, arbitrary: fc.record({ store: fc.constant('win' as const), op: fc.constant('put' as const), key, start: time, value }) },
    { weight: 1, arbitrary: fc.record({ store: fc.constant('win' as const), op: fc.constant('delete' as const), key, start: time }) },
    { weight: 2, arbitrary: fc.record({ store: fc.constant('win' as const), op: fc.constant('fetch' as const), key, start: time }) },
    { weight: 2, arbitrary: fc.record({ store: fc.constant('win' as const), op: fc.constant('fetchRange' as const), key, from: time, to: time }) },
    { weight: 2, arbitrary: fc.record({ store: fc.constant('win' as const), op: fc.constant('fetchAll' as const), from, to: time }) },
    { weight: 4, arbitrary: fc.record({ store: fc.constant('sess' as const), op: fc.constant('put' as const), key, session, value }) },
    { weight: 1, arbitrary: fc.record({ store: fc.constant('sess' as const), op: fc.constant('remove' as const), key, session }) },
    { weight: 2, arbitrary: fc.record({ store: fc.constant('sess' as const), op: fc.constant('findSessions' as const), key, earliestEnd: time, latestStart: time }) },
    { weight: 2, arbitrary: fc.record({ store: fc.constant('sess' as const), op: fc.constant('fetchAll' as const), from, to: time }) },
    { weight: 2, arbitrary: fc.constant({ op: 'commit' as const }) },
    { weight: 1, arbitrary: fc.constant({ op: 'rollback' as const }) },
    { weight: 1, arbitrary: fc.constant({ op: 'reclaim' as const }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constant('prefetch' as const), key }) },
  ),
  // size 'max': without it fast-check keeps arrays near ten elements, too short to reach
  // loads after reclaims and commits after loads.
  { maxLength: 100, size: 'max' },
);

function isWrite(op: WriteOp | ReadOp): op is WriteOp {
  return op.op === 'put' || op.op === 'delete' || op.op === 'remove';
}

function modelOf(writes: readonly WriteOp[]): Views {
  const model: Views = { kv: new InMemoryKeyValueStore('kv'), win: new InMemoryWindowStore('win'), sess: new InMemorySessionStore('sess') };
  for (const write of writes) apply(model, write);
  return model;
}

function apply(views: Views, op: WriteOp | ReadOp): unknown {
  switch (op.store) {
    case 'kv':
      if (op.op === 'put') return views.kv.put(op.key, op.value);
      if (op.op === 'delete') return views.kv.delete(op.key);
      if (op.op === 'get') return views.kv.get(op.key);
      return views.kv.all();
    case 'win':
      if (op.op === 'put') return views.win.put(op.key, op.start, op.value);
      if (op.op === 'delete') return views.win.delete(op.key, op.start);
      if (op.op === 'fetch') return views.win.fetch(op.key, op.start);
      if (op.op === 'fetchRange') return views.win.fetchRange(op.key, op.from, op.to);
      return views.win.fetchAll(op.from, op.to);
    case 'sess':
      if (op.op === 'put') return views.sess.put(op.key, op.session, op.value);
      if (op.op === 'remove') return views.sess.remove(op.key, op.session);
      if (op.op === 'findSessions') return views.sess.findSessions(op.key, op.earliestEnd, op.latestStart);
      return views.sess.fetchAll(op.from, op.to);
  }
}

/**
 * The in-memory session store orders fetchAll sessions with the same end and start by
 * insertion, which a store read back from Redis cannot know; the Redis store orders them by
 * keyId (as both window stores do), so the model's ties are put in that order.
 */
function normalized(op: ReadOp, result: unknown): unknown {
  if (op.store !== 'sess' || op.op !== 'fetchAll') return result;
  const id = (k: unknown) => keyId(k);
  return [...(result as Array<[unknown, TimeWindow, unknown]>)].sort(
    (a, b) => a[1].end - b[1].end || a[1].start - b[1].start || (id(a[0]) < id(b[0]) ? -1 : id(a[0]) > id(b[0]) ? 1 : 0),
  );
}

function describeOp(op: Op): string {
  return JSON.stringify(op);
}
