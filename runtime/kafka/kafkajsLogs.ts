import { logLevel, type logCreator } from 'kafkajs';
import type { Logger } from '../logger.ts';

const LEVELS: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/** Routes kafkajs' own log lines into a pino logger (kafkajs would otherwise print JSON to stdout). */
export function kafkajsLogs(logger: Logger): logCreator {
  return () =>
    ({ namespace, level, log }) => {
      const { message, timestamp: _timestamp, logger: _logger, ...fields } = log;
      logger[LEVELS[level] ?? 'debug']({ namespace, ...fields }, message);
    };
}
