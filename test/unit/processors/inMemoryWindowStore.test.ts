import assert from 'node:assert/strict';
import { InMemoryWindowStore } from '../../../state/memory/inMemoryWindowStore.ts';

// The store lives in state/memory; its tests sit here beside the operators that use it.
describe('InMemoryWindowStore', () => {
  it("keeps windows for its retention, as Kafka Streams' in-memory store: at or before the latest start − retention they are gone", () => {
    const store = new InMemoryWindowStore<string, number>('w', 10);
    store.put('a', 0, 0);
    store.put('a', 3, 3);
    store.put('b', 12, 12); // latest start 12: starts ≤ 2 are expired
    assert.equal(store.fetch('a', 0), undefined);
    assert.equal(store.fetch('a', 3), 3);
    store.put('a', 2, 2); // expired: skipped
    store.delete('a', 0); // expired: nothing to delete, and nothing comes back
    assert.deepEqual(store.fetchRange('a', 0, 100), [[3, 3]]);
    assert.deepEqual(store.fetchAll(0, 100), [
      ['a', 3, 3],
      ['b', 12, 12],
    ]);
    store.put('b', 40, 40);
    assert.deepEqual(store.fetchAll(0, 100), [['b', 40, 40]]);
  });

  it('keeps every window when it has no retention', () => {
    const store = new InMemoryWindowStore<string, number>('w');
    store.put('a', 0, 0);
    store.put('a', 1e12, 1);
    assert.deepEqual(store.fetchRange('a', 0, Infinity), [[0, 0], [1e12, 1]]);
  });
});
