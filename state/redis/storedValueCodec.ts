/**
 * How keys and values are stored in Redis: JSON, with Buffers (Avro `bytes` fields) kept
 * as Buffers. `JSON.stringify` writes a Buffer as `{"type":"Buffer","data":[…]}`; decoding
 * turns exactly that shape back into a Buffer.
 *
 * What JSON cannot say comes back changed, as in any JSON serde: `undefined` inside an array
 * becomes null, a Date becomes its ISO string, NaN and Infinity become null. Keys are
 * compared by `keyId` (their JSON), which survives the round trip.
 */

/** The stored text of a value. */
export function encodeStored(value: unknown): string {
  // JSON.stringify(undefined) is undefined, not text: store it as null.
  return JSON.stringify(value) ?? 'null';
}

/** The value `encodeStored` was given, with Buffers revived. */
export function decodeStored(text: string): unknown {
  return JSON.parse(text, reviveBuffer);
}

function reviveBuffer(_key: string, value: unknown): unknown {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const candidate = value as { type?: unknown; data?: unknown };
    if (candidate.type === 'Buffer' && Array.isArray(candidate.data) && Object.keys(value).length === 2) {
      return Buffer.from(candidate.data as number[]);
    }
  }
  return value;
}
