/**
 * Draws bench/figures/throughput.svg from the benches' JSON: `npx tsx bench/chart.ts
 * [--throughput bench/figures/throughput.json] [--scaling bench/figures/scaling.json]
 * [--sweep bench/figures/sweep.json] [--out bench/figures/throughput.svg]`, at least one of the
 * first three. The JSON files are what `npx tsx bench/main.ts … --json --no-markdown` (with
 * `--unit-records` / `--commit-interval-ms` for the sweep) and `npx tsx bench/scaling.ts … --json`
 * print (see BENCHMARKS.md, "Chart").
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { ScalingResult } from './scaling/scalingRun.ts';
import type { BenchResult } from './throughput/benchRun.ts';
import { scalingPanel, sweepPanels, throughputPanel, type WithMachine } from './chart/benchCharts.ts';
import { chartSvg, type Panel } from './chart/throughputChart.ts';

/** The load averages describeMachine() puts at the end of its line. */
function loadAtStart(machine: string): string {
  return /load average at start ([\d. ]+?)\.?$/.exec(machine)?.[1] ?? 'unknown';
}

function main(): void {
  const { values } = parseArgs({
    options: {
      throughput: { type: 'string' },
      scaling: { type: 'string' },
      sweep: { type: 'string' },
      out: { type: 'string', default: 'bench/figures/throughput.svg' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (!values.throughput && !values.scaling && !values.sweep) throw new Error('--throughput, --scaling or --sweep <json> is required (npx tsx bench/main.ts … --json --no-markdown > file)');
  const read = <T>(file: string | undefined) => (file ? (JSON.parse(readFileSync(file, 'utf8')) as WithMachine<T>) : undefined);
  const throughput = read<BenchResult>(values.throughput);
  const scaling = read<ScalingResult>(values.scaling);
  const sweep = read<BenchResult>(values.sweep);
  if (sweep && !sweep.settings.sweep) throw new Error(`--sweep: ${values.sweep} is a run without --unit-records or --commit-interval-ms; pass it as --throughput`);
  const panels: Panel[] = [...(throughput ? [throughputPanel(throughput)] : []), ...(scaling ? [scalingPanel(scaling)] : []), ...(sweep ? sweepPanels(sweep) : [])];
  const caption = [
    'One 2-core machine, Kafka, the registry and Redis on the same cores as the workloads.',
    ...(throughput ? [`Throughput run: ${throughput.settings.records.toLocaleString('en-US')} orders, load average at start ${loadAtStart(throughput.machine)}.`] : []),
    ...(scaling ? [`Scaling run: ${scaling.settings.records.toLocaleString('en-US')} orders, load average at start ${loadAtStart(scaling.machine)}.`] : []),
    ...(sweep ? [`Sweep run: ${sweep.settings.records.toLocaleString('en-US')} orders, each point one run, load average at start ${loadAtStart(sweep.machine)}.`] : []),
  ];
  writeFileSync(values.out, chartSvg('tributary throughput (events/s)', caption, panels));
  process.stderr.write(`wrote ${values.out}\n`);
}

try {
  main();
} catch (error) {
  process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
