import { TopologyError } from '../../topologyError.ts';

/**
 * How often a saga sends a command before it gives up on its reply. Attempt 1 is sent at
 * once; when an attempt gets no reply within the step's timeout and attempts are left,
 * the same command (same `commandId`, so a deduping handler acts once) is sent again
 * after a backoff of `backoffMs × multiplier^(n-1)` following the n-th timeout.
 */
export interface RetryPolicy {
  /** Attempts in all, at least 1 (1: no retry). */
  readonly attempts: number;
  /** Wall-clock wait between a timed-out attempt and the next; default 0 (resend at once). */
  readonly backoffMs?: number;
  /** Growth of the backoff per attempt; default 2. */
  readonly multiplier?: number;
}

/** One attempt, no retry. */
export const NO_RETRY: RetryPolicy = { attempts: 1 };

/** The wait after attempt `attempt` timed out, before attempt `attempt + 1` is sent. */
export function backoffAfter(policy: RetryPolicy, attempt: number): number {
  return (policy.backoffMs ?? 0) * (policy.multiplier ?? 2) ** (attempt - 1);
}

/** Refuses a policy or timeout that could not run, naming where it is declared. */
export function checkTiming(where: string, timeoutMs: number, policy: RetryPolicy): void {
  if (!(timeoutMs > 0)) throw new TopologyError(`${where}: timeoutMs must be positive, got ${timeoutMs}`);
  if (!Number.isInteger(policy.attempts) || policy.attempts < 1) throw new TopologyError(`${where}: retry.attempts must be an integer ≥ 1, got ${policy.attempts}`);
  if (!((policy.backoffMs ?? 0) >= 0) || !((policy.multiplier ?? 2) >= 1)) throw new TopologyError(`${where}: retry.backoffMs must be ≥ 0 and retry.multiplier ≥ 1`);
}
