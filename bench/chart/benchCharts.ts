import type { ScalingResult } from '../scaling/scalingRun.ts';
import type { BenchResult, WorkloadResult } from '../throughput/benchRun.ts';
import { describeKnobs, KNOB_DEFAULTS, KNOBS, type Knob } from '../throughput/benchSweep.ts';
import { familyOf, type BarPanel, type LinePanel, type Series } from './throughputChart.ts';

/** What `npm run bench -- --json` and `bench/scaling.ts --json` print: the result and the machine line. */
export type WithMachine<T> = T & { readonly machine: string };

/** `stateful, unit 100, 1,000 ms`: a run of a sweep in a bar's label; the workload alone otherwise. */
function runLabel(r: WorkloadResult): string {
  const parts = [r.workload];
  if (r.knobs?.unitRecords !== undefined) parts.push(`unit ${r.knobs.unitRecords.toLocaleString('en-US')}`);
  if (r.knobs?.commitIntervalMs !== undefined) parts.push(`${r.knobs.commitIntervalMs.toLocaleString('en-US')} ms`);
  return parts.join(', ');
}

/** Throughput per workload (events/s, per run of it in a sweep), each with its ratio to the baseline when the baseline ran. */
export function throughputPanel(result: BenchResult): BarPanel {
  return {
    title: `Throughput per workload, ${result.settings.records.toLocaleString('en-US')} orders preloaded`,
    unit: 'events/s',
    bars: result.results.map((r) => ({
      label: runLabel(r),
      value: r.throughput.eventsPerSecond,
      ...(r.ratioToBaseline !== undefined ? { note: `${r.ratioToBaseline.toFixed(2)} × baseline` } : {}),
      family: familyOf(r.workload),
    })),
  };
}

/** Throughput per worker-process count once every process was in (the whole run's when the work ended first). */
export function scalingPanel(result: ScalingResult): BarPanel {
  return {
    title: `${result.settings.workload} with 1…${Math.max(...result.points.map((p) => p.processes))} worker processes, ${result.settings.records.toLocaleString('en-US')} orders`,
    unit: 'events/s',
    bars: result.points.map((p) => ({
      label: `${p.processes} process${p.processes > 1 ? 'es' : ''}`,
      value: p.steady?.eventsPerSecond ?? p.eventsPerSecond,
      note: p.steady ? `${p.steady.cores.machine.toFixed(1)} of 2 cores busy` : 'whole run',
      family: 'tributary',
    })),
  };
}

const SWEPT: Readonly<Record<Knob, { readonly title: string; readonly xLabel: string }>> = {
  unitRecords: { title: 'unit size', xLabel: 'records per unit (one state load, one Redis commit, one send; log scale)' },
  commitIntervalMs: { title: 'commit interval', xLabel: 'commit interval (ms; log scale)' },
};

/**
 * One panel per knob the bench swept (`npm run bench -- --unit-records … --commit-interval-ms …
 * --json`): events/s against the knob's value, one line per workload that takes it, through its
 * runs with every other knob at its default. The note says what is held fixed and which
 * workloads are not drawn because they have no such setting.
 */
export function sweepPanels(result: BenchResult): LinePanel[] {
  const sweep = result.settings.sweep ?? {};
  return KNOBS.filter((knob) => sweep[knob]?.length).map((knob) => {
    const names = [...new Set(result.results.map((r) => r.workload))];
    const series: Series[] = [];
    const without: string[] = [];
    for (const name of names) {
      const runs = result.results.filter((r) => r.workload === name);
      if (!runs.some((r) => r.knobs?.[knob] !== undefined)) {
        without.push(name);
        continue;
      }
      const onCurve = runs.filter((r) => r.knobs?.[knob] !== undefined && KNOBS.every((k) => k === knob || r.knobs?.[k] === undefined || r.knobs[k] === KNOB_DEFAULTS[k]));
      series.push({ label: name, family: familyOf(name), points: onCurve.map((r) => ({ x: r.knobs![knob]!, y: r.throughput.eventsPerSecond })).sort((a, b) => a.x - b.x) });
    }
    const fixed = describeKnobs(Object.fromEntries(KNOBS.filter((k) => k !== knob).map((k) => [k, KNOB_DEFAULTS[k]])));
    const note = [`Other settings at the worker's defaults (${fixed}).`, ...(without.length ? [`Not drawn, no ${SWEPT[knob].title} setting: ${without.join(', ')}.`] : [])];
    return {
      title: `Throughput against ${SWEPT[knob].title}, ${result.settings.records.toLocaleString('en-US')} orders preloaded`,
      note: note.join(' '),
      unit: 'events/s',
      xLabel: SWEPT[knob].xLabel,
      series,
    };
  });
}
