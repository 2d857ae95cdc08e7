import type { ScalingResult } from './scalingRun.ts';

export const SCALING_START = '<!-- scaling:results:start -->';
export const SCALING_END = '<!-- scaling:results:end -->';

function thousands(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

function cores(value: number | undefined): string {
  return value === undefined ? '–' : value.toFixed(2);
}

/** One row per process count: throughput over the run and once every process was in, its ratio to one process, CPU, and who kept the cores busy. */
export function scalingTable(result: ScalingResult): string {
  const one = result.points.find((p) => p.processes === 1);
  const rows = result.points.map((p) => {
    const c = p.steady?.cores;
    const ratio = one?.steady && p.steady ? (p.steady.eventsPerSecond / one.steady.eventsPerSecond).toFixed(2) : '–';
    return `| ${p.processes} | ${thousands(p.eventsPerSecond)} | ${p.steady ? thousands(p.steady.eventsPerSecond) : '–'} | ${ratio} | ${p.workerCpuSecondsPerMillion.toFixed(1)} | ${cores(c?.machine)} | ${cores(c?.workers)} / ${cores(c?.broker)} / ${cores(c?.redis)} / ${cores(c?.registry)} / ${cores(c?.rest)} | ${p.assignments} |`;
  });
  return [
    '| worker processes | events/s, whole run | events/s, all processes in | × 1 process | worker CPU s / 1M events | machine cores busy (of 2) | of which workers / broker / Redis / registry / rest |  `assigned` lines |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
  ].join('\n');
}

/** The generated block of the "Scaling" section. */
/** `label` leads the block: empty, or `**Provisional** (…). ` for a run on a busy machine. */
export function scalingBlock(result: ScalingResult, command: string, machine: string, when: Date, label: string): string {
  const s = result.settings;
  const notes = result.points.map(
    (p) => `- **${p.processes} process${p.processes > 1 ? 'es' : ''}**: ${thousands(p.records)} orders → ${thousands(p.outputs)} outputs in ${p.seconds.toFixed(1)} s${p.steady ? `, of which the last ${p.steady.seconds.toFixed(1)} s (${thousands(p.steady.outputs)} outputs) with every process in the group` : ''}; exit codes ${p.exitCodes.join(', ')}.`,
  );
  return [
    SCALING_START,
    `${label}Run ${when.toISOString().slice(0, 16).replace('T', ' ')} UTC: \`${command}\``,
    `(${s.workload}: ${thousands(s.records)} orders over ${thousands(s.customers)} customers, preloaded once in ${result.preloadSeconds.toFixed(1)} s).`,
    '',
    `Machine: ${machine}`,
    '',
    scalingTable(result),
    '',
    ...notes,
    SCALING_END,
  ].join('\n');
}
