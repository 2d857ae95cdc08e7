import assert from 'node:assert/strict';
import { orderSagaSettings } from '../../../topologies/orders/orderSaga.ts';
import { ServiceBehaviourError } from '../../../topologies/orders/services/serviceBehaviour.ts';

describe('order saga settings', () => {
  it('read ORDER_SAGA_* with defaults, and name a bad setting in one line', () => {
    assert.deepEqual(orderSagaSettings({}), { stepTimeoutMs: 10_000, attempts: 3, backoffMs: 500 });
    assert.deepEqual(orderSagaSettings({ ORDER_SAGA_STEP_TIMEOUT_MS: '2000', ORDER_SAGA_ATTEMPTS: '1', ORDER_SAGA_BACKOFF_MS: '0' }), { stepTimeoutMs: 2_000, attempts: 1, backoffMs: 0 });
    for (const [name, value] of [['ORDER_SAGA_STEP_TIMEOUT_MS', '0'], ['ORDER_SAGA_ATTEMPTS', 'two'], ['ORDER_SAGA_BACKOFF_MS', '-1']] as const) {
      assert.throws(
        () => orderSagaSettings({ [name]: value }),
        (error: unknown) => error instanceof ServiceBehaviourError && error.message.startsWith(`${name}: `) && !error.message.includes('\n'),
        `${name}=${value}`,
      );
    }
  });
});
