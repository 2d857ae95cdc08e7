import type { IHeaders, KafkaMessage } from 'kafkajs';
import { readDeadLetterHeaders, type DeadLetterInfo } from '../../schemas/deadLetterHeaders.ts';

/** Every header a worker adds when it dead-letters a record starts with this (see DLQ_HEADERS). */
const DLQ_HEADER_PREFIX = 'tributary.dlq.';

/** One record of a dead-letter topic: where it sits, what the worker recorded about its failure, and the original record. */
export interface DeadLetter {
  /** The dead letter's own position. */
  readonly dlqTopic: string;
  readonly dlqPartition: number;
  readonly dlqOffset: string;
  /** The `tributary.dlq.*` headers; undefined for a record that lacks them (not written by a tributary worker). */
  readonly info: DeadLetterInfo | undefined;
  /** The original record's key and value bytes, untouched. */
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  /** The dead letter's timestamp (a worker gives it the original record's). */
  readonly timestamp: string;
  /** All its headers as kafkajs gives them: the original ones, `tributary.dlq.*` and `tributary.id`. */
  readonly headers: IHeaders;
}

/** A consumed record of a dead-letter topic as a DeadLetter. */
export function toDeadLetter(dlqTopic: string, dlqPartition: number, message: KafkaMessage): DeadLetter {
  const headers = message.headers ?? {};
  return {
    dlqTopic,
    dlqPartition,
    dlqOffset: message.offset,
    info: readDeadLetterHeaders(headers),
    key: message.key,
    value: message.value,
    timestamp: message.timestamp,
    headers,
  };
}

/**
 * The headers a replay writes: the dead letter's without `tributary.dlq.*`. Everything else stays as
 * bytes, `tributary.id` included: a worker sets it to an id derived from the original record's
 * position, so two copies of one dead letter (a replay interrupted between its send and its commit,
 * then run again) carry the same id, by which a consumer can drop the second.
 */
export function originalHeaders(headers: IHeaders): IHeaders {
  return Object.fromEntries(Object.entries(headers).filter(([name, value]) => value !== undefined && !name.startsWith(DLQ_HEADER_PREFIX)));
}
