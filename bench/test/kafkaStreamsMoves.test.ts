import assert from 'node:assert/strict';
import { parseLog } from '../support/workerLog.ts';
import { measureRestoreMoves, tasksRestoredSince } from '../handoff/kafkaStreamsMoves.ts';

const line = (time: number, msg: string, task?: string, fields: Record<string, unknown> = {}) => JSON.stringify({ level: 30, time, msg, ...(task ? { task } : {}), ...fields });

describe('measureRestoreMoves', () => {
  const old = parseLog([line(900, 'task closed', '0_1'), line(1000, 'task closed', '0_1'), line(1001, 'task closed', '0_2')]).events;
  const fresh = parseLog([
    line(950, 'restore start', '0_1', { endOffset: 5 }),
    'a Java warning that is not JSON',
    line(1200, 'restore start', '0_1', { endOffset: 100 }),
    line(1200, 'restore start', '0_2', { endOffset: 80 }),
    line(1250, 'restore end', '0_2', { restored: 80 }),
    line(1450, 'restore end', '0_1', { restored: 100 }),
    line(1260, 'first record since claim', '0_2'),
    line(1460, 'first record since claim', '0_1'),
  ]).events;

  it('times each task from the old owner’s close through the new owner’s restore to its first record, ignoring what came before the move', () => {
    assert.deepEqual(measureRestoreMoves('shutdown', ['0_1', '0_2'], old, fresh, 1000), [
      { kind: 'shutdown', task: '0_1', restored: 100, restoreMs: 250, closedToRestoreStart: 200, closedToFirstRecord: 460 },
      { kind: 'shutdown', task: '0_2', restored: 80, restoreMs: 50, closedToRestoreStart: 199, closedToFirstRecord: 259 },
    ]);
  });

  it('names the line that is missing', () => {
    assert.throws(() => measureRestoreMoves('scale-out', ['0_3'], old, fresh, 1000), /task 0_3: no 'restore start'/);
    assert.throws(() => measureRestoreMoves('scale-out', ['0_2'], [], fresh, 1000), /task closed/);
  });

  it('lists the tasks restored since an instant once each, in order', () => {
    assert.deepEqual(tasksRestoredSince(fresh, 1000), ['0_1', '0_2']);
    assert.deepEqual(tasksRestoredSince(fresh, 2000), []);
  });
});
