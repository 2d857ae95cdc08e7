import { DEFAULT_COMMIT_INTERVAL_MS, DEFAULT_UNIT_RECORDS, workerConfigSchema } from '../../runtime/worker/workerConfig.ts';

/**
 * A worker setting the throughput bench can sweep, one run per value: the unit of work
 * (records per state load, Redis commit and send) and the commit interval.
 */
export type Knob = 'unitRecords' | 'commitIntervalMs';

export const KNOBS: readonly Knob[] = ['unitRecords', 'commitIntervalMs'];

/** A knob's value in the runs that do not sweep it: the worker's default. */
export const KNOB_DEFAULTS: Readonly<Record<Knob, number>> = { unitRecords: DEFAULT_UNIT_RECORDS, commitIntervalMs: DEFAULT_COMMIT_INTERVAL_MS };

/** The bench's command-line option of each knob (`--unit-records 100,500,2000`), and what its values are. */
const KNOB_OPTIONS: Readonly<Record<Knob, { readonly option: string; readonly values: string }>> = {
  unitRecords: { option: 'unit-records', values: 'unit sizes (records)' },
  commitIntervalMs: { option: 'commit-interval-ms', values: 'commit intervals (ms)' },
};

/** The values each swept knob takes, in the order given. */
export type Sweep = Partial<Record<Knob, readonly number[]>>;

/** The knob values one run of a workload is started with: one per knob the workload takes. */
export type KnobValues = Partial<Record<Knob, number>>;

/**
 * The runs of a workload that takes `knobs` (none, for a framework without such a setting):
 * one per value of each swept knob it takes, its other knobs at their defaults (a sweep moves
 * one knob at a time, so each is a curve of its own), the default point once even when two
 * sweeps both contain it. A workload that takes none of the swept knobs runs once, at its defaults.
 */
export function sweepPoints(sweep: Sweep, knobs: readonly Knob[]): KnobValues[] {
  const defaults: KnobValues = Object.fromEntries(knobs.map((k) => [k, KNOB_DEFAULTS[k]]));
  const swept = knobs.filter((k) => sweep[k]?.length);
  if (!swept.length) return [defaults];
  const points = new Map<string, KnobValues>();
  for (const knob of swept) {
    for (const value of sweep[knob]!) {
      const point = { ...defaults, [knob]: value };
      points.set(knobsSuffix(point), point);
    }
  }
  return [...points.values()];
}

/**
 * A sweep option's list (`100,500,2000`): each value one the worker takes for that setting
 * (checked by the worker's own schema), repeats dropped. Throws one line naming the option.
 */
export function parseSweep(knob: Knob, text: string): number[] {
  const values = text.split(',').map((part) => part.trim().replace(/_/g, ''));
  for (const value of values) {
    const checked = workerConfigSchema.shape[knob].safeParse(value);
    const { option, values: what } = KNOB_OPTIONS[knob];
    if (!checked.success) throw new Error(`--${option} must be comma-separated ${what} the worker takes, not '${value}' (${checked.error.issues[0]!.message})`);
  }
  return [...new Set(values.map(Number))];
}

/** `u100-c1000`: the knob values as a suffix of a consumer-group name, in KNOBS order; empty for none. */
export function knobsSuffix(knobs: KnobValues): string {
  return KNOBS.filter((k) => knobs[k] !== undefined)
    .map((k) => `${k === 'unitRecords' ? 'u' : 'c'}${knobs[k]}`)
    .join('-');
}

/** `unit 100 records, commit interval 1,000 ms`: the knob values for a report. */
export function describeKnobs(knobs: KnobValues): string {
  const parts: string[] = [];
  if (knobs.unitRecords !== undefined) parts.push(`unit ${knobs.unitRecords.toLocaleString('en-US')} records`);
  if (knobs.commitIntervalMs !== undefined) parts.push(`commit interval ${knobs.commitIntervalMs.toLocaleString('en-US')} ms`);
  return parts.join(', ');
}

/** The environment that gives a process the knob values, by the variable each knob has in that process. */
export function knobsEnv(knobs: KnobValues | undefined, variables: Partial<Record<Knob, string>>): Record<string, string> {
  return Object.fromEntries(KNOBS.filter((k) => knobs?.[k] !== undefined && variables[k]).map((k) => [variables[k]!, String(knobs![k])]));
}
