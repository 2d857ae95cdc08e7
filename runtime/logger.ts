import { pino, type Logger } from 'pino';

/**
 * The root logger. Components take a child with their context (`logger.child({ task })`).
 * Level from `TRIBUTARY_LOG_LEVEL` is read by the CLI and passed here, never by modules.
 */
export function createLogger(level: string = 'info'): Logger {
  return pino({ level, base: { app: 'tributary' } }, pino.destination(2));
}

export type { Logger };
