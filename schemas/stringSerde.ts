import type { Serde } from './serde.ts';
import { DecodeFailedError } from './errors.ts';

const decoder = new TextDecoder('utf-8', { fatal: true });

function decode(buffer: Buffer): string {
  try {
    return decoder.decode(buffer);
  } catch (error) {
    throw new DecodeFailedError(undefined, 'key is not valid UTF-8', { cause: error });
  }
}

/**
 * UTF-8 strings: the serde for message keys (keys are plain strings, not Avro, so that
 * partitioning and key lookups need no registry). Invalid UTF-8 raises DecodeFailedError
 * so a bad key dead-letters like a bad value.
 */
export const stringSerde: Serde<string> = {
  async serialize(_topic, value) {
    return Buffer.from(value, 'utf8');
  },
  async deserialize(_topic, buffer) {
    return decode(buffer);
  },
  serializeSync: (_topic, value) => Buffer.from(value, 'utf8'),
  deserializeSync: (_topic, buffer) => decode(buffer),
};
