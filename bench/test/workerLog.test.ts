import assert from 'node:assert/strict';
import { claimedAll, parseLog } from '../support/workerLog.ts';

const line = (app: string, msg: string, fields: Record<string, unknown> = {}) => JSON.stringify({ level: 30, time: 1, app, msg, ...fields });

describe('the worker log', () => {
  it('shows a process owning its work once each of its applications has claimed every task of its latest assignment', () => {
    const lines = [
      line('order-saga', 'assigned', { tasks: ['0_0', '1_0'] }),
      line('order-saga', 'task claimed', { task: '0_0' }),
      line('order-payment-service', 'assigned', { tasks: ['0_0'] }),
      line('order-payment-service', 'task claimed', { task: '0_0' }),
    ];
    assert.equal(claimedAll(parseLog(lines).events, 2), false, "the saga's task 1_0 is not claimed yet");
    assert.equal(claimedAll(parseLog([...lines, line('order-saga', 'task claimed', { task: '1_0' })]).events, 2), true);
  });

  it('does not count a task claimed by another application, nor an application not assigned yet', () => {
    const lines = [line('order-saga', 'assigned', { tasks: ['0_0'] }), line('order-payment-service', 'task claimed', { task: '0_0' })];
    assert.equal(claimedAll(parseLog(lines).events, 1), false);
    assert.equal(claimedAll(parseLog([...lines, line('order-saga', 'task claimed', { task: '0_0' })]).events, 2), false);
  });
});
