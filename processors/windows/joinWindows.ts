import { TopologyError } from '../topologyError.ts';

/**
 * The time bounds of a stream-stream join (`JoinWindows`). A left record at `t` joins
 * the right records of its key with a timestamp in `[t - before, t + after]`; a right
 * record at `t` looks the other way, `[t - after, t + before]`. Both bounds are inclusive
 * and clamped at 0.
 *
 * Each side keeps its records for `before + after + grace` of that side's stream time,
 * so a late record still joins while the other side's partners are kept. A left or outer
 * join emits a record that found no partner only when its window closes: once the join's
 * stream time passes `t + after + grace` for a left record, `t + before + grace` for a
 * right one.
 */
export class JoinWindows {
  private constructor(
    /** How far back in time a left record looks for right records. */ readonly beforeMs: number,
    /** How far forward in time a left record looks for right records. */ readonly afterMs: number,
    /** How long after its window ends a record is still accepted and kept. */ readonly graceMs: number,
  ) {
    if (!Number.isFinite(beforeMs) || !Number.isFinite(afterMs)) throw new TopologyError(`join window bounds must be finite, got before ${beforeMs} and after ${afterMs}`);
    // One bound may be negative (a window entirely after or before the record), not the interval.
    if (beforeMs + afterMs < 0) throw new TopologyError(`join window interval (before + after) must not be negative, got ${beforeMs} + ${afterMs}`);
    if (!(graceMs >= 0 && Number.isFinite(graceMs))) throw new TopologyError(`grace must not be negative, got ${graceMs}`);
  }

  /** Joins records at most `timeDifferenceMs` apart, accepting out-of-order records for `graceMs` after a window ends. */
  static ofTimeDifferenceAndGrace(timeDifferenceMs: number, graceMs: number): JoinWindows {
    if (!(timeDifferenceMs >= 0)) throw new TopologyError(`join time difference must not be negative, got ${timeDifferenceMs}`);
    return new JoinWindows(timeDifferenceMs, timeDifferenceMs, graceMs);
  }

  /** Joins records at most `timeDifferenceMs` apart; a window closes as soon as it ends. */
  static ofTimeDifferenceWithNoGrace(timeDifferenceMs: number): JoinWindows {
    return JoinWindows.ofTimeDifferenceAndGrace(timeDifferenceMs, 0);
  }

  /** The same windows, with a left record looking back `timeDifferenceMs` (may be negative if `after` covers it). */
  before(timeDifferenceMs: number): JoinWindows {
    return new JoinWindows(timeDifferenceMs, this.afterMs, this.graceMs);
  }

  /** The same windows, with a left record looking forward `timeDifferenceMs` (may be negative if `before` covers it). */
  after(timeDifferenceMs: number): JoinWindows {
    return new JoinWindows(this.beforeMs, timeDifferenceMs, this.graceMs);
  }

  /** The width of a window: `before + after`. */
  get sizeMs(): number {
    return this.beforeMs + this.afterMs;
  }

  /** How long each side's window store keeps a record: `before + after + grace`, as Kafka Streams sizes it. */
  retentionMs(): number {
    return this.sizeMs + this.graceMs;
  }
}
