import { Cluster, Redis, type ClusterNode, type RedisOptions } from 'ioredis';
import { ConfigError } from '../../runtime/errors.ts';
import type { Logger } from '../../runtime/logger.ts';

/** A connection to one Redis or to a Redis Cluster: task state works the same on both. */
export type RedisClient = Redis | Cluster;

/** Where and how to connect, as read from a Redis URL. */
export interface RedisAddress {
  readonly tls: boolean;
  readonly hosts: readonly { readonly host: string; readonly port: number }[];
  readonly username?: string;
  readonly password?: string;
  readonly db: number;
  readonly cluster: boolean;
}

export interface RedisConnectionOptions {
  /** Ceiling of the reconnect backoff (it starts at 50 ms and doubles). */
  readonly maxBackoffMs?: number;
  /** Shown by CLIENT LIST, to tell tributary's connections apart. */
  readonly connectionName?: string;
  /** Connection errors are logged here (warn); without it they are dropped, never printed. */
  readonly logger?: Logger;
}

const DEFAULT_PORT = 6379;
const FIRST_BACKOFF_MS = 50;
const DEFAULT_MAX_BACKOFF_MS = 5_000;

/**
 * Connects to Redis from a URL: `redis://[user:pass@]host:port[/db]`, `rediss://` for TLS,
 * and a Redis Cluster when the URL lists several hosts (`redis://h1:7000,h2:7001`) or
 * says `?cluster=true`. An outage is waited out, never turned into failed commands: the
 * client reconnects forever with capped exponential backoff and every command waits for it
 * (a commit issued during a Redis restart completes after the restart).
 */
export function connectRedis(url: string, options: RedisConnectionOptions = {}): RedisClient {
  const address = parseRedisUrl(url);
  const backoff = (times: number): number =>
    Math.min(FIRST_BACKOFF_MS * 2 ** Math.min(times - 1, 20), options.maxBackoffMs ?? DEFAULT_MAX_BACKOFF_MS);
  const common: RedisOptions = {
    ...(address.username !== undefined ? { username: address.username } : {}),
    ...(address.password !== undefined ? { password: address.password } : {}),
    ...(address.tls ? { tls: {} } : {}),
    ...(options.connectionName !== undefined ? { connectionName: options.connectionName } : {}),
    // null: a command waits for the connection however long the outage lasts, instead of
    // failing after 20 reconnects; dropping a commit would lose the batch's outputs.
    maxRetriesPerRequest: null,
    // After a failover the old primary answers READONLY: reconnect and resend.
    reconnectOnError: (error) => (error.message.startsWith('READONLY') ? 2 : false),
  };
  const client: RedisClient = address.cluster
    ? new Cluster(
        address.hosts.map((h): ClusterNode => ({ host: h.host, port: h.port })),
        {
          clusterRetryStrategy: backoff,
          enableOfflineQueue: true,
          // Reads go to primaries only (the default, said here because it matters): a replica
          // may lag, and a task must read back what it committed.
          scaleReads: 'master',
          // A failover answers CLUSTERDOWN or points at a node that is gone for some seconds;
          // the default 16 tries 100 ms apart give up too soon, these wait about 20 s.
          maxRedirections: 64,
          retryDelayOnClusterDown: 300,
          retryDelayOnFailover: 300,
          redisOptions: common,
        },
      )
    : new Redis({ ...common, host: address.hosts[0]!.host, port: address.hosts[0]!.port, db: address.db, retryStrategy: backoff });
  // Without a listener ioredis prints every failed reconnect to the console.
  const log = options.logger?.child({ component: 'redis' });
  client.on('error', (error: Error) => log?.warn({ err: error.message }, 'redis connection error; retrying'));
  return client;
}

/**
 * Closes a client: QUIT when it is connected (replies already requested still arrive),
 * else, or when QUIT takes longer than `graceMs`, drops the connection at once.
 */
export async function closeRedis(client: RedisClient, graceMs = 2_000): Promise<void> {
  if (client.status === 'end') return;
  if (client.status !== 'ready') {
    client.disconnect();
    return;
  }
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      client.quit().catch(() => undefined),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, graceMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
    client.disconnect();
  }
}

/**
 * Reads a Redis URL into an address. Hosts without a port get 6379; `[::1]:7000` is an
 * IPv6 host. Rejects (ConfigError) a URL that is not redis:// or rediss://, and a
 * database number on a cluster (a cluster has only database 0).
 */
export function parseRedisUrl(url: string): RedisAddress {
  // Not `new URL`: a comma-separated host list is not a valid WHATWG URL authority.
  const match = /^(rediss?):\/\/(?:([^@/?#]*)@)?([^/?#]+)(?:\/([^?#]*))?(?:\?([^#]*))?$/.exec(url.trim());
  if (!match) throw new ConfigError(`invalid Redis URL '${redactRedisUrl(url)}': expected redis://[user:pass@]host:port[/db] or rediss://…`);
  const [, scheme, userinfo, hostList, path, query] = match;
  const hosts = hostList!.split(',').map((h) => parseHost(h.trim(), url));
  const params = new URLSearchParams(query ?? '');
  const clusterParam = params.get('cluster');
  const cluster = hosts.length > 1 || clusterParam === 'true' || clusterParam === '1';
  const dbText = (path ?? '').replace(/\/$/, '');
  if (dbText !== '' && !/^\d+$/.test(dbText)) throw new ConfigError(`invalid Redis URL '${redactRedisUrl(url)}': database '${dbText}' is not a number`);
  const db = dbText === '' ? 0 : Number(dbText);
  if (cluster && db !== 0) throw new ConfigError(`invalid Redis URL '${redactRedisUrl(url)}': a Redis Cluster has only database 0`);
  let username: string | undefined;
  let password: string | undefined;
  if (userinfo !== undefined && userinfo !== '') {
    const colon = userinfo.indexOf(':');
    const user = colon < 0 ? userinfo : userinfo.slice(0, colon);
    if (user !== '') username = decodeURIComponent(user);
    if (colon >= 0) password = decodeURIComponent(userinfo.slice(colon + 1));
  }
  return { tls: scheme === 'rediss', hosts, db, cluster, ...(username !== undefined ? { username } : {}), ...(password !== undefined ? { password } : {}) };
}

function parseHost(text: string, url: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+))(?::(\d+))?$/.exec(text);
  const port = match?.[3] === undefined ? DEFAULT_PORT : Number(match[3]);
  if (!match || port < 1 || port > 65535) throw new ConfigError(`invalid Redis URL '${redactRedisUrl(url)}': bad host '${text}'`);
  return { host: match[1] ?? match[2]!, port };
}

/** The URL with its password hidden, for error messages. */
export function redactRedisUrl(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
}
