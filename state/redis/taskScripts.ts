import type { RedisClient } from './redisConnection.ts';
import type { TaskKeys, TimedStoreKeys } from './taskKeys.ts';

/**
 * The Lua scripts of one task's state, and the wire format of their arguments. Every
 * script names every key it touches in KEYS, all under the task's hash tag, so each runs
 * on Redis Cluster as on a single Redis. ioredis sends EVALSHA and falls back to EVAL when
 * the server has not seen the script (after a restart, on a new cluster node).
 */

/** One read of a load, answered by a flat list of `field, value` pairs (after a flag for `keys`). */
export type StoreRead =
  /** Fields of a hash (absent fields are left out of the answer). */
  | { readonly op: 'fields'; readonly key: string; readonly fields: readonly string[] }
  /** A whole hash. */
  | { readonly op: 'all'; readonly key: string }
  /**
   * The entries of a window or session store whose fields start with one of `prefixes` (each
   * from its time `from` on). Instead, when the store holds at most `wholeUpTo` entries, all of
   * them: the answer starts with '1'. Else, when it holds at most `wholeUpTo` entries from
   * `floor` on (given), all of those and the prefixes' entries before it: the answer starts
   * with '2'. Else '0'.
   */
  | {
      readonly op: 'keys';
      readonly keys: TimedStoreKeys;
      readonly prefixes: ReadonlyArray<{ readonly prefix: string; readonly from: number }>;
      readonly wholeUpTo: number;
      readonly floor?: number;
    }
  /** The entries of a window or session store whose time is in `[from, to]`. */
  | { readonly op: 'range'; readonly keys: TimedStoreKeys; readonly from: number; readonly to: number };

/** The writes one commit makes to one store. */
export type StoreWrites =
  | {
      readonly kind: 'hash';
      readonly key: string;
      readonly set: readonly (readonly [field: string, value: string])[];
      readonly del: readonly string[];
    }
  | {
      readonly kind: 'timed';
      readonly keys: TimedStoreKeys;
      readonly set: readonly (readonly [field: string, time: number, value: string])[];
      readonly del: readonly string[];
      /** Refreshed on the store's keys when it writes (no TTL when absent). */
      readonly ttlMs?: number;
      /** Entries with time before this go (none when absent). */
      readonly expireBefore?: number;
    };

/** What an epoch-guarded script did. */
export type GuardedOutcome =
  /** Applied now, or already (`replayed`: ioredis resent it after a dropped connection). */
  | { readonly applied: true; readonly replayed: boolean }
  /** Refused: the task has a newer owner. */
  | { readonly applied: false; readonly currentEpoch: number };

/** What claim read. */
export interface ClaimReply {
  readonly epoch: number;
  readonly watermarks: Record<string, number>;
  readonly outbox: Buffer[];
}

// Entries expired per store and commit: bounds the script's run time; the rest go next commit.
const EXPIRE_BATCH = 1000;

const CLAIM_LUA = `
-- KEYS: epoch, watermarks, outbox. Reads nothing of the stores: claim cost is flat in state size.
local epoch = redis.call('INCR', KEYS[1])
return {epoch, redis.call('HGETALL', KEYS[2]), redis.call('LRANGE', KEYS[3], 0, -1)}
`;

const LOAD_LUA = `
-- KEYS: the stores' keys the reads name. ARGV: the reads, each an op then its arguments:
--   fields <hash> <n> <field>*   all <hash>
--   keys <data> <byKey> <byTime> <wholeUpTo> <floor|''> <n> (<prefix> <from|''>)*
--   range <data> <byTime> <from> <to>
-- Answers one flat list of field, value pairs per read (keys: after '1' for the whole store, '2' for
-- every entry from the floor on and the keys' before it, else '0' for the keys' entries).
local function hmget(hash, fields, out)
  for i = 1, #fields, 500 do
    local chunk = {}
    for j = i, math.min(i + 499, #fields) do chunk[#chunk + 1] = fields[j] end
    local values = redis.call('HMGET', hash, unpack(chunk))
    for j = 1, #chunk do
      -- An index entry without data: its data key expired a moment before the index did.
      if values[j] then
        out[#out + 1] = chunk[j]
        out[#out + 1] = values[j]
      end
    end
  end
end
local replies = {}
local at = 1
while at <= #ARGV do
  local op = ARGV[at]
  local out = {}
  if op == 'fields' then
    local n = tonumber(ARGV[at + 2])
    local fields = {}
    for j = 1, n do fields[j] = ARGV[at + 2 + j] end
    hmget(KEYS[tonumber(ARGV[at + 1])], fields, out)
    at = at + 3 + n
  elseif op == 'all' then
    out = redis.call('HGETALL', KEYS[tonumber(ARGV[at + 1])])
    at = at + 2
  elseif op == 'keys' then
    local data = KEYS[tonumber(ARGV[at + 1])]
    local byKey = KEYS[tonumber(ARGV[at + 2])]
    local byTime = KEYS[tonumber(ARGV[at + 3])]
    local wholeUpTo = tonumber(ARGV[at + 4])
    local floor = ARGV[at + 5]
    local n = tonumber(ARGV[at + 6])
    -- A small store is read whole: one scan instead of one per key, and no key of it needs a load again.
    if redis.call('ZCARD', byKey) <= wholeUpTo then
      out[1] = '1'
      hmget(data, redis.call('ZRANGE', byKey, 0, -1), out)
    else
      -- Few entries from the floor on (a windowed store's open windows): read them all once, and
      -- of the keys only what lies before the floor.
      local open = floor ~= '' and redis.call('ZCOUNT', byTime, floor, '+inf') <= wholeUpTo
      if open then
        out[1] = '2'
        hmget(data, redis.call('ZRANGEBYSCORE', byTime, floor, '+inf'), out)
      else
        out[1] = '0'
      end
      for j = 1, n do
        local prefix = ARGV[at + 5 + 2 * j]
        local from = ARGV[at + 6 + 2 * j]
        if not (open and from ~= '' and tonumber(from) >= tonumber(floor)) then
          -- Fields continue the prefix with ASCII only (digits, sign, colon), all below \\127.
          local fields = redis.call('ZRANGEBYLEX', byKey, '[' .. prefix, '(' .. prefix .. '\\127')
          -- The entries whose time (a field's last number: a window's start, a session's end) is from on, and before the floor when that was read.
          local lower = from ~= '' and tonumber(from) or nil
          local upper = open and tonumber(floor) or nil
          if lower or upper then
            local kept = {}
            for _, field in ipairs(fields) do
              local time = tonumber(string.match(field, '[^:]+$'))
              if (not lower or time >= lower) and (not upper or time < upper) then kept[#kept + 1] = field end
            end
            fields = kept
          end
          hmget(data, fields, out)
        end
      end
    end
    at = at + 7 + 2 * n
  elseif op == 'range' then
    local data = KEYS[tonumber(ARGV[at + 1])]
    local byTime = KEYS[tonumber(ARGV[at + 2])]
    hmget(data, redis.call('ZRANGEBYSCORE', byTime, ARGV[at + 3], ARGV[at + 4]), out)
    at = at + 5
  else
    return redis.error_reply('tributary load: unknown read ' .. tostring(op))
  end
  replies[#replies + 1] = out
end
return replies
`;

const GUARD_LUA = `
local current = redis.call('GET', KEYS[1])
if current ~= ARGV[1] then return {'FENCED', current or '0'} end
-- ioredis resends a command whose reply a dropped connection lost, and it may have run.
if redis.call('GET', KEYS[4]) == ARGV[2] then return {'REPLAYED'} end
local function chunked(command, key, args)
  for i = 1, #args, 1000 do redis.call(command, key, unpack(args, i, math.min(i + 999, #args))) end
end
`;

const COMMIT_LUA = `
-- KEYS: epoch, watermarks, outbox, lastWrite, then the stores' keys.
-- ARGV: epoch, writeId, <n> (topic offset)*, <n> entry*, <n> section*, where a section is
--   h <hash> <n> (field value)* <n> field*
--   t <data> <byKey> <byTime> <ttlMs|''> <expireBefore|''> <n> (field time value)* <n> field*
${GUARD_LUA}
local at = 3
local function take()
  local value = ARGV[at]
  at = at + 1
  return value
end
-- Everything is parsed before the first write: a script that fails half way keeps its writes.
local watermarks = {}
for _ = 1, tonumber(take()) do
  local topic = take()
  local offset = take()
  watermarks[#watermarks + 1] = topic
  watermarks[#watermarks + 1] = offset
end
local outbox = {}
for _ = 1, tonumber(take()) do outbox[#outbox + 1] = take() end
local sections = {}
for _ = 1, tonumber(take()) do
  local s = { kind = take(), set = {}, zKey = {}, zTime = {}, del = {} }
  if s.kind == 'h' then
    s.hash = KEYS[tonumber(take())]
    for _ = 1, tonumber(take()) do
      local field = take()
      local value = take()
      s.set[#s.set + 1] = field
      s.set[#s.set + 1] = value
    end
  elseif s.kind == 't' then
    s.hash = KEYS[tonumber(take())]
    s.byKey = KEYS[tonumber(take())]
    s.byTime = KEYS[tonumber(take())]
    s.ttl = take()
    s.expireBefore = take()
    for _ = 1, tonumber(take()) do
      local field = take()
      local time = take()
      local value = take()
      s.set[#s.set + 1] = field
      s.set[#s.set + 1] = value
      s.zKey[#s.zKey + 1] = 0
      s.zKey[#s.zKey + 1] = field
      s.zTime[#s.zTime + 1] = time
      s.zTime[#s.zTime + 1] = field
    end
  else
    return redis.error_reply('tributary commit: unknown section ' .. tostring(s.kind))
  end
  for _ = 1, tonumber(take()) do s.del[#s.del + 1] = take() end
  if s.hash == nil or (s.kind == 't' and (s.byKey == nil or s.byTime == nil)) then
    return redis.error_reply('tributary commit: a section names a key not in KEYS')
  end
  sections[#sections + 1] = s
end

for _, s in ipairs(sections) do
  if s.kind == 't' and s.expireBefore ~= '' then
    local old = redis.call('ZRANGEBYSCORE', s.byTime, '-inf', '(' .. s.expireBefore, 'LIMIT', 0, ${EXPIRE_BATCH})
    chunked('HDEL', s.hash, old)
    chunked('ZREM', s.byKey, old)
    chunked('ZREM', s.byTime, old)
  end
  chunked('HSET', s.hash, s.set)
  chunked('HDEL', s.hash, s.del)
  if s.kind == 't' then
    chunked('ZADD', s.byKey, s.zKey)
    chunked('ZADD', s.byTime, s.zTime)
    chunked('ZREM', s.byKey, s.del)
    chunked('ZREM', s.byTime, s.del)
    if s.ttl ~= '' and #s.set > 0 then
      redis.call('PEXPIRE', s.hash, s.ttl)
      redis.call('PEXPIRE', s.byKey, s.ttl)
      redis.call('PEXPIRE', s.byTime, s.ttl)
    end
  end
end
chunked('HSET', KEYS[2], watermarks)
chunked('RPUSH', KEYS[3], outbox)
redis.call('SET', KEYS[4], ARGV[2])
return {'OK'}
`;

const TRIM_LUA = `
-- KEYS: epoch, watermarks (unused), outbox, lastWrite. ARGV: epoch, writeId, count.
${GUARD_LUA}
redis.call('LTRIM', KEYS[3], ARGV[3], -1)
redis.call('SET', KEYS[4], ARGV[2])
return {'OK'}
`;

type Arg = string | Buffer | number;
// ioredis flattens array arguments one level: long argument lists go as one array, not spread
// (a spread of 100k arguments overflows the stack).
type ScriptArg = Arg | readonly Arg[];
interface ScriptCommands {
  tributaryTaskClaimBuffer(...args: ScriptArg[]): Promise<[number, Buffer[], Buffer[]]>;
  tributaryTaskLoad(...args: ScriptArg[]): Promise<string[][]>;
  tributaryTaskCommit(...args: ScriptArg[]): Promise<string[]>;
  tributaryTaskTrim(...args: ScriptArg[]): Promise<string[]>;
}

const scriptsDefined = new WeakSet<RedisClient>();

/** The scripts, defined once per client (ioredis keeps them per client). */
function scriptsOf(redis: RedisClient): ScriptCommands {
  if (!scriptsDefined.has(redis)) {
    redis.defineCommand('tributaryTaskClaim', { lua: CLAIM_LUA });
    redis.defineCommand('tributaryTaskLoad', { lua: LOAD_LUA });
    redis.defineCommand('tributaryTaskCommit', { lua: COMMIT_LUA });
    redis.defineCommand('tributaryTaskTrim', { lua: TRIM_LUA });
    scriptsDefined.add(redis);
  }
  return redis as unknown as ScriptCommands;
}

/** The scripts of one task, one call (one round trip) each. */
export class TaskScripts {
  private readonly scripts: ScriptCommands;

  constructor(
    redis: RedisClient,
    private readonly keys: TaskKeys,
  ) {
    this.scripts = scriptsOf(redis);
  }

  /** INCRs the epoch and reads watermarks and outbox, atomically. */
  async claim(): Promise<ClaimReply> {
    const [epoch, watermarkPairs, outbox] = await this.scripts.tributaryTaskClaimBuffer(3, this.keys.epoch, this.keys.watermarks, this.keys.outbox);
    const watermarks: Record<string, number> = {};
    for (let i = 0; i + 1 < watermarkPairs.length; i += 2) watermarks[watermarkPairs[i]!.toString()] = Number(watermarkPairs[i + 1]!.toString());
    return { epoch: Number(epoch), watermarks, outbox };
  }

  /** Runs the reads in one script call; answers `field, value` pairs per read, in order. */
  async load(reads: readonly StoreRead[]): Promise<string[][]> {
    if (reads.length === 0) return [];
    const keys = new KeyList();
    const args: Arg[] = [];
    for (const read of reads) {
      switch (read.op) {
        case 'fields':
          args.push('fields', keys.index(read.key), read.fields.length);
          pushAll(args, read.fields);
          break;
        case 'all':
          args.push('all', keys.index(read.key));
          break;
        case 'keys':
          args.push('keys', keys.index(read.keys.data), keys.index(read.keys.byKey), keys.index(read.keys.byTime), read.wholeUpTo);
          args.push(read.floor === undefined ? '' : score(read.floor), read.prefixes.length);
          // '' for a whole key.
          for (const { prefix, from } of read.prefixes) args.push(prefix, from === -Infinity ? '' : score(from));
          break;
        case 'range':
          args.push('range', keys.index(read.keys.data), keys.index(read.keys.byTime), score(read.from), score(read.to));
          break;
      }
    }
    return this.scripts.tributaryTaskLoad(keys.list.length, keys.list, args);
  }

  /** Applies store writes, watermarks and outbox entries in one script, if `epoch` still holds. */
  async commit(
    epoch: number,
    writeId: string,
    watermarks: Readonly<Record<string, number>>,
    outbox: readonly Buffer[],
    writes: readonly StoreWrites[],
  ): Promise<GuardedOutcome> {
    const keys = new KeyList([this.keys.epoch, this.keys.watermarks, this.keys.outbox, this.keys.lastWrite]);
    const topics = Object.entries(watermarks);
    const args: Arg[] = [String(epoch), writeId, topics.length];
    for (const [topic, offset] of topics) args.push(topic, String(offset));
    args.push(outbox.length);
    pushAll(args, outbox);
    args.push(writes.length);
    for (const store of writes) {
      if (store.kind === 'hash') {
        args.push('h', keys.index(store.key), store.set.length);
        for (const [field, value] of store.set) args.push(field, value);
      } else {
        args.push('t', keys.index(store.keys.data), keys.index(store.keys.byKey), keys.index(store.keys.byTime));
        args.push(store.ttlMs === undefined ? '' : String(Math.max(1, Math.ceil(store.ttlMs))));
        args.push(store.expireBefore === undefined ? '' : score(store.expireBefore));
        args.push(store.set.length);
        for (const [field, time, value] of store.set) args.push(field, score(time), value);
      }
      args.push(store.del.length);
      pushAll(args, store.del);
    }
    return guardedOutcome(await this.scripts.tributaryTaskCommit(keys.list.length, keys.list, args));
  }

  /** Removes the first `count` outbox entries, if `epoch` still holds. */
  async trimOutbox(epoch: number, writeId: string, count: number): Promise<GuardedOutcome> {
    const keys = [this.keys.epoch, this.keys.watermarks, this.keys.outbox, this.keys.lastWrite];
    return guardedOutcome(await this.scripts.tributaryTaskTrim(keys.length, keys, String(epoch), writeId, count));
  }
}

function pushAll(args: Arg[], items: readonly Arg[]): void {
  for (const item of items) args.push(item);
}

function guardedOutcome(reply: string[]): GuardedOutcome {
  if (reply[0] === 'FENCED') return { applied: false, currentEpoch: Number(reply[1]) };
  return { applied: true, replayed: reply[0] === 'REPLAYED' };
}

/** A sorted-set score as Redis reads it. */
function score(time: number): string {
  if (Number.isNaN(time)) throw new RangeError('a window or session time must be a number, not NaN');
  return time === Infinity ? '+inf' : time === -Infinity ? '-inf' : String(time);
}

/** The KEYS of one script call, each once, addressed by 1-based index. */
class KeyList {
  readonly list: string[];
  private readonly positions = new Map<string, number>();

  constructor(initial: readonly string[] = []) {
    this.list = [];
    for (const key of initial) this.index(key);
  }

  index(key: string): number {
    let position = this.positions.get(key);
    if (position === undefined) {
      this.list.push(key);
      position = this.list.length;
      this.positions.set(key, position);
    }
    return position;
  }
}
