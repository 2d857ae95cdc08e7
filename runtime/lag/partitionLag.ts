/** One input partition of an application and how far its consumer group is behind. */
export interface PartitionLag {
  readonly topic: string;
  readonly partition: number;
  /** The group's committed offset (the next record it will read); null when it has committed none. */
  readonly committedOffset: number | null;
  /** The first offset the log still holds (retention or deleted records moved it past 0). */
  readonly logStartOffset: number;
  /**
   * The end of the log as a read_committed consumer sees it (the last stable offset), which is
   * the high watermark unless a transaction is open.
   */
  readonly logEndOffset: number;
  /** Records between the committed offset and the log end; null without a committed offset. */
  readonly lag: number | null;
}

/**
 * The lag of one partition as `kafka-consumer-groups --describe` computes it: log end offset
 * minus committed offset, and unknown (null, shown `-`) when the group has committed no
 * offset for the partition. Like Kafka's tool it does not clamp a committed offset that
 * retention has left behind the log start; a worker resumes from the log start there, so the
 * lag it will actually work through is smaller.
 */
export function partitionLag(committedOffset: number | null, logEndOffset: number): number | null {
  return committedOffset === null ? null : logEndOffset - committedOffset;
}
