import assert from 'node:assert/strict';
import { parseDemoOptions } from '../../../runtime/demo/demoOptions.ts';
import { ConfigError } from '../../../runtime/errors.ts';

describe('demo options', () => {
  it('defaults to 20 orders/s until stopped, the documented mix, and topics of the run’s own', () => {
    const options = parseDemoOptions({}, 1_700_000_000_000);
    assert.deepEqual(
      [options.rate, options.orders, options.duration, options.declined, options.outOfStock, options.noCarrier, options.customerCancels, options.partitions, options.workers],
      [20, undefined, undefined, 0.05, 0.05, 0.03, 0.02, 4, 1],
    );
    assert.equal(options.topicPrefix, `demo-${(1_700_000_000_000).toString(36)}.`);
    assert.equal(options.flow, 'orchestrated');
  });

  it('reads the flags commander hands over as strings', () => {
    const options = parseDemoOptions({ rate: '50', orders: '1000', declined: '0.1', serviceLatencyMs: '200', topicPrefix: 'demo-x.', seed: '42', flow: 'choreographed' });
    assert.deepEqual([options.rate, options.orders, options.declined, options.serviceLatencyMs, options.topicPrefix, options.seed, options.flow], [50, 1000, 0.1, 200, 'demo-x.', 42, 'choreographed']);
  });

  for (const [flags, message] of [
    [{ rate: '0' }, '--rate 0: must be greater than 0'],
    [{ orders: '2.5' }, '--orders 2.5: must be a whole number'],
    [{ outOfStock: '1.5' }, '--out-of-stock 1.5: must be between 0 and 1'],
    [{ declined: '0.5', customerCancels: '0.6' }, '--declined 0.5: the shares of --declined, --out-of-stock, --no-carrier and --customer-cancels must add up to at most 1'],
    [{ topicPrefix: 'Demo' }, '--topic-prefix Demo: must be lower-case letters, digits and dashes ending in a dot, e.g. demo-1.'],
    [{ flow: 'sideways' }, '--flow sideways: must be orchestrated or choreographed'],
  ] as const) {
    it(`refuses ${JSON.stringify(flags)} with one line naming the flag`, () => {
      assert.throws(() => parseDemoOptions(flags), (error: unknown) => error instanceof ConfigError && error.message === message);
    });
  }
});
