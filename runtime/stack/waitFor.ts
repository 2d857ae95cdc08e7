import { setTimeout as sleep } from 'node:timers/promises';

export interface WaitOptions {
  /** Give up after this long. */
  timeoutMs: number;
  /** Pause between attempts. */
  intervalMs?: number;
  /** Checked before every attempt; a string return aborts the wait with that reason (e.g. "the process exited"). */
  abortIf?: () => string | undefined;
}

/** Outcome of a wait: `ok` when the probe answered true in time, else why not. */
export type WaitResult = { ok: true; elapsedMs: number } | { ok: false; reason: string };

/**
 * Polls `probe` until it returns true, the deadline passes, or `abortIf` names a reason to stop.
 * A probe that throws counts as "not yet" (components refuse connections while they start).
 */
export async function waitFor(probe: () => Promise<boolean>, options: WaitOptions): Promise<WaitResult> {
  const started = Date.now();
  const interval = options.intervalMs ?? 250;
  for (;;) {
    const abort = options.abortIf?.();
    if (abort) return { ok: false, reason: abort };
    if (await probe().catch(() => false)) return { ok: true, elapsedMs: Date.now() - started };
    if (Date.now() - started >= options.timeoutMs) return { ok: false, reason: `no answer after ${Math.round(options.timeoutMs / 1000)} s` };
    await sleep(interval);
  }
}
