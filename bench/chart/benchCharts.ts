import type { ScalingResult } from '../scaling/scalingRun.ts';
import type { BenchResult } from '../throughput/benchRun.ts';
import { familyOf, type Panel } from './throughputChart.ts';

/** What `npm run bench -- --json` and `bench/scaling.ts --json` print: the result and the machine line. */
export type WithMachine<T> = T & { readonly machine: string };

/** Throughput per workload (events/s), each with its ratio to the baseline when the baseline ran. */
export function throughputPanel(result: BenchResult): Panel {
  return {
    title: `Throughput per workload, ${result.settings.records.toLocaleString('en-US')} orders preloaded`,
    unit: 'events/s',
    bars: result.results.map((r) => ({
      label: r.workload,
      value: r.throughput.eventsPerSecond,
      ...(r.ratioToBaseline !== undefined ? { note: `${r.ratioToBaseline.toFixed(2)} × baseline` } : {}),
      family: familyOf(r.workload),
    })),
  };
}

/** Throughput per worker-process count once every process was in (the whole run's when the work ended first). */
export function scalingPanel(result: ScalingResult): Panel {
  return {
    title: `${result.settings.workload} with 1…${Math.max(...result.points.map((p) => p.processes))} worker processes, ${result.settings.records.toLocaleString('en-US')} orders`,
    unit: 'events/s',
    bars: result.points.map((p) => ({
      label: `${p.processes} process${p.processes > 1 ? 'es' : ''}`,
      value: p.steady?.eventsPerSecond ?? p.eventsPerSecond,
      note: p.steady ? `machine ${p.steady.cores.machine.toFixed(1)} of 2 cores busy; whole run ${Math.round(p.eventsPerSecond).toLocaleString('en-US')}` : 'whole run',
      family: 'tributary',
    })),
  };
}
