import { TopologyError } from '../topologyError.ts';

/**
 * Session windows (`SessionWindows`): per key, records less than or exactly `inactivityGap`
 * apart belong to one session `[first timestamp, last timestamp]`, inclusive at both ends.
 * A record that bridges two sessions merges them. Sessions are data-driven: they are not
 * aligned to the epoch and have no fixed size.
 *
 * A session is closed once stream time reaches `end + inactivityGap + grace`: no later
 * record can reach it then (Kafka Streams 3.x+ counts the gap in the close time, since a
 * record up to `gap` after the end would still extend it). Its store keeps it that long.
 */
export class SessionWindows {
  private constructor(
    /** Records at most this far apart (inclusive) share a session. */ readonly inactivityGapMs: number,
    /** How long after a session closes by the gap it still accepts out-of-order records. */ readonly graceMs: number,
  ) {
    if (!(inactivityGapMs > 0 && Number.isFinite(inactivityGapMs))) throw new TopologyError(`session inactivity gap must be positive, got ${inactivityGapMs}`);
    if (!(graceMs >= 0 && Number.isFinite(graceMs))) throw new TopologyError(`grace must not be negative, got ${graceMs}`);
  }

  /** Sessions that end after `inactivityGapMs` without records and accept out-of-order records for `graceMs` more. */
  static ofInactivityGapAndGrace(inactivityGapMs: number, graceMs: number): SessionWindows {
    return new SessionWindows(inactivityGapMs, graceMs);
  }

  /** Sessions that end after `inactivityGapMs` without records, with no grace for out-of-order records. */
  static ofInactivityGapWithNoGrace(inactivityGapMs: number): SessionWindows {
    return new SessionWindows(inactivityGapMs, 0);
  }

  /** How long after its end a session closes: `inactivityGap + grace`. */
  closeDelayMs(): number {
    return this.inactivityGapMs + this.graceMs;
  }

  /** How long the store keeps a session after its end: `inactivityGap + grace`, as Kafka Streams sizes it. */
  retentionMs(): number {
    return this.requiredRetentionMs();
  }

  /** The shortest retention a store of these sessions may have; also the default. */
  requiredRetentionMs(): number {
    return this.closeDelayMs();
  }
}
