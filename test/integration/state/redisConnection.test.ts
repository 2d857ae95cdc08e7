import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadConnectionConfig } from '../../../runtime/config.ts';
import { ConfigError } from '../../../runtime/errors.ts';
import { closeRedis, connectRedis, parseRedisUrl, type RedisClient } from '../../../state/redis/redisConnection.ts';
import { RedisTaskState } from '../../../state/redis/redisTaskState.ts';
import { TaskKeys } from '../../../state/redis/taskKeys.ts';

/**
 * A TCP proxy in front of the real Redis that can go away and come back, or pass
 * commands on while losing their replies: a Redis outage and a connection dropped mid-reply.
 */
class FlakyProxy {
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  port = 0;
  loseReplies = false;

  constructor(
    private readonly upstreamHost: string,
    private readonly upstreamPort: number,
  ) {}

  async start(): Promise<void> {
    const server = net.createServer((client) => {
      const upstream = net.connect(this.upstreamPort, this.upstreamHost);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('error', () => undefined);
        socket.on('close', () => {
          this.sockets.delete(socket);
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream);
      upstream.on('data', (data: Buffer) => {
        if (!this.loseReplies) client.write(data);
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as net.AddressInfo).port;
    this.server = server;
  }

  /** Drops every connection; the proxy keeps listening. */
  dropConnections(): void {
    for (const socket of this.sockets) socket.destroy();
  }

  /** Stops listening and drops every connection: Redis is gone for the clients. */
  async stop(): Promise<void> {
    const closed = new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.dropConnections();
    await closed;
    this.server = undefined;
  }
}

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
    let proxy: FlakyProxy;
    let client: RedisClient;
    let direct: RedisClient;
    const app = `test-${randomUUID().slice(0, 8)}`;

    beforeEach(async () => {
      proxy = new FlakyProxy(upstream.host, upstream.port);
      await proxy.start();
      client = connectRedis(`redis://127.0.0.1:${proxy.port}`, { maxBackoffMs: 100 });
      direct = connectRedis(loadConnectionConfig().redisUrl);
      await client.ping();
    });

    afterEach(async () => {
      await closeRedis(client);
      await proxy.stop();
      const keys = await direct.keys(`tributary:{${app}:*`);
      if (keys.length > 0) await direct.del(...keys);
      await closeRedis(direct);
    });

    it('waits out an outage: a command sent while Redis is away completes when it is back', async () => {
      await client.set(`tributary:{${app}:0:x}:probe`, 'before');
      await proxy.stop();
      const reply = client.get(`tributary:{${app}:0:x}:probe`);
      await sleep(500);
      await proxy.start();
      assert.equal(await reply, 'before');
    });

    it('applies a commit once when the connection drops after Redis ran it and ioredis resends it', async () => {
      const state = new RedisTaskState(client, { app, taskId: '0_0', stores: [{ name: 'kv', kind: 'keyValue' }] });
      await state.claim();
      const keys = new TaskKeys({ app, taskId: '0_0' });
      proxy.loseReplies = true;
      const committed = state.commit({ watermarks: { orders: 1 }, outbox: [Buffer.from('out')] });
      while ((await direct.llen(keys.outbox)) === 0) await sleep(10);
      proxy.loseReplies = false;
      proxy.dropConnections();
      await committed;
      assert.equal(await direct.llen(keys.outbox), 1, 'the resent commit did not append its outbox twice');
    });
  });
});
