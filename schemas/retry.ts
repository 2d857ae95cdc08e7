import { RegistryUnavailableError } from './errors.ts';

/** How to retry registry calls during an outage: exponential backoff with jitter. */
export interface RetryPolicy {
  /** Attempts in total, including the first; Infinity (the default) retries until the registry answers or `signal` aborts. */
  readonly maxAttempts?: number;
  /** First delay; default 100 ms. */
  readonly initialDelayMs?: number;
  /** Delay ceiling; default 5 s, as the runtime's other retries (docs/runtime.md). */
  readonly maxDelayMs?: number;
  /** Growth per attempt; default 2. */
  readonly multiplier?: number;
  /** Stops waiting (shutdown, partition revoked); the promise rejects with the signal's reason. */
  readonly signal?: AbortSignal;
  /** Called before each wait: log it, count it in a metric. */
  readonly onRetry?: (error: RegistryUnavailableError, attempt: number, delayMs: number) => void;
}

/**
 * Runs `operation`, retrying only while it fails with RegistryUnavailableError (an outage is
 * not the record's fault, so it must not reach the dead-letter topic). Any other error,
 * including every DeserializationError, is thrown at once. The delay before retry n is
 * between half and all of min(maxDelayMs, initialDelayMs × multiplier^(n-1)) ("equal
 * jitter"), so workers that lost the registry together do not come back in lockstep.
 */
export async function withRegistryRetry<T>(operation: () => Promise<T>, policy: RetryPolicy = {}): Promise<T> {
  const maxAttempts = policy.maxAttempts ?? Infinity;
  const initial = policy.initialDelayMs ?? 100;
  const ceiling = policy.maxDelayMs ?? 5_000;
  const multiplier = policy.multiplier ?? 2;
  for (let attempt = 1; ; attempt++) {
    policy.signal?.throwIfAborted();
    try {
      return await operation();
    } catch (error) {
      if (!(error instanceof RegistryUnavailableError) || attempt >= maxAttempts) throw error;
      const cap = Math.min(ceiling, initial * multiplier ** (attempt - 1));
      const delayMs = Math.round(cap / 2 + (Math.random() * cap) / 2);
      policy.onRetry?.(error, attempt, delayMs);
      await sleep(delayMs, policy.signal);
    }
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
