import { TributaryError } from '../runtime/errors.ts';

/** Header names on a dead-lettered record. Values are UTF-8 strings; times are epoch milliseconds. */
export const DLQ_HEADERS = {
  errorClass: 'tributary.dlq.error.class',
  errorCode: 'tributary.dlq.error.code',
  errorMessage: 'tributary.dlq.error.message',
  originalTopic: 'tributary.dlq.original.topic',
  originalPartition: 'tributary.dlq.original.partition',
  originalOffset: 'tributary.dlq.original.offset',
  originalTimestamp: 'tributary.dlq.original.timestamp',
  failedAt: 'tributary.dlq.failed.at',
} as const;

/** Where a record that failed came from; offset and timestamp as kafkajs gives them (strings). */
export interface FailedRecordOrigin {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  /** The original record's timestamp, epoch milliseconds as a string. */
  readonly timestamp: string;
}

/** What `readDeadLetterHeaders` recovers from a dead letter, for `dlq list` and `dlq replay`. */
export interface DeadLetterInfo extends FailedRecordOrigin {
  readonly errorClass: string;
  readonly errorCode: string;
  readonly errorMessage: string;
  readonly failedAt: number;
}

/** The default dead-letter topic of a topic. */
export function deadLetterTopic(topic: string): string {
  return `${topic}.dlq`;
}

const MAX_MESSAGE = 1000;

/**
 * The headers to add to a failed record's copy on the dead-letter topic: error class and
 * stable code (`UNKNOWN` for errors that are not TributaryErrors), a one-line message (at
 * most 1000 characters), and where and when the record was. The runtime keeps the original
 * key, value and headers beside these.
 */
export function deadLetterHeaders(error: unknown, origin: FailedRecordOrigin, failedAt: number = Date.now()): Record<string, string> {
  const errorClass = error instanceof Error ? error.name : typeof error;
  const errorCode = error instanceof TributaryError ? error.code : 'UNKNOWN';
  const message = (error instanceof Error ? error.message : String(error)).replace(/\s*\n\s*/g, ' ').slice(0, MAX_MESSAGE);
  return {
    [DLQ_HEADERS.errorClass]: errorClass,
    [DLQ_HEADERS.errorCode]: errorCode,
    [DLQ_HEADERS.errorMessage]: message,
    [DLQ_HEADERS.originalTopic]: origin.topic,
    [DLQ_HEADERS.originalPartition]: String(origin.partition),
    [DLQ_HEADERS.originalOffset]: origin.offset,
    [DLQ_HEADERS.originalTimestamp]: origin.timestamp,
    [DLQ_HEADERS.failedAt]: String(failedAt),
  };
}

/** Reads the headers back from a dead letter (kafkajs gives Buffers); undefined when they are not all there. */
export function readDeadLetterHeaders(headers: Readonly<Record<string, Buffer | string | (Buffer | string)[] | undefined>>): DeadLetterInfo | undefined {
  const get = (name: string): string | undefined => {
    const raw = headers[name];
    const value = Array.isArray(raw) ? raw[0] : raw;
    return value === undefined ? undefined : value.toString();
  };
  const values = Object.fromEntries(Object.entries(DLQ_HEADERS).map(([key, name]) => [key, get(name)]));
  if (Object.values(values).some((v) => v === undefined)) return undefined;
  return {
    errorClass: values.errorClass!,
    errorCode: values.errorCode!,
    errorMessage: values.errorMessage!,
    topic: values.originalTopic!,
    partition: Number(values.originalPartition),
    offset: values.originalOffset!,
    timestamp: values.originalTimestamp!,
    failedAt: Number(values.failedAt),
  };
}
