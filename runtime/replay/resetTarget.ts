import { ConfigError } from '../errors.ts';

/**
 * Where replay moves the application's consumer group on its source topics, as
 * `kafka-streams-application-reset` does with `--to-earliest`, `--to-datetime`,
 * `--by-duration` and (per partition) `--to-offset`.
 */
export type ResetTarget =
  | { readonly kind: 'earliest' }
  /** The first record whose timestamp is at or after `timestamp` (ms since the epoch); the log end when there is none. */
  | { readonly kind: 'timestamp'; readonly timestamp: number }
  /** `topic:partition` → offset; partitions not named go to the beginning. */
  | { readonly kind: 'offsets'; readonly offsets: ReadonlyMap<string, number> };

/** The reset flags as the command line gives them. */
export interface ResetFlags {
  readonly toEarliest?: boolean;
  readonly toDatetime?: string;
  readonly byDuration?: string;
  readonly offsets?: string;
}

/**
 * The target the flags name (`--to-earliest` when none does); at most one may be given.
 * `--by-duration` counts back from `now`. A value that does not parse is a one-line ConfigError.
 */
export function parseResetTarget(flags: ResetFlags, now: number): ResetTarget {
  const given = (['toEarliest', 'toDatetime', 'byDuration', 'offsets'] as const).filter((flag) => flags[flag] !== undefined && flags[flag] !== false);
  if (given.length > 1) throw new ConfigError(`give one of --to-earliest, --to-datetime, --by-duration, --offsets (got ${given.map(flagName).join(' and ')})`);
  if (flags.toDatetime !== undefined) return { kind: 'timestamp', timestamp: parseDatetime(flags.toDatetime) };
  if (flags.byDuration !== undefined) return { kind: 'timestamp', timestamp: now - parseDuration(flags.byDuration) };
  if (flags.offsets !== undefined) return { kind: 'offsets', offsets: parseOffsets(flags.offsets) };
  return { kind: 'earliest' };
}

function flagName(flag: keyof ResetFlags): string {
  return `--${flag.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

const DATETIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,3})?)?(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * An ISO 8601 date and time, `YYYY-MM-DDTHH:mm[:ss[.sss]]` with an optional offset (`Z`,
 * `+02:00`); without one it is local time, as in `kafka-streams-application-reset`.
 */
export function parseDatetime(text: string): number {
  const match = DATETIME.exec(text);
  const [, year, month, day, hour, minute, second] = (match ?? []).map(Number);
  // Date.parse rolls 2026-02-30 over into March; a day the month does not have is a typo.
  const daysInMonth = match ? new Date(Date.UTC(year!, month!, 0)).getUTCDate() : 0;
  const timestamp = match ? Date.parse(text) : NaN;
  if (!match || day! < 1 || day! > daysInMonth || hour! > 23 || minute! > 59 || (second ?? 0) > 59 || Number.isNaN(timestamp)) {
    throw new ConfigError(`--to-datetime must be an ISO 8601 date and time such as 2026-01-31T09:30:00Z, not '${text}'`);
  }
  return timestamp;
}

const DURATION = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d{1,3})?)S)?)?$/;

/** An ISO 8601 duration of days, hours, minutes and seconds (`P1D`, `PT1H30M`, `PT0.5S`), as Java's Duration.parse reads it; in ms. */
export function parseDuration(text: string): number {
  const match = DURATION.exec(text);
  if (!match || !/\d/.test(text) || text.endsWith('T')) throw new ConfigError(`--by-duration must be an ISO 8601 duration such as PT1H or P1DT12H, not '${text}'`);
  const [, days, hours, minutes, seconds] = match.map((part) => Number(part ?? 0));
  return Math.round((((days! * 24 + hours!) * 60 + minutes!) * 60 + seconds!) * 1000);
}

const OFFSET = /^([A-Za-z0-9._-]+):(\d+)=(\d+)$/;

/** `topic:partition=offset,…` into a map keyed `topic:partition`; a partition named twice is an error. */
export function parseOffsets(text: string): ReadonlyMap<string, number> {
  const offsets = new Map<string, number>();
  for (const item of text.split(',').map((s) => s.trim())) {
    const match = OFFSET.exec(item);
    if (!match) throw new ConfigError(`--offsets takes topic:partition=offset,… (e.g. orders:0=42,orders:1=7), and '${item}' is not one`);
    const key = `${match[1]}:${Number(match[2])}`;
    if (offsets.has(key)) throw new ConfigError(`--offsets names ${key} twice`);
    offsets.set(key, Number(match[3]));
  }
  return offsets;
}
