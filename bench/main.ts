/**
 * Throughput, latency, CPU, memory and Redis commands per workload, against a raw kafkajs
 * loop: `npm run bench -- [--records 1000000] [--saga-orders 50000] [--customers 10000] [--workloads baseline,stateful]
 * [--latency-seconds 20] [--latency-load 0.5] [--json] [--no-markdown] [--provisional] [--cpu-prof-dir dir]
 * [--unit-records 100,500,2000] [--commit-interval-ms 100,1000,5000]`. Needs the local stack (or
 * KAFKA_BROKERS / REDIS_URL / SCHEMA_REGISTRY_URL). Prints a table (or JSON) and writes it into
 * BENCHMARKS.md ("Throughput and latency"). See bench/throughput/ for what is measured.
 *
 * `--unit-records` and `--commit-interval-ms` sweep a worker setting: each workload that takes
 * it runs once per value, the other setting at its default (bench/throughput/benchSweep.ts).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadConnectionConfig } from '../runtime/config.ts';
import { describeMachine } from './support/machine.ts';
import { positiveInt } from './support/positiveInt.ts';
import { PROVISIONAL } from './support/markdownBlock.ts';
import { resultsBlock, resultsTable, withResults, workloadNotes } from './throughput/benchReport.ts';
import { runBench, type BenchSettings } from './throughput/benchRun.ts';
import { parseSweep, type Sweep } from './throughput/benchSweep.ts';
import { kafkaStreamsWorkloads } from './peers/kafkaStreamsPeer.ts';
import { quixWorkloads } from './peers/quixPeer.ts';
import { orderSaga } from './throughput/orderSagaWorkload.ts';
import { baseline, tributaryWorkloads, type Workload } from './throughput/workloads.ts';

const BENCHMARKS = fileURLToPath(new URL('../BENCHMARKS.md', import.meta.url));
const WORKLOADS: readonly Workload[] = [baseline, ...tributaryWorkloads, orderSaga, ...kafkaStreamsWorkloads, ...quixWorkloads];

function settingsFrom(argv: readonly string[]): { settings: BenchSettings; json: boolean; markdown: boolean; provisional: boolean } {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      records: { type: 'string', default: '1000000' },
      'saga-orders': { type: 'string', default: '50000' },
      customers: { type: 'string', default: '10000' },
      'spacing-ms': { type: 'string', default: '10' },
      workloads: { type: 'string', default: WORKLOADS.map((w) => w.name).join(',') },
      'latency-seconds': { type: 'string', default: '20' },
      'latency-load': { type: 'string', default: '0.5' },
      json: { type: 'boolean', default: false },
      'no-markdown': { type: 'boolean', default: false },
      provisional: { type: 'boolean', default: false },
      'cpu-prof-dir': { type: 'string' },
      'unit-records': { type: 'string' },
      'commit-interval-ms': { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  });
  const names = values.workloads.split(',').map((n) => n.trim());
  const workloads = names.map((name) => {
    const found = WORKLOADS.find((w) => w.name === name);
    if (!found) throw new Error(`--workloads: no workload '${name}' (there are ${WORKLOADS.map((w) => w.name).join(', ')})`);
    return found;
  });
  const load = Number(values['latency-load']);
  if (!(load > 0 && load <= 1)) throw new Error(`--latency-load must be in (0, 1], not '${values['latency-load']}'`);
  const latencySeconds = Number(values['latency-seconds']);
  if (!Number.isInteger(latencySeconds) || latencySeconds < 0) throw new Error(`--latency-seconds must be 0 (no latency) or more, not '${values['latency-seconds']}'`);
  const sweep: Sweep = {
    ...(values['unit-records'] !== undefined ? { unitRecords: parseSweep('unitRecords', values['unit-records']) } : {}),
    ...(values['commit-interval-ms'] !== undefined ? { commitIntervalMs: parseSweep('commitIntervalMs', values['commit-interval-ms']) } : {}),
  };
  return {
    settings: {
      records: positiveInt('records', values.records),
      sagaOrders: positiveInt('saga-orders', values['saga-orders']),
      customers: positiveInt('customers', values.customers),
      spacingMs: positiveInt('spacing-ms', values['spacing-ms']),
      latencySeconds,
      latencyLoad: load,
      // The baseline first: the ratios need it, and it sees the broker's caches as cold as the others do.
      workloads: WORKLOADS.filter((w) => workloads.includes(w)),
      ...(values['cpu-prof-dir'] ? { cpuProfileDir: path.resolve(values['cpu-prof-dir']) } : {}),
      ...(Object.keys(sweep).length ? { sweep } : {}),
    },
    json: values.json,
    markdown: !values['no-markdown'],
    provisional: values.provisional,
  };
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const { settings, json, markdown, provisional } = settingsFrom(argv);
  const command = ['npm run bench --', ...argv].join(' ');
  const machine = describeMachine();
  const progress = (line: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);
  progress(machine);
  const result = await runBench(settings, loadConnectionConfig(), progress);
  process.stdout.write(json ? `${JSON.stringify({ machine, ...result }, null, 2)}\n` : `\n${resultsTable(result)}\n\n${workloadNotes(result)}\n`);
  if (markdown) {
    const label = provisional ? PROVISIONAL : '';
    const existing = existsSync(BENCHMARKS) ? readFileSync(BENCHMARKS, 'utf8') : '# Benchmarks\n';
    writeFileSync(BENCHMARKS, withResults(existing, resultsBlock(result, command, machine, new Date(), label), '## Throughput and latency'));
    progress(`wrote ${BENCHMARKS}`);
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
