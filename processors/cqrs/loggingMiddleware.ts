import type { Middleware } from './middleware.ts';
import { observeDispatch } from './middleware.ts';

/** The part of a pino logger the logging middleware uses; a pino `Logger` is one. */
export interface MediatorLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

/**
 * Logs every dispatch once it ends, with `kind`, `type` and `durationMs`: handled at
 * info, refused by validation at warn (with the field and the reason), failed at error
 * (with the error as `err`). Added before `validationMiddleware` (the default), it sees refusals too.
 */
export function loggingMiddleware(logger: MediatorLogger, options: { readonly now?: () => number } = {}): Middleware {
  const now = options.now ?? performance.now.bind(performance);
  return (message, next) =>
    observeDispatch(message, next, now, (outcome, durationMs, error) => {
      const { kind, type } = message.definition;
      const fields = { kind, type, durationMs };
      if (outcome === 'ok') logger.info(fields, `${kind} ${type} handled`);
      else if (outcome === 'invalid') logger.warn({ ...fields, err: error }, `${kind} ${type} refused: ${(error as Error).message}`);
      else logger.error({ ...fields, err: error }, `${kind} ${type} failed`);
    });
}
