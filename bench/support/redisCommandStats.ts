import type { RedisClient } from '../../state/redis/redisConnection.ts';

/** Redis' command counters at one instant: the total (scripts' inner commands included) and calls per command. */
export interface RedisCommandCounts {
  readonly total: number;
  readonly byCommand: ReadonlyMap<string, number>;
}

/**
 * Reads INFO stats and INFO commandstats (of every primary of a cluster, added up). The
 * counters are the server's: every client's commands together, the bench's two INFO calls too.
 */
export async function redisCommandCounts(redis: RedisClient): Promise<RedisCommandCounts> {
  let total = 0;
  const byCommand = new Map<string, number>();
  for (const node of 'nodes' in redis ? redis.nodes('master') : [redis]) {
    const stats = await node.info('stats');
    const commandstats = await node.info('commandstats');
    total += Number(/^total_commands_processed:(\d+)/m.exec(stats)?.[1] ?? NaN);
    for (const [, command, calls] of commandstats.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) byCommand.set(command!, (byCommand.get(command!) ?? 0) + Number(calls));
  }
  return { total, byCommand };
}

/**
 * How many times Redis has rewritten its append-only file since it started (every primary of a
 * cluster, added up). A rewrite forks Redis and writes its whole dataset, which on a small
 * machine takes CPU from whatever is being measured.
 */
export async function redisAofRewrites(redis: RedisClient): Promise<number> {
  let rewrites = 0;
  for (const node of 'nodes' in redis ? redis.nodes('master') : [redis]) rewrites += Number(/^aof_rewrites:(\d+)/m.exec(await node.info('persistence'))?.[1] ?? 0);
  return rewrites;
}

/** What ran between two readings of a single Redis; the two INFO calls of the first reading are not counted. */
export function commandsBetween(before: RedisCommandCounts, after: RedisCommandCounts): RedisCommandCounts {
  const byCommand = new Map<string, number>();
  for (const [command, calls] of after.byCommand) {
    const delta = calls - (before.byCommand.get(command) ?? 0) - (command === 'info' ? 2 : 0);
    if (delta > 0) byCommand.set(command, delta);
  }
  return { total: after.total - before.total - 2, byCommand };
}
