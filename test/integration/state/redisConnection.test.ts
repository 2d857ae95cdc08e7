import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadConnectionConfig } from '../../../runtime/config.ts';
import { ConfigError } from '../../../runtime/errors.ts';
import { closeRedis, connectRedis, parseRedisUrl, type RedisClient } from '../../../state/redis/redisConnection.ts';
import { RedisTaskState } from '../../../state/redis/redisTaskState.ts';
import { TaskKeys } from '../../../state/redis/taskKeys.ts';
import { TcpGate } from '../../support/tcpGate.ts';

describe('connectRedis', function () {
  this.timeout(30_000);

  describe('reading a Redis URL', () => {
    it('reads host, port, credentials and database of a single Redis', () => {
      assert.deepEqual(parseRedisUrl('redis://localhost:6379'), { tls: false, hosts: [{ host: 'localhost', port: 6379 }], db: 0, cluster: false });
      assert.deepEqual(parseRedisUrl('rediss://app:s%40cret@cache.example:6380/2'), {
        tls: true,
        hosts: [{ host: 'cache.example', port: 6380 }],
        db: 2,
        cluster: false,
        username: 'app',
        password: 's@cret',
      });
      assert.deepEqual(parseRedisUrl('redis://:pw@[::1]'), { tls: false, hosts: [{ host: '::1', port: 6379 }], db: 0, cluster: false, password: 'pw' });
    });

    it('takes several hosts, or cluster=true, as a Redis Cluster', () => {
      assert.deepEqual(parseRedisUrl('redis://h1:7000,h2:7001,h3:7002'), {
        tls: false,
        hosts: [
          { host: 'h1', port: 7000 },
          { host: 'h2', port: 7001 },
          { host: 'h3', port: 7002 },
        ],
        db: 0,
        cluster: true,
      });
      assert.equal(parseRedisUrl('redis://h1:7000?cluster=true').cluster, true);
      assert.equal(parseRedisUrl('redis://h1:7000?cluster=false').cluster, false);
    });

    it('rejects what is not a Redis URL, without echoing the password', () => {
      assert.throws(() => parseRedisUrl('http://localhost:6379'), ConfigError);
      assert.throws(() => parseRedisUrl('redis://h1:7000,h2:7001/3'), /only database 0/);
      assert.throws(() => parseRedisUrl('redis://localhost:99999'), /bad host/);
      assert.throws(
        () => parseRedisUrl('redis://user:hunter2@localhost/x'),
        (error: unknown) => error instanceof ConfigError && !error.message.includes('hunter2') && error.message.includes('user:***@'),
      );
    });
  });

  describe('against the real Redis', () => {
    const upstream = parseRedisUrl(loadConnectionConfig().redisUrl).hosts[0]!;
    let gate: TcpGate;
    let client: RedisClient;
    let direct: RedisClient;
    const app = `test-${randomUUID().slice(0, 8)}`;

    beforeEach(async () => {
      gate = new TcpGate(upstream);
      await gate.open();
      client = connectRedis(`redis://127.0.0.1:${gate.port}`, { maxBackoffMs: 100 });
      direct = connectRedis(loadConnectionConfig().redisUrl);
      await client.ping();
    });

    afterEach(async () => {
      await closeRedis(client);
      await gate.close();
      const keys = await direct.keys(`tributary:{${app}:*`);
      if (keys.length > 0) await direct.del(...keys);
      await closeRedis(direct);
    });

    it('waits out an outage: a command sent while Redis is away completes when it is back', async () => {
      await client.set(`tributary:{${app}:0:x}:probe`, 'before');
      gate.shut();
      const reply = client.get(`tributary:{${app}:0:x}:probe`);
      await sleep(500);
      await gate.open();
      assert.equal(await reply, 'before');
    });

    it('applies a commit once when the connection drops after Redis ran it and ioredis resends it', async () => {
      const state = new RedisTaskState(client, { app, taskId: '0_0', stores: [{ name: 'kv', kind: 'keyValue' }] });
      await state.claim();
      const keys = new TaskKeys({ app, taskId: '0_0' });
      gate.loseReplies = true;
      const committed = state.commit({ watermarks: { orders: 1 }, outbox: [Buffer.from('out')] });
      while ((await direct.llen(keys.outbox)) === 0) await sleep(10);
      gate.loseReplies = false;
      gate.dropConnections();
      await committed;
      assert.equal(await direct.llen(keys.outbox), 1, 'the resent commit did not append its outbox twice');
    });
  });
});
