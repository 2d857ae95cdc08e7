/**
 * Kafka Streams' retention of an in-memory window or session store, by the store's own
 * observed time (the latest window start, or session end, put into it): an entry at or before
 * observed − retention is expired. A put of an expired entry is skipped, reads do not see
 * expired entries, and they are dropped as the observed time moves on.
 */
export class StoreRetention {
  private observed = -Infinity;
  private prunedUpTo = -Infinity;

  constructor(private readonly retentionMs: number | undefined) {}

  /** Notes a put at `time`; false when the entry is expired and the put is skipped. */
  accepts(time: number): boolean {
    this.observed = Math.max(this.observed, time);
    return !this.expired(time);
  }

  expired(time: number): boolean {
    return this.retentionMs !== undefined && time <= this.observed - this.retentionMs;
  }

  /** The earliest time a read sees. */
  get minLiveTime(): number {
    return this.retentionMs === undefined ? -Infinity : this.observed - this.retentionMs + 1;
  }

  /** Whether the expired entries are worth dropping now: once per retention period of observed time, so it costs O(1) a put. */
  dueForPruning(): boolean {
    if (this.retentionMs === undefined || this.minLiveTime < this.prunedUpTo + Math.max(this.retentionMs, 1)) return false;
    this.prunedUpTo = this.minLiveTime;
    return true;
  }
}
