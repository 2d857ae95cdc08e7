import assert from 'node:assert/strict';
import { ConfigError } from '../../../runtime/errors.ts';
import { loadWorkerConfig } from '../../../runtime/worker/workerConfig.ts';

describe('worker configuration', () => {
  it('defaults to the local stack, at_least_once and the topology name as application id', () => {
    const config = loadWorkerConfig('orders', {}, {});
    assert.equal(config.applicationId, 'orders');
    assert.equal(config.guarantee, 'at_least_once');
    assert.deepEqual(config.brokers, ['localhost:9092']);
    assert.equal(config.redisUrl, 'redis://localhost:6379');
    assert.equal(config.crashAfterCommits, undefined);
    assert.equal(config.commitIntervalMs, 1000);
    assert.equal(config.unitRecords, 500);
    assert.equal(config.stateCacheEntries, 200_000);
  });

  it('takes flags over the environment over defaults', () => {
    const env = { TRIBUTARY_GUARANTEE: 'exactly_once', TRIBUTARY_CONCURRENCY: '8', KAFKA_BROKERS: 'a:1,b:2', TRIBUTARY_UNIT_RECORDS: '2000' };
    const config = loadWorkerConfig('orders', { concurrency: 2 }, env);
    assert.equal(config.guarantee, 'exactly_once');
    assert.equal(config.concurrency, 2);
    assert.equal(config.unitRecords, 2000);
    assert.equal(loadWorkerConfig('orders', { unitRecords: 100 }, env).unitRecords, 100);
    assert.equal(loadWorkerConfig('orders', {}, { TRIBUTARY_STATE_CACHE_ENTRIES: '5000' }).stateCacheEntries, 5000);
    assert.equal(loadWorkerConfig('orders', { stateCacheEntries: 0 }, { TRIBUTARY_STATE_CACHE_ENTRIES: '5000' }).stateCacheEntries, 0);
    assert.deepEqual(config.brokers, ['a:1', 'b:2']);
  });

  it('accepts a Redis Cluster as a list of hosts, and SASL and registry credentials from the environment', () => {
    const config = loadWorkerConfig('orders', {}, {
      REDIS_URL: 'redis://10.0.0.1:7000,10.0.0.2:7000',
      KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
      KAFKA_SASL_USERNAME: 'u',
      KAFKA_SASL_PASSWORD: 'p',
      KAFKA_SSL: 'true',
      SCHEMA_REGISTRY_USERNAME: 'r',
      SCHEMA_REGISTRY_PASSWORD: 's',
    });
    assert.equal(config.redisUrl, 'redis://10.0.0.1:7000,10.0.0.2:7000');
    assert.deepEqual(config.kafkaSasl, { mechanism: 'scram-sha-512', username: 'u', password: 'p' });
    assert.equal(config.kafkaSsl, true);
    assert.deepEqual(config.registryAuth, { username: 'r', password: 's' });
  });

  const invalid: Array<[string, Record<string, string>, RegExp]> = [
    ['an unknown guarantee', { TRIBUTARY_GUARANTEE: 'exactly_twice' }, /^invalid worker setting guarantee: /],
    ['a zero concurrency', { TRIBUTARY_CONCURRENCY: '0' }, /^invalid worker setting concurrency: /],
    ['a commit interval that is not a number', { TRIBUTARY_COMMIT_INTERVAL_MS: 'soon' }, /^invalid worker setting commitIntervalMs: /],
    ['a unit of no records', { TRIBUTARY_UNIT_RECORDS: '0' }, /^invalid worker setting unitRecords: /],
    ['a unit larger than 10,000 records', { TRIBUTARY_UNIT_RECORDS: '10001' }, /^invalid worker setting unitRecords: /],
    ['a unit of a fractional number of records', { TRIBUTARY_UNIT_RECORDS: '2.5' }, /^invalid worker setting unitRecords: /],
    ['a negative state cache', { TRIBUTARY_STATE_CACHE_ENTRIES: '-1' }, /^invalid worker setting stateCacheEntries: /],
    ['an application id with spaces', { TRIBUTARY_APPLICATION_ID: 'my app' }, /^invalid worker setting applicationId: an application id is/],
    ['a SASL mechanism Kafka does not have', { KAFKA_SASL_MECHANISM: 'kerberos', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' }, /^invalid worker setting kafkaSasl.mechanism: /],
    ['a Redis URL of another scheme', { REDIS_URL: 'http://localhost:6379' }, /REDIS_URL must be/],
  ];
  for (const [what, env, message] of invalid) {
    it(`rejects ${what} with one line naming the setting`, () => {
      assert.throws(() => loadWorkerConfig('orders', {}, env), (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.match(error.message, message);
        assert.ok(!error.message.includes('\n'));
        return true;
      });
    });
  }
});
