import { ConfigError } from '../../runtime/errors.ts';
import type { RedisClient } from './redisConnection.ts';
import { DEFAULT_KEY_PREFIX } from './taskKeys.ts';

/**
 * Which state namespace of an application is active, and the one a shadow replay is building.
 * Stored as one hash, `<prefix>{<app>}:namespace`, whose hash tag is the application's own,
 * so it lives in one slot and a compare-and-set on it is one Lua call on a cluster too.
 * Written by `tributary replay --shadow` only; workers read it at start and every commit
 * interval, queries per request. Absent: the configured namespace (TRIBUTARY_STATE_NAMESPACE) is active.
 */
export interface NamespacePointer {
  /** The namespace workers build and queries read; undefined until a shadow replay first switched. */
  readonly active?: string;
  /** The namespace a shadow replay is building, while it runs. */
  readonly shadow?: string;
  /**
   * `switching`: live workers stop processing (they leave their group, their process keeps
   * serving) until `active` names a new namespace, then start again in it.
   */
  readonly phase?: 'building' | 'switching';
}

export interface PointerScope {
  readonly app: string;
  readonly prefix?: string;
}

const FIELDS = ['active', 'shadow', 'phase'] as const;

// Compares all three fields with ARGV[1..3] ('' = absent) and only then writes ARGV[4..6].
const COMPARE_AND_SET_LUA = `
local current = redis.call('HMGET', KEYS[1], 'active', 'shadow', 'phase')
for i = 1, 3 do
  if (current[i] or '') ~= ARGV[i] then return 0 end
end
redis.call('DEL', KEYS[1])
local fields = { 'active', 'shadow', 'phase' }
for i = 1, 3 do
  if ARGV[3 + i] ~= '' then redis.call('HSET', KEYS[1], fields[i], ARGV[3 + i]) end
end
return 1
`;

/** The pointer's key: `<prefix>{<app>}:namespace`. */
export function namespacePointerKey(scope: PointerScope): string {
  const prefix = scope.prefix ?? DEFAULT_KEY_PREFIX;
  if (/[{}]/.test(prefix + scope.app)) throw new ConfigError(`Redis key prefix '${prefix}' and app '${scope.app}' must not contain '{' or '}'`);
  return `${prefix}{${scope.app}}:namespace`;
}

export async function readNamespacePointer(redis: RedisClient, scope: PointerScope): Promise<NamespacePointer> {
  const [active, shadow, phase] = await redis.hmget(namespacePointerKey(scope), ...FIELDS);
  return { ...(active ? { active } : {}), ...(shadow ? { shadow } : {}), ...(phase ? { phase: phase as NamespacePointer['phase'] } : {}) };
}

/** The namespace queries read and workers build now: the pointer's, else `configured`. One round trip. */
export async function activeNamespace(redis: RedisClient, scope: PointerScope, configured: string): Promise<string> {
  return (await redis.hget(namespacePointerKey(scope), 'active')) ?? configured;
}

/** Writes `next` if the pointer still is `expected`; false (and nothing written) when another writer changed it. */
export async function compareAndSetPointer(redis: RedisClient, scope: PointerScope, expected: NamespacePointer, next: NamespacePointer): Promise<boolean> {
  const args = [...FIELDS.map((f) => expected[f] ?? ''), ...FIELDS.map((f) => next[f] ?? '')];
  return (await redis.eval(COMPARE_AND_SET_LUA, 1, namespacePointerKey(scope), ...args)) === 1;
}
