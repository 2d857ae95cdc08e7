import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { loadConnectionConfig } from '../../../runtime/config.ts';
import { closeRedis, connectRedis, type RedisClient } from '../../../state/redis/redisConnection.ts';
import { clearNamespace, countNamespaceKeys } from '../../../state/redis/stateNamespace.ts';
import { TaskKeys, type NamespaceScope } from '../../../state/redis/taskKeys.ts';

describe('clearing a state namespace in a real Redis', function () {
  this.timeout(120_000);
  const run = randomBytes(4).toString('hex');
  let redis: RedisClient;

  before(() => {
    redis = connectRedis(loadConnectionConfig().redisUrl);
  });

  after(async () => {
    await closeRedis(redis);
  });

  it("deletes every key of one application's namespace and no key of another application, namespace or prefix", async () => {
    // Prefixes with glob characters, and apps and namespaces that are prefixes of one another, are where a careless pattern matches too much.
    const word = fc.constantFrom('a', 'a1', 'a-1', 'a.b', '0', '01', '1');
    const prefix = fc.constantFrom('t:', 't*:', 't?[x]\\:', '');
    const scope = fc.record({ prefix, app: word, namespace: word });
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(scope, { minLength: 2, maxLength: 5, selector: (s) => JSON.stringify(s) }), fc.uniqueArray(fc.constantFrom('0_0', '0_1', '1_2', '*'), { minLength: 1 }), async (scopes, tasks) => {
        const mine = (s: NamespaceScope) => ({ ...s, prefix: `${run}:${s.prefix}` });
        const keysOf = (s: NamespaceScope) =>
          tasks.flatMap((taskId) => {
            const keys = new TaskKeys({ ...mine(s), taskId });
            return [keys.epoch, keys.watermarks, keys.outbox, keys.keyValue('kv'), keys.window('w').byTime];
          });
        for (const s of scopes) for (const key of keysOf(s)) await redis.set(key, 'x');
        const [cleared, ...others] = scopes;
        const clearedKeys = keysOf(cleared!);
        assert.equal(await countNamespaceKeys(redis, mine(cleared!)), clearedKeys.length);
        assert.equal(await clearNamespace(redis, mine(cleared!)), clearedKeys.length);
        assert.equal(await redis.exists(...clearedKeys), 0);
        for (const s of others) assert.equal(await redis.exists(...keysOf(s)), keysOf(s).length, JSON.stringify(s));
        for (const s of others) await redis.unlink(...keysOf(s));
      }),
      { numRuns: 25 },
    );
  });
});
