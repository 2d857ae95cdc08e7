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
});
