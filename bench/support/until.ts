import { setTimeout as sleep } from 'node:timers/promises';

/** A process whose last output lines explain a wait that timed out. */
export interface Tailed {
  readonly name: string;
  tail(lines?: number): string;
}

/** Polls `check` until it answers something truthy; fails after `timeoutMs` with the processes' last lines. */
export async function until<T>(processes: readonly Tailed[], what: string, check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answer = await check();
    if (answer) return answer;
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}\n${processes.map((p) => `--- ${p.name}\n${p.tail(10)}`).join('\n')}`);
    await sleep(100);
  }
}
