/**
 * Draws bench/figures/throughput.svg from the benches' JSON: `npx tsx bench/chart.ts
 * --throughput bench/figures/throughput.json [--scaling bench/figures/scaling.json]
 * [--out bench/figures/throughput.svg]`. The JSON files are what `npx tsx bench/main.ts … --json
 * --no-markdown` and `npx tsx bench/scaling.ts … --json` print (see BENCHMARKS.md, "Chart").
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { ScalingResult } from './scaling/scalingRun.ts';
import type { BenchResult } from './throughput/benchRun.ts';
import { scalingPanel, throughputPanel, type WithMachine } from './chart/benchCharts.ts';
import { barChartSvg, type Panel } from './chart/throughputChart.ts';

/** The load averages describeMachine() puts at the end of its line. */
function loadAtStart(machine: string): string {
  return /load average at start ([\d. ]+?)\.?$/.exec(machine)?.[1] ?? 'unknown';
}

function main(): void {
  const { values } = parseArgs({
    options: {
      throughput: { type: 'string' },
      scaling: { type: 'string' },
      out: { type: 'string', default: 'bench/figures/throughput.svg' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (!values.throughput) throw new Error('--throughput <json> is required (npx tsx bench/main.ts … --json --no-markdown > file)');
  const throughput = JSON.parse(readFileSync(values.throughput, 'utf8')) as WithMachine<BenchResult>;
  const scaling = values.scaling ? (JSON.parse(readFileSync(values.scaling, 'utf8')) as WithMachine<ScalingResult>) : undefined;
  const panels: Panel[] = [throughputPanel(throughput), ...(scaling ? [scalingPanel(scaling)] : [])];
  const caption = [
    'Provisional: one shared 2-core machine (Kafka, registry, Redis and other engineers\' tests on the same cores).',
    `Throughput run: ${throughput.settings.records.toLocaleString('en-US')} orders, load average at start ${loadAtStart(throughput.machine)}.`,
    ...(scaling ? [`Scaling run: ${scaling.settings.records.toLocaleString('en-US')} orders, load average at start ${loadAtStart(scaling.machine)}.`] : []),
  ];
  writeFileSync(values.out, barChartSvg('tributary throughput (events/s)', caption, panels));
  process.stderr.write(`wrote ${values.out}\n`);
}

try {
  main();
} catch (error) {
  process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
