import { connectRedis, type RedisClient } from '../../state/redis/redisConnection.ts';
import { RedisUnreachableError } from '../replay/replayErrors.ts';

/** How long a CLI command waits for Redis to answer before it says it cannot reach it. */
export const CLI_REDIS_CONNECT_TIMEOUT_MS = 5_000;

/** A client whose connection answered a PING within `timeoutMs`; a CLI command should not wait out an outage as a worker does. */
export async function connectRedisWithin(url: string, timeoutMs = CLI_REDIS_CONNECT_TIMEOUT_MS): Promise<RedisClient> {
  const redis = connectRedis(url);
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
  const answer = await Promise.race([redis.ping(), timedOut]);
  clearTimeout(timer);
  if (answer !== 'timeout') return redis;
  redis.disconnect();
  throw new RedisUnreachableError(url, timeoutMs);
}
