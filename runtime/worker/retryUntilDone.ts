import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../logger.ts';

/** Errors that no retry can fix: a lost task, or a bug. */
export type Fatal = (error: unknown) => boolean;

/**
 * Runs `operation` until it succeeds: an outage of Redis, Kafka or the registry is
 * waited out with capped exponential backoff (100 ms doubling to 5 s), logged at each
 * attempt (and reported to `onRetry`, for a metric), never dropped. Rethrows at once what
 * `fatal` says cannot be retried, and stops when `signal` aborts.
 */
export async function retryUntilDone<T>(
  what: string,
  operation: () => Promise<T>,
  options: { fatal: Fatal; signal: AbortSignal; logger: Logger; onRetry?: (what: string) => void },
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      if (options.fatal(error) || options.signal.aborted) throw error;
      const delayMs = Math.min(5_000, 100 * 2 ** Math.min(attempt - 1, 6));
      options.logger.warn({ err: error, attempt, delayMs }, `${what} failed; retrying`);
      options.onRetry?.(what);
      await sleep(delayMs, undefined, { signal: options.signal }).catch(() => undefined);
      if (options.signal.aborted) throw error;
    }
  }
}
