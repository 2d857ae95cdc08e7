/** One step of `stack up` that takes a while (install, download, start). */
export interface ProgressPhase {
  /** Bytes (or any unit) done so far out of `total`; reporters may draw a bar. */
  update(done: number, total: number): void;
  done(detail?: string): void;
  fail(): void;
}

/**
 * Where the stack reports long steps. The CLI draws them for a person (bar on a terminal,
 * one line per phase otherwise); tests and libraries pass `silentProgress` or a logger-backed one.
 */
export interface ProgressReporter {
  phase(title: string): ProgressPhase;
}

/** A reporter that shows nothing. */
export const silentProgress: ProgressReporter = {
  phase: () => ({ update() {}, done() {}, fail() {} }),
};
