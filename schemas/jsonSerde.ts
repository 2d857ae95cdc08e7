import { DecodeFailedError } from './errors.ts';
import type { Serde } from './serde.ts';

/**
 * JSON as UTF-8, for keys or values that need no schema (tests, internal topics of
 * quick prototypes). Bytes that are not JSON raise DecodeFailedError, so they dead-letter.
 */
export function jsonSerde<T>(): Serde<T> {
  return {
    async serialize(_topic, value) {
      return Buffer.from(JSON.stringify(value), 'utf8');
    },
    async deserialize(_topic, buffer) {
      try {
        return JSON.parse(buffer.toString('utf8')) as T;
      } catch (error) {
        throw new DecodeFailedError(undefined, 'payload is not JSON', { cause: error });
      }
    },
  };
}
