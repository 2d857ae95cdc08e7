import assert from 'node:assert/strict';
import { InMemorySessionStore } from '../../../state/memory/inMemorySessionStore.ts';

// The store lives in state/memory; its tests sit here beside the operators that use it.
describe('InMemorySessionStore', () => {
  it('fetchAll orders sessions by end, then start, then key identity, whatever order they were put in', () => {
    const store = new InMemorySessionStore<string, number>('s');
    store.put('b', { start: 0, end: 5 }, 1);
    store.put('a', { start: 2, end: 5 }, 2);
    store.put('c', { start: 0, end: 5 }, 3);
    store.put('a', { start: 0, end: 5 }, 4);
    store.put('z', { start: 1, end: 3 }, 5);
    assert.deepEqual(store.fetchAll(0, 10), [
      ['z', { start: 1, end: 3 }, 5],
      ['a', { start: 0, end: 5 }, 4],
      ['b', { start: 0, end: 5 }, 1],
      ['c', { start: 0, end: 5 }, 3],
      ['a', { start: 2, end: 5 }, 2],
    ]);
  });

  it('fetchAll takes the sessions whose end is in [from, to]', () => {
    const store = new InMemorySessionStore<string, number>('s');
    store.put('a', { start: 0, end: 4 }, 1);
    store.put('a', { start: 10, end: 12 }, 2);
    assert.deepEqual(store.fetchAll(4, 11), [['a', { start: 0, end: 4 }, 1]]);
  });

  it("keeps sessions for its retention counted on session ends, as Kafka Streams' in-memory store: at or before the latest end − retention they are gone", () => {
    const store = new InMemorySessionStore<string, number>('s', 10);
    store.put('a', { start: 0, end: 2 }, 1);
    store.put('a', { start: 3, end: 3 }, 2);
    store.put('b', { start: 5, end: 12 }, 3); // latest end 12: ends ≤ 2 are expired
    assert.deepEqual(store.findSessions('a', 0, 100), [[{ start: 3, end: 3 }, 2]]);
    store.put('a', { start: 1, end: 2 }, 4); // expired: skipped
    store.remove('a', { start: 0, end: 2 }); // expired: nothing to remove, and nothing comes back
    assert.deepEqual(store.fetchAll(0, 100), [
      ['a', { start: 3, end: 3 }, 2],
      ['b', { start: 5, end: 12 }, 3],
    ]);
    store.put('b', { start: 20, end: 40 }, 5);
    assert.deepEqual(store.fetchAll(0, 100), [['b', { start: 20, end: 40 }, 5]]);
  });
});
