import { randomUUID } from 'node:crypto';
import type { RedisClient } from './redisConnection.ts';
import { decodeStored, encodeStored } from './storedValueCodec.ts';
import { DEFAULT_KEY_PREFIX } from './taskKeys.ts';

/** A record a command decided to publish, as the outbox keeps it until Kafka has it. */
export interface OutboxRecord {
  /** The event id: chosen once when the record enters the outbox, sent with every (re)send. */
  readonly id: string;
  readonly topic: string;
  readonly key: string;
  readonly value: unknown;
}

/** A record waiting in the outbox, with the stream entry that trims it. */
export interface PendingRecord {
  readonly entryId: string;
  readonly record: OutboxRecord;
}

/** What a command's write did: wrote its records, or found its idempotency key already answered and wrote nothing. */
export type OutboxWrite = { readonly written: true } | { readonly written: false; readonly response: unknown };

export interface OutboxScope {
  readonly app: string;
  /** Prefix of every key; 'tributary:' unless set. */
  readonly prefix?: string;
}

// The idempotency key is read and the records written in one script: two requests with one key never both write.
const WRITE_LUA = `
if #KEYS == 2 then
  local seen = redis.call('GET', KEYS[2])
  if seen then return {0, seen} end
end
for i = 3, #ARGV do redis.call('XADD', KEYS[1], '*', 'record', ARGV[i]) end
if #KEYS == 2 then redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2]) end
return {1}
`;

const LEASE_LUA = `
local holder = redis.call('GET', KEYS[1])
if holder == false then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1 end
if holder == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end
return 0
`;

interface OutboxCommands {
  tributaryOutboxWrite(numKeys: number, ...args: string[]): Promise<[number, string?]>;
  tributaryOutboxLease(key: string, holder: string, ttlMs: number): Promise<number>;
}

const scriptsDefined = new WeakSet<RedisClient>();

function scriptsOf(redis: RedisClient): OutboxCommands {
  if (!scriptsDefined.has(redis)) {
    redis.defineCommand('tributaryOutboxWrite', { lua: WRITE_LUA });
    redis.defineCommand('tributaryOutboxLease', { lua: LEASE_LUA, numberOfKeys: 1 });
    scriptsDefined.add(redis);
  }
  return redis as unknown as OutboxCommands;
}

/**
 * An application's command outbox in Redis: the records commands decided to publish, in a
 * stream, until a relay has them acknowledged by Kafka and trims them. Writing is the
 * commit point of a command: the records and the answer remembered under its idempotency
 * key go in one script call, all or nothing. Keys share the hash tag `{<app>:commands}`,
 * apart from every task's state namespace:
 *
 * ```
 * <prefix>{<app>:commands}:outbox             stream   one entry per record, field `record` = JSON OutboxRecord
 * <prefix>{<app>:commands}:idempotency:<key>  string   the answer to the command sent with that Idempotency-Key (expires)
 * <prefix>{<app>:commands}:relay              string   the relay holding the lease, expiring
 * ```
 */
export class RedisCommandOutbox {
  private readonly scripts: OutboxCommands;
  private readonly base: string;
  private readonly stream: string;
  private readonly leaseKey: string;

  constructor(
    private readonly redis: RedisClient,
    scope: OutboxScope,
  ) {
    this.scripts = scriptsOf(redis);
    this.base = `${scope.prefix ?? DEFAULT_KEY_PREFIX}{${scope.app}:commands}:`;
    this.stream = `${this.base}outbox`;
    this.leaseKey = `${this.base}relay`;
  }

  /** Whether the connection is up now: a write would otherwise wait for Redis to come back. */
  get connected(): boolean {
    return this.redis.status === 'ready';
  }

  /** Gives each record its event id, for `write`. */
  static record(topic: string, key: string, value: unknown): OutboxRecord {
    return { id: randomUUID(), topic, key, value };
  }

  /**
   * Appends `records` atomically; with `idempotency`, only when its key has no answer yet,
   * and then remembers `response` under it for `ttlMs`. When the key is answered already,
   * writes nothing and returns that answer.
   */
  async write(records: readonly OutboxRecord[], idempotency?: { readonly key: string; readonly response: unknown; readonly ttlMs: number }): Promise<OutboxWrite> {
    const keys = idempotency ? [this.stream, this.idempotencyKey(idempotency.key)] : [this.stream];
    const [written, seen] = await this.scripts.tributaryOutboxWrite(
      keys.length,
      ...keys,
      encodeStored(idempotency?.response ?? null),
      String(idempotency?.ttlMs ?? 0),
      ...records.map(encodeStored),
    );
    return written === 1 ? { written: true } : { written: false, response: decodeStored(seen!) };
  }

  /** The answer remembered under an idempotency key, or undefined. */
  async answered(idempotencyKey: string): Promise<unknown> {
    const seen = await this.redis.get(this.idempotencyKey(idempotencyKey));
    return seen === null ? undefined : decodeStored(seen);
  }

  /** The oldest `count` records not yet trimmed, oldest first. */
  async pending(count: number): Promise<PendingRecord[]> {
    const entries = await this.redis.xrange(this.stream, '-', '+', 'COUNT', count);
    return entries.map(([entryId, fields]) => ({ entryId, record: decodeStored(fields[1]!) as OutboxRecord }));
  }

  /** Removes records Kafka acknowledged; removing one twice is harmless. */
  async trim(entryIds: readonly string[]): Promise<void> {
    if (entryIds.length) await this.redis.xdel(this.stream, ...entryIds);
  }

  /** Takes or renews the relay lease for `holder`; false while another holder has it. */
  async lease(holder: string, ttlMs: number): Promise<boolean> {
    return (await this.scripts.tributaryOutboxLease(this.leaseKey, holder, ttlMs)) === 1;
  }

  private idempotencyKey(key: string): string {
    return `${this.base}idempotency:${key}`;
  }
}
