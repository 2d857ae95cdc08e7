import { NotFramedError } from './errors.ts';

/** Magic byte of the Confluent wire format; anything else is not ours. */
export const MAGIC_BYTE = 0;
/** Magic byte + 4-byte big-endian schema id. */
export const HEADER_LENGTH = 5;

/** A framed record split into the registry id of its writer schema and the Avro binary body. */
export interface Frame {
  readonly schemaId: number;
  readonly payload: Buffer;
}

/** Prefixes an Avro body with the Confluent header: 0x00, then the schema id as a big-endian int32. */
export function frame(schemaId: number, payload: Buffer): Buffer {
  const out = Buffer.allocUnsafe(HEADER_LENGTH + payload.length);
  out.writeUInt8(MAGIC_BYTE, 0);
  out.writeInt32BE(schemaId, 1);
  payload.copy(out, HEADER_LENGTH);
  return out;
}

/**
 * Splits a Confluent-framed buffer. Throws NotFramedError when the buffer is empty,
 * shorter than the header, or starts with a magic byte other than 0. An empty body after
 * the header is allowed here (a record with no fields encodes to zero bytes); the decoder
 * decides whether it is readable.
 */
export function unframe(buffer: Buffer | null | undefined): Frame {
  if (!buffer || buffer.length === 0) throw new NotFramedError('empty value: not a Confluent-framed Avro record');
  if (buffer[0] !== MAGIC_BYTE) {
    throw new NotFramedError(`magic byte is ${buffer[0]}, expected ${MAGIC_BYTE}: not a Confluent-framed Avro record`);
  }
  if (buffer.length < HEADER_LENGTH) {
    throw new NotFramedError(`value is ${buffer.length} bytes, shorter than the ${HEADER_LENGTH}-byte Confluent header`);
  }
  // subarray, not a copy: decoding reads the body once and the buffer outlives it.
  return { schemaId: buffer.readInt32BE(1), payload: buffer.subarray(HEADER_LENGTH) };
}
