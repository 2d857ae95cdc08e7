import type { BenchResult, WorkloadResult } from './benchRun.ts';
import { describeKnobs, KNOBS, type Knob } from './benchSweep.ts';

export const RESULTS_START = '<!-- throughput:results:start -->';
export const RESULTS_END = '<!-- throughput:results:end -->';

function fixed(value: number | undefined, digits: number): string {
  return value === undefined || Number.isNaN(value) ? '–' : value.toFixed(digits);
}

function thousands(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

const KNOB_COLUMNS: Readonly<Record<Knob, string>> = { unitRecords: 'unit (records)', commitIntervalMs: 'commit interval (ms)' };

/** The knobs some run of a sweep was started with, in KNOBS order (none without a sweep). */
function knobsShown(result: BenchResult): Knob[] {
  return KNOBS.filter((k) => result.results.some((r) => r.knobs?.[k] !== undefined));
}

/**
 * One row per workload (per run of it, in a sweep): throughput, its ratio to the baseline, CPU,
 * memory, Redis, latency. A sweep adds a column per knob after the workload's name, `–` where the
 * workload does not take it (the baseline has no commit interval; the peers have no unit).
 */
export function resultsTable(result: BenchResult): string {
  const knobs = knobsShown(result);
  const rows = result.results.map((r) => {
    const t = r.throughput;
    const l = r.latency;
    const settings = knobs.map((k) => ` ${r.knobs?.[k] === undefined ? '–' : thousands(r.knobs[k])} |`).join('');
    return `| ${r.workload} |${settings} ${thousands(t.eventsPerSecond)} | ${fixed(r.ratioToBaseline, 2)} | ${fixed(t.cpuSecondsPerMillion, 1)} | ${(t.peakRssBytes / 2 ** 20).toFixed(0)} | ${fixed(t.redisCommandsPerEvent, 3)} | ${l ? thousands(l.rate) : '–'} | ${l ? `${l.p50Ms} / ${l.p99Ms}` : '–'} |`;
  });
  return [
    `| workload |${knobs.map((k) => ` ${KNOB_COLUMNS[k]} |`).join('')} events/s | × baseline | CPU s / 1M events | peak RSS (MB) | Redis commands / event | latency load (events/s) | latency p50 / p99 (ms) |`,
    `| --- |${knobs.map(() => ' ---: |').join('')} ---: | ---: | ---: | ---: | ---: | ---: | ---: |`,
    ...rows,
  ].join('\n');
}

/** ` (unit 100 records, commit interval 1,000 ms)` for a run of a sweep, nothing otherwise. */
function runSettings(r: WorkloadResult): string {
  const described = r.knobs ? describeKnobs(r.knobs) : '';
  return described ? ` (${described})` : '';
}

/** What each workload does, and what it did besides the figures (outputs, the Redis commands behind the figure, exit code). */
export function workloadNotes(result: BenchResult): string {
  return result.results
    .map((r) => {
      const t = r.throughput;
      const commands = t.redisCommands.slice(0, 4).map(([c, n]) => `${c} ${n.toFixed(3)}`).join(', ');
      const rewrites = t.redisAofRewrites > 0 ? `; Redis rewrote its append-only file ${t.redisAofRewrites} time(s) meanwhile` : '';
      return `- **${r.workload}**${runSettings(r)}: ${r.what}. ${thousands(t.records)} orders → ${thousands(t.outputs)} outputs in ${t.seconds.toFixed(1)} s; Redis per event: ${commands || 'none'}${rewrites}; exit code ${t.exitCode}${r.latency ? `; latency over ${thousands(r.latency.samples)} outputs, max ${r.latency.maxMs} ms` : ''}.`;
    })
    .join('\n');
}

/** The block BENCHMARKS.md keeps between the markers: how the figures were made, then the figures. */
export function resultsBlock(result: BenchResult, command: string, machine: string, when: Date, label: string): string {
  const s = result.settings;
  const fewer = result.results.filter((r) => r.throughput.records !== s.records).map((r) => `${r.workload} the first ${thousands(r.throughput.records)}`);
  return [
    RESULTS_START,
    `${label}Run ${when.toISOString().slice(0, 16).replace('T', ' ')} UTC: \`${command}\``,
    `(${thousands(s.records)} orders over ${thousands(s.customers)} customers${fewer.length ? ` (${[...new Set(fewer)].join(', ')})` : ''}, preloaded in ${result.preloadSeconds.toFixed(1)} s; latency: ${s.latencySeconds ? `${s.latencySeconds} s at ${Math.round(s.latencyLoad * 100)}% of each workload's own rate, the first quarter left out` : 'not measured'}).`,
    '',
    `Machine: ${machine}`,
    '',
    resultsTable(result),
    '',
    workloadNotes(result),
    RESULTS_END,
  ].join('\n');
}

/** `markdown` with the block between the markers replaced, or the block appended under `heading` when there is none yet. */
export function withResults(markdown: string, block: string, heading: string): string {
  const start = markdown.indexOf(RESULTS_START);
  const end = markdown.indexOf(RESULTS_END);
  if (start >= 0 && end > start) return markdown.slice(0, start) + block + markdown.slice(end + RESULTS_END.length);
  return `${markdown.trimEnd()}\n\n${heading}\n\n${block}\n`;
}
