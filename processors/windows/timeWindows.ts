import type { TimeWindow } from '../record.ts';
import { TopologyError } from '../topologyError.ts';

/** Kafka Streams' default retention for windowed stores: one day. */
export const DEFAULT_RETENTION_MS = 24 * 60 * 60 * 1000;

/**
 * Fixed-size windows `[start, start + size)` aligned to the epoch (`TimeWindows`).
 * Tumbling when `advance == size`, hopping when smaller: a record then falls in
 * `size / advance` overlapping windows. A window accepts records until stream time
 * reaches `end + grace`; later records for it are dropped as late.
 */
export class TimeWindows {
  private constructor(
    readonly sizeMs: number,
    readonly advanceMs: number,
    readonly graceMs: number,
  ) {
    if (!(sizeMs > 0)) throw new TopologyError(`window size must be positive, got ${sizeMs}`);
    if (!(advanceMs > 0 && advanceMs <= sizeMs)) throw new TopologyError(`window advance must be in (0, size], got ${advanceMs}`);
    if (!(graceMs >= 0)) throw new TopologyError(`grace must not be negative, got ${graceMs}`);
  }

  /** Tumbling windows of `sizeMs` that accept late records for `graceMs` after they end. */
  static ofSizeAndGrace(sizeMs: number, graceMs: number): TimeWindows {
    return new TimeWindows(sizeMs, sizeMs, graceMs);
  }

  /** Tumbling windows of `sizeMs` that close as soon as they end. */
  static ofSizeWithNoGrace(sizeMs: number): TimeWindows {
    return new TimeWindows(sizeMs, sizeMs, 0);
  }

  /** Hopping windows: the same size, a new window every `advanceMs`. */
  advanceBy(advanceMs: number): TimeWindows {
    return new TimeWindows(this.sizeMs, advanceMs, this.graceMs);
  }

  /** The windows that contain `timestamp`, by start. Windows never start before 0. */
  windowsFor(timestamp: number): TimeWindow[] {
    const windows: TimeWindow[] = [];
    let start = Math.floor(Math.max(0, timestamp - this.sizeMs + this.advanceMs) / this.advanceMs) * this.advanceMs;
    for (; start <= timestamp; start += this.advanceMs) windows.push({ start, end: start + this.sizeMs });
    return windows;
  }

  /** How long the store keeps a window by default: at least size + grace, or a day (Kafka Streams' default). */
  retentionMs(): number {
    return Math.max(DEFAULT_RETENTION_MS, this.requiredRetentionMs());
  }

  /** The shortest retention that keeps every window until it closes: size + grace. */
  requiredRetentionMs(): number {
    return this.sizeMs + this.graceMs;
  }
}
