import { TributaryError } from '../errors.ts';

/**
 * An output ready for Kafka: serialized key and value, headers (with its id), the
 * partition chosen when it was made, so a resend after a crash goes exactly where the
 * first send went. This is what a task's outbox holds in Redis between its commit and
 * the moment Kafka has it.
 */
export interface OutboxRecord {
  readonly topic: string;
  readonly partition: number | undefined;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly timestamp: number;
  readonly headers: Readonly<Record<string, string>>;
}

/** The header carrying an output's deterministic id: `<input topic>/<partition>/<offset>/<index>`. */
export const OUTPUT_ID_HEADER = 'tributary.id';

/** First byte of an outbox entry: the layout below. Another layout gets another byte, so an entry is never misread. */
const LAYOUT = 1;

/** UTF-8 takes at most 3 bytes per UTF-16 unit: what a string may need before it is written. */
const MAX_UTF8_PER_UNIT = 3;

/**
 * One outbox entry: every output of one unit, in order, in binary (no JSON, no base64), so a
 * commit appends one list element per unit. Layout, integers big-endian:
 * `layout:u8 count:u32` then per record `topic:str16 partition:i32 (-1: none) timestamp:f64
 * key:bytes value:bytes headers:u16 (name:str16 value:str32)*`, where `strN` is a uN byte
 * length then UTF-8, and `bytes` an i32 length (-1: null) then the bytes.
 */
export function encodeOutbox(records: readonly OutboxRecord[]): Buffer {
  let bound = 5;
  for (const r of records) {
    bound += 2 + r.topic.length * MAX_UTF8_PER_UNIT + 4 + 8 + 4 + (r.key?.length ?? 0) + 4 + (r.value?.length ?? 0) + 2;
    for (const name in r.headers) bound += 2 + 4 + (name.length + r.headers[name]!.length) * MAX_UTF8_PER_UNIT;
  }
  const out = Buffer.allocUnsafe(bound);
  let at = out.writeUInt8(LAYOUT, 0);
  at = out.writeUInt32BE(records.length, at);
  const string = (text: string, lengthBytes: 2 | 4) => {
    const written = out.write(text, at + lengthBytes, 'utf8');
    if (lengthBytes === 2) out.writeUInt16BE(written, at);
    else out.writeUInt32BE(written, at);
    at += lengthBytes + written;
  };
  const bytes = (buffer: Buffer | null) => {
    at = out.writeInt32BE(buffer === null ? -1 : buffer.length, at);
    if (buffer !== null) at += buffer.copy(out, at);
  };
  for (const r of records) {
    string(r.topic, 2);
    at = out.writeInt32BE(r.partition ?? -1, at);
    at = out.writeDoubleBE(r.timestamp, at);
    bytes(r.key);
    bytes(r.value);
    const names = Object.keys(r.headers);
    at = out.writeUInt16BE(names.length, at);
    for (const name of names) {
      string(name, 2);
      string(r.headers[name]!, 4);
    }
  }
  return out.subarray(0, at);
}

/** The records `encodeOutbox` wrote into one entry. */
export function decodeOutbox(entry: Buffer): OutboxRecord[] {
  if (entry[0] !== LAYOUT) throw new TributaryError('OUTBOX_LAYOUT', `an outbox entry of layout ${entry[0]}: this worker writes and reads layout ${LAYOUT} (one written by another tributary version must be sent by it)`);
  let at = 1;
  const count = entry.readUInt32BE(at);
  at += 4;
  const string = (lengthBytes: 2 | 4) => {
    const length = lengthBytes === 2 ? entry.readUInt16BE(at) : entry.readUInt32BE(at);
    at += lengthBytes + length;
    return entry.toString('utf8', at - length, at);
  };
  const bytes = () => {
    const length = entry.readInt32BE(at);
    at += 4;
    if (length < 0) return null;
    at += length;
    return entry.subarray(at - length, at);
  };
  const records: OutboxRecord[] = [];
  for (let i = 0; i < count; i++) {
    const topic = string(2);
    const partition = entry.readInt32BE(at);
    const timestamp = entry.readDoubleBE(at + 4);
    at += 12;
    const key = bytes();
    const value = bytes();
    const headers: Record<string, string> = {};
    const headerCount = entry.readUInt16BE(at);
    at += 2;
    for (let h = 0; h < headerCount; h++) {
      // Defined, not assigned: a header named __proto__ stays a header.
      Object.defineProperty(headers, string(2), { value: string(4), enumerable: true, writable: true, configurable: true });
    }
    records.push({ topic, partition: partition < 0 ? undefined : partition, key, value, timestamp, headers });
  }
  return records;
}
