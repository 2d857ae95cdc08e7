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

interface Encoded {
  t: string;
  p?: number;
  k: string | null;
  v: string | null;
  ts: number;
  h: Record<string, string>;
}

/** Bytes for the outbox (compact JSON with base64 key and value). */
export function encodeOutboxRecord(record: OutboxRecord): Buffer {
  const encoded: Encoded = {
    t: record.topic,
    k: record.key?.toString('base64') ?? null,
    v: record.value?.toString('base64') ?? null,
    ts: record.timestamp,
    h: record.headers,
  };
  if (record.partition !== undefined) encoded.p = record.partition;
  return Buffer.from(JSON.stringify(encoded));
}

/** The record `encodeOutboxRecord` wrote. */
export function decodeOutboxRecord(bytes: Buffer): OutboxRecord {
  const e = JSON.parse(bytes.toString()) as Encoded;
  return {
    topic: e.t,
    partition: e.p,
    key: e.k === null ? null : Buffer.from(e.k, 'base64'),
    value: e.v === null ? null : Buffer.from(e.v, 'base64'),
    timestamp: e.ts,
    headers: e.h,
  };
}
