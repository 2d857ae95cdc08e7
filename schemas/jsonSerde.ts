import { DecodeFailedError } from './errors.ts';
import type { Serde } from './serde.ts';

/**
 * JSON as UTF-8, for keys or values that need no schema (tests, internal topics of
 * quick prototypes). Bytes that are not JSON raise DecodeFailedError, so they dead-letter.
 */
export function jsonSerde<T>(): Serde<T> {
  const encode = (value: T) => Buffer.from(JSON.stringify(value), 'utf8');
  const decode = (buffer: Buffer): T => {
    try {
      return JSON.parse(buffer.toString('utf8')) as T;
    } catch (error) {
      throw new DecodeFailedError(undefined, 'payload is not JSON', { cause: error });
    }
  };
  return {
    async serialize(_topic, value) {
      return encode(value);
    },
    async deserialize(_topic, buffer) {
      return decode(buffer);
    },
    serializeSync: (_topic, value) => encode(value),
    deserializeSync: (_topic, buffer) => decode(buffer),
  };
}
