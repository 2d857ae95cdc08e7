import type { DispatchOutcome, Middleware } from './middleware.ts';
import { observeDispatch } from './middleware.ts';

/** Labels of every mediator measurement. */
export interface DispatchLabels {
  readonly kind: string;
  readonly type: string;
  readonly outcome: DispatchOutcome;
}

/** A counter as the metrics middleware uses it; a prom-client `Counter` with these label names is one. */
export interface DispatchCounter {
  inc(labels: DispatchLabels): void;
}

/** A histogram as the metrics middleware uses it; a prom-client `Histogram` with these label names is one. */
export interface DispatchHistogram {
  observe(labels: DispatchLabels, value: number): void;
}

/** Where the metrics middleware records. */
export interface MediatorInstruments {
  /** Incremented once per dispatch. */
  readonly dispatched: DispatchCounter;
  /** Observes each dispatch's duration in seconds (the Prometheus unit). */
  readonly durationSeconds: DispatchHistogram;
}

/**
 * Counts every dispatch and observes its duration, labelled by kind, type and outcome
 * (`ok`, `invalid` for a validation refusal, `failed`). The instruments are the caller's:
 * this module knows no metrics library.
 */
export function metricsMiddleware(instruments: MediatorInstruments, options: { readonly now?: () => number } = {}): Middleware {
  const now = options.now ?? performance.now.bind(performance);
  return (message, next) =>
    observeDispatch(message, next, now, (outcome, durationMs) => {
      const labels = { kind: message.definition.kind, type: message.definition.type, outcome };
      instruments.dispatched.inc(labels);
      instruments.durationSeconds.observe(labels, durationMs / 1000);
    });
}
