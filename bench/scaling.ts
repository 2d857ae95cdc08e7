/**
 * Throughput of one tributary workload with 1, 2, 3 worker processes on the same data:
 * `npx tsx bench/scaling.ts [--records 100000] [--customers 10000] [--processes 1,2,3]
 * [--workload stateful] [--json] [--no-markdown] [--provisional]`. Needs the local stack (or KAFKA_BROKERS /
 * REDIS_URL / SCHEMA_REGISTRY_URL). Prints a table (or JSON) and writes it into BENCHMARKS.md
 * ("Scaling"). See bench/scaling/scalingRun.ts for what is measured.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadConnectionConfig } from '../runtime/config.ts';
import { PROVISIONAL, replaceBlock } from './support/markdownBlock.ts';
import { describeMachine } from './support/machine.ts';
import { positiveInt } from './support/positiveInt.ts';
import { runMain } from './support/runMain.ts';
import { SCALING_END, SCALING_START, scalingBlock, scalingTable } from './scaling/scalingReport.ts';
import { runScaling } from './scaling/scalingRun.ts';
import { tributaryWorkloads } from './throughput/workloads.ts';

const BENCHMARKS = fileURLToPath(new URL('../BENCHMARKS.md', import.meta.url));

function settingsFrom(argv: readonly string[]) {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      records: { type: 'string', default: '100000' },
      customers: { type: 'string', default: '10000' },
      'spacing-ms': { type: 'string', default: '10' },
      processes: { type: 'string', default: '1,2,3' },
      workload: { type: 'string', default: 'stateful' },
      json: { type: 'boolean', default: false },
      'no-markdown': { type: 'boolean', default: false },
      provisional: { type: 'boolean', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  const workload = tributaryWorkloads.find((w) => w.name === values.workload);
  if (!workload) throw new Error(`--workload: no tributary workload '${values.workload}' (there are ${tributaryWorkloads.map((w) => w.name).join(', ')})`);
  return {
    settings: {
      records: positiveInt('records', values.records),
      customers: positiveInt('customers', values.customers),
      spacingMs: positiveInt('spacing-ms', values['spacing-ms']),
      processCounts: values.processes.split(',').map((p) => positiveInt('processes', p.trim())),
      workload,
    },
    json: values.json,
    markdown: !values['no-markdown'],
    provisional: values.provisional,
  };
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const { settings, json, markdown, provisional } = settingsFrom(argv);
  const command = ['npx tsx bench/scaling.ts', ...argv].join(' ');
  const machine = describeMachine();
  const progress = (line: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);
  progress(machine);
  const result = await runScaling(settings, loadConnectionConfig(), progress);
  process.stdout.write(json ? `${JSON.stringify({ machine, ...result }, null, 2)}\n` : `\n${scalingTable(result)}\n`);
  if (markdown) {
    const existing = existsSync(BENCHMARKS) ? readFileSync(BENCHMARKS, 'utf8') : '# Benchmarks\n';
    writeFileSync(BENCHMARKS, replaceBlock(existing, SCALING_START, SCALING_END, scalingBlock(result, command, machine, new Date(), provisional ? PROVISIONAL : ''), '## Scaling'));
    progress(`wrote ${BENCHMARKS}`);
  }
}

runMain(main);
