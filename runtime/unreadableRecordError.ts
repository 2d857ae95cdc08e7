import { TributaryError } from './errors.ts';

/**
 * A consumed record whose value cannot be deserialized (not Confluent-framed, unknown schema id,
 * undecodable body). Names where the record is, so a user can find it (`kafka-console-consumer
 * --partition P --offset O`), and keeps the serde's error as `cause` (its code is `reason`).
 * Reporting it is the consumer's job; it must go on with the next record.
 */
export class UnreadableRecordError extends TributaryError {
  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly offset: string,
    /** The serde's error code, e.g. NOT_FRAMED, UNKNOWN_SCHEMA_ID, DECODE_FAILED. */
    readonly reason: string,
    cause: Error,
  ) {
    super('UNREADABLE_RECORD', `cannot read record ${topic}[${partition}]@${offset}: ${cause.message}`, { cause });
  }
}
