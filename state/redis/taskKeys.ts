/**
 * The Redis keys of one task. Every key starts with `<prefix>{<app>:<ns>:<taskId>}:`; the
 * braces are a Redis Cluster hash tag, so everything a task commits lives in one slot and a
 * commit is one Lua call on a single Redis and on a cluster alike.
 *
 * ```
 * <base> = <prefix>{<app>:<ns>:<taskId>}:
 * <base>epoch                string   the owner's epoch (INCR on claim)
 * <base>watermarks           hash     input topic → last applied offset
 * <base>outbox               list     committed outputs not yet known to be in Kafka, oldest first
 * <base>lastWrite            string   `<epoch>:<seq>` of the last applied commit or outbox trim, so
 *                                      a script that ioredis resends after a dropped connection
 *                                      is not applied twice
 * <base>kv:<store>           hash     keyId → JSON [key, value]             (key-value store)
 * <base>w:<store>:data       hash     field → JSON [key, value]             (window store)
 * <base>w:<store>:byKey      zset     field, all scores 0: ZRANGEBYLEX on `<len>:<keyId>:` finds a key's windows
 * <base>w:<store>:byTime     zset     field scored by window start: fetchAll ranges and expiry
 * <base>s:<store>:data|byKey|byTime   the same for a session store, byTime scored by session end
 * ```
 *
 * A window entry's field is `<len>:<keyId>:<windowStart>`, a session's
 * `<len>:<keyId>:<start>:<end>`, with `<len>` the keyId's length: it makes
 * `<len>:<keyId>:` a prefix of exactly one key's fields, whatever characters the keyId holds.
 * The three keys of a window or session store carry the store's retention as TTL, refreshed
 * by every commit that writes the store; the commit also drops entries whose time is older
 * than stream time minus retention, so the indexes stay bounded.
 */
import { ConfigError } from '../../runtime/errors.ts';

export interface TaskKeyScope {
  readonly app: string;
  /** The state namespace (replay builds the next one beside the active one). */
  readonly namespace?: string;
  readonly prefix?: string;
  readonly taskId: string;
}

/** The three keys of a window or session store. */
export interface TimedStoreKeys {
  readonly data: string;
  readonly byKey: string;
  readonly byTime: string;
}

export const DEFAULT_KEY_PREFIX = 'tributary:';
export const DEFAULT_NAMESPACE = '0';

/** The key names of one task's state, all under its hash tag. */
export class TaskKeys {
  readonly base: string;
  readonly epoch: string;
  readonly watermarks: string;
  readonly outbox: string;
  readonly lastWrite: string;

  constructor(scope: TaskKeyScope) {
    const prefix = scope.prefix ?? DEFAULT_KEY_PREFIX;
    const namespace = scope.namespace ?? DEFAULT_NAMESPACE;
    // A brace anywhere else would move or empty the hash tag and split the task over slots.
    for (const [what, value] of [['prefix', prefix], ['app', scope.app], ['namespace', namespace], ['taskId', scope.taskId]] as const) {
      if (/[{}]/.test(value)) throw new ConfigError(`Redis key ${what} '${value}' must not contain '{' or '}' (they delimit the task's hash tag)`);
    }
    this.base = `${prefix}{${scope.app}:${namespace}:${scope.taskId}}:`;
    this.epoch = `${this.base}epoch`;
    this.watermarks = `${this.base}watermarks`;
    this.outbox = `${this.base}outbox`;
    this.lastWrite = `${this.base}lastWrite`;
  }

  /** The hash of a key-value store. */
  keyValue(store: string): string {
    return `${this.base}kv:${store}`;
  }

  /** The keys of a window store. */
  window(store: string): TimedStoreKeys {
    return this.timed(`${this.base}w:${store}`);
  }

  /** The keys of a session store. */
  session(store: string): TimedStoreKeys {
    return this.timed(`${this.base}s:${store}`);
  }

  private timed(stem: string): TimedStoreKeys {
    return { data: `${stem}:data`, byKey: `${stem}:byKey`, byTime: `${stem}:byTime` };
  }
}

/** The state namespace of one application: every task's keys, whatever the task. */
export type NamespaceScope = Omit<TaskKeyScope, 'taskId'>;

/**
 * A SCAN MATCH pattern for every key of an application's state namespace
 * (`<prefix>{<app>:<ns>:*}:*`): all tasks' stores, watermarks, outboxes and epochs. Glob
 * characters in the prefix, app or namespace match only themselves; app and namespace cannot
 * hold `:`, so no other application or namespace matches.
 */
export function namespaceKeyPattern(scope: NamespaceScope): string {
  const ANY_TASK = '\0'; // a task id no glob escaping touches, replaced by the wildcard
  const base = new TaskKeys({ ...scope, taskId: ANY_TASK }).base;
  return `${base.replace(/[*?[\]\\]/g, '\\$&').replace(ANY_TASK, '*')}*`;
}

/** The field of a window (`times` = [start]) or session (`times` = [start, end]) entry. */
export function entryField(id: string, times: readonly number[]): string {
  return `${keyFieldPrefix(id)}${times.map(String).join(':')}`;
}

/** What every field of one key starts with, and no other key's field does. */
export function keyFieldPrefix(id: string): string {
  return `${id.length}:${id}:`;
}

/** The keyId and times an entry field was made from. */
export function parseEntryField(field: string): { keyId: string; times: number[] } {
  const colon = field.indexOf(':');
  const length = Number(field.slice(0, colon));
  const idStart = colon + 1;
  return {
    keyId: field.slice(idStart, idStart + length),
    times: field.slice(idStart + length + 1).split(':').map(Number),
  };
}
