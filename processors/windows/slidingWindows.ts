import { TopologyError } from '../topologyError.ts';

/**
 * Sliding windows (`SlidingWindows`): windows of a fixed time difference that move with the
 * records rather than the clock. Each window is `[start, start + timeDifference]`, inclusive
 * at both ends, and exists only if it holds a record: per key, every record at `t` defines
 * its left window `[t - timeDifference, t]` and, when a later record falls within
 * `timeDifference` after it, its right window `[t + 1, t + 1 + timeDifference]`. Records
 * earlier than `timeDifference` share the window `[0, timeDifference]` instead of a left
 * window that would start before 0. No empty window is ever created.
 *
 * A window accepts records until stream time passes `end + grace`; a record is dropped as
 * late when even its right window would be closed (`t + 1 + timeDifference <= stream time −
 * grace`), and counted per closed window it would have updated otherwise.
 */
export class SlidingWindows {
  private constructor(
    /** The largest time difference between two records of one window (inclusive). */ readonly timeDifferenceMs: number,
    /** How long after a window's end it still accepts out-of-order records. */ readonly graceMs: number,
  ) {
    if (!(timeDifferenceMs >= 0 && Number.isFinite(timeDifferenceMs))) throw new TopologyError(`sliding window time difference must not be negative, got ${timeDifferenceMs}`);
    if (!(graceMs >= 0 && Number.isFinite(graceMs))) throw new TopologyError(`grace must not be negative, got ${graceMs}`);
  }

  /** Windows of records at most `timeDifferenceMs` apart, accepting out-of-order records for `graceMs` after a window ends. */
  static ofTimeDifferenceAndGrace(timeDifferenceMs: number, graceMs: number): SlidingWindows {
    return new SlidingWindows(timeDifferenceMs, graceMs);
  }

  /** Windows of records at most `timeDifferenceMs` apart that close as soon as they end. */
  static ofTimeDifferenceWithNoGrace(timeDifferenceMs: number): SlidingWindows {
    return new SlidingWindows(timeDifferenceMs, 0);
  }

  /**
   * How long the store keeps a window after its start: `2 × timeDifference + grace`, as
   * Kafka Streams sizes it, since a record may need the window that ends just before its
   * own left window (to find the previous record).
   */
  retentionMs(): number {
    return this.requiredRetentionMs();
  }

  /** The shortest retention a store of these windows may have; also the default. */
  requiredRetentionMs(): number {
    return 2 * this.timeDifferenceMs + this.graceMs;
  }
}
