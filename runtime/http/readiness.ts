/** Whether a worker should receive traffic (`/readyz`), and if not, why. */
export type Readiness = { readonly ready: true } | { readonly ready: false; readonly reason: string };

/** Ready when every part is; otherwise the reasons of those that are not, named. */
export function allReady(parts: ReadonlyArray<{ readonly name: string; readonly readiness: Readiness }>): Readiness {
  const waiting = parts.flatMap(({ name, readiness }) => (readiness.ready ? [] : [`${name}: ${readiness.reason}`]));
  return waiting.length ? { ready: false, reason: waiting.join('; ') } : { ready: true };
}
