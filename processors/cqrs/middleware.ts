import { CommandValidationError } from './errors.ts';
import type { MessageDefinition } from './messageDefinition.ts';

/** A message on its way through the mediator's pipeline: what it is and its payload. */
export interface MediatorMessage {
  readonly definition: MessageDefinition;
  /** Before validation what the sender passed; after it, the schema's output. */
  readonly payload: unknown;
}

/** Hands a message to the rest of the pipeline and resolves with the handler's result. */
export type Next = (message: MediatorMessage) => Promise<unknown>;

/**
 * One stage of the pipeline around every dispatch (MediatR's pipeline behaviour): it may
 * look at or replace the message, call `next` once (or not, to short-circuit), and look
 * at or replace the result. Stages run in the order they were added, the first outermost.
 */
export type Middleware = (message: MediatorMessage, next: Next) => Promise<unknown>;

/** How a dispatch ended: handled, refused by validation, or failed in a handler or stage. */
export type DispatchOutcome = 'ok' | 'invalid' | 'failed';

/**
 * Runs `next(message)` and reports how it ended and how long it took by `now`
 * (milliseconds), then passes the result or the error on unchanged.
 */
export async function observeDispatch(
  message: MediatorMessage,
  next: Next,
  now: () => number,
  report: (outcome: DispatchOutcome, durationMs: number, error?: unknown) => void,
): Promise<unknown> {
  const start = now();
  try {
    const result = await next(message);
    report('ok', now() - start);
    return result;
  } catch (error) {
    report(error instanceof CommandValidationError ? 'invalid' : 'failed', now() - start, error);
    throw error;
  }
}
