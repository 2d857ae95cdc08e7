import assert from 'node:assert/strict';
import fc from 'fast-check';
import { assignTasks } from '../../../runtime/kafka/taskAssigner.ts';

const tasksArb = fc.uniqueArray(fc.tuple(fc.nat(2), fc.nat(11)).map(([s, p]) => `${s}_${p}`), { maxLength: 30 });
const membersArb = fc.uniqueArray(fc.string({ minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 6 });

describe('the task assigner', () => {
  it('gives every task to exactly one member, and task counts differ by at most one', () => {
    fc.assert(
      fc.property(tasksArb, membersArb, (tasks, ids) => {
        const result = assignTasks(tasks, ids.map((id) => ({ id, owned: [] })));
        const assigned = [...result.values()].flat();
        assert.deepEqual([...assigned].sort(), [...tasks].sort());
        const sizes = [...result.values()].map((t) => t.length);
        assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1);
      }),
    );
  });

  it('spreads each subtopology’s tasks over the members (counts differ by at most one), as Kafka Streams does', () => {
    fc.assert(
      fc.property(tasksArb, membersArb, (tasks, ids) => {
        const result = assignTasks(tasks, ids.map((id) => ({ id, owned: [] })));
        for (const subtopology of new Set(tasks.map((t) => t.split('_')[0]))) {
          const counts = [...result.values()].map((mine) => mine.filter((t) => t.split('_')[0] === subtopology).length);
          assert.ok(Math.max(...counts) - Math.min(...counts) <= 1, `subtopology ${subtopology}: ${JSON.stringify([...result])}`);
        }
      }),
    );
    const two = assignTasks(['0_0', '0_1', '1_0', '1_1'], [{ id: 'a', owned: [] }, { id: 'b', owned: [] }]);
    assert.deepEqual([...two], [['a', ['0_0', '1_0']], ['b', ['0_1', '1_1']]]);
  });

  it('leaves a member its previous tasks when it has room for them (sticky)', () => {
    fc.assert(
      fc.property(tasksArb, membersArb, (tasks, ids) => {
        // Owners from an earlier balanced assignment over the same members keep everything.
        const before = assignTasks(tasks, ids.map((id) => ({ id, owned: [] })));
        const after = assignTasks(tasks, ids.map((id) => ({ id, owned: before.get(id)! })));
        assert.deepEqual(after, before);
      }),
    );
  });

  it('moves only the tasks that must move when a member joins', () => {
    const tasks = Array.from({ length: 6 }, (_, p) => `0_${p}`);
    const alone = assignTasks(tasks, [{ id: 'a', owned: [] }]);
    const two = assignTasks(tasks, [
      { id: 'a', owned: alone.get('a')! },
      { id: 'b', owned: [] },
    ]);
    assert.equal(two.get('a')!.length, 3);
    assert.ok(two.get('a')!.every((t) => alone.get('a')!.includes(t)));
    assert.equal(two.get('b')!.length, 3);
  });

  it('keeps the tasks of a leaving member together with no other member losing any', () => {
    const tasks = Array.from({ length: 6 }, (_, p) => `0_${p}`);
    const three = assignTasks(tasks, ['a', 'b', 'c'].map((id) => ({ id, owned: [] })));
    const two = assignTasks(tasks, ['a', 'b'].map((id) => ({ id, owned: three.get(id)! })));
    for (const id of ['a', 'b']) assert.ok(three.get(id)!.every((t) => two.get(id)!.includes(t)), `${id} kept its tasks`);
  });
});
