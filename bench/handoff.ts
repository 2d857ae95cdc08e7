/**
 * Partition handoff time vs state size: `npx tsx bench/handoff.ts [--keys 1000,1000000]
 * [--rounds 3] [--rate 200] [--guarantee at_least_once[,exactly_once]] [--session-timeout-ms ms]
 * [--chunk 5000] [--settle-ms 3000] [--log-dir dir] [--no-markdown]`.
 * Needs the local stack (or KAFKA_BROKERS / REDIS_URL / SCHEMA_REGISTRY_URL). Prints the
 * figures and writes them into BENCHMARKS.md ("Partition handoff"). See
 * bench/handoff/handoffReport.ts for what is measured.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadConnectionConfig } from '../runtime/config.ts';
import { describeMachine } from './support/machine.ts';
import { positiveInt } from './support/positiveInt.ts';
import { runMain } from './support/runMain.ts';
import { breakdownTable, figuresTable, resultsBlock, runNotes, withResults } from './handoff/handoffReport.ts';
import { runHandoff, type HandoffResult, type HandoffSettings } from './handoff/handoffRun.ts';

const BENCHMARKS = fileURLToPath(new URL('../BENCHMARKS.md', import.meta.url));

type Guarantee = HandoffSettings['guarantee'];

function settingsFrom(argv: readonly string[]): { sizes: number[]; guarantees: Guarantee[]; base: Omit<HandoffSettings, 'keys' | 'guarantee'>; write: boolean } {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      keys: { type: 'string', default: '1000,1000000' },
      rounds: { type: 'string', default: '3' },
      rate: { type: 'string', default: '200' },
      guarantee: { type: 'string', default: 'at_least_once' },
      'session-timeout-ms': { type: 'string' },
      chunk: { type: 'string', default: '5000' },
      'settle-ms': { type: 'string', default: '3000' },
      'no-markdown': { type: 'boolean', default: false },
      'log-dir': { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  });
  const guarantees = values.guarantee.split(',').map((g) => g.trim());
  for (const g of guarantees) if (g !== 'at_least_once' && g !== 'exactly_once') throw new Error(`--guarantee must list at_least_once or exactly_once, not '${g}'`);
  return {
    sizes: values.keys.split(',').map((k) => positiveInt('keys', k.trim())),
    guarantees: guarantees as Guarantee[],
    base: {
      rounds: positiveInt('rounds', values.rounds),
      rate: positiveInt('rate', values.rate),
      sessionTimeoutMs: values['session-timeout-ms'] === undefined ? undefined : positiveInt('session-timeout-ms', values['session-timeout-ms']),
      chunk: positiveInt('chunk', values.chunk),
      settleMs: positiveInt('settle-ms', values['settle-ms']),
      logDir: values['log-dir'],
    },
    write: !values['no-markdown'],
  };
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const { sizes, guarantees, base, write } = settingsFrom(argv);
  const command = ['npx tsx bench/handoff.ts', ...argv].join(' ');
  const machineNotes = describeMachine();
  const connection = loadConnectionConfig();
  const progress = (line: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);
  progress(machineNotes);
  const results: HandoffResult[] = [];
  for (const guarantee of guarantees) {
    for (const keys of sizes) {
      // The stack is shared: one retry when a run fails for something outside it (a topic the broker lost track of).
      for (let attempt = 1; ; attempt++) {
        progress(`--- ${keys} keys, ${guarantee}${attempt > 1 ? `, attempt ${attempt}` : ''}`);
        try {
          const result = await runHandoff({ ...base, keys, guarantee }, connection, progress);
          results.push(result);
          progress(`\n${figuresTable([result])}`);
          break;
        } catch (error) {
          if (attempt >= 2) throw error;
          progress(`run failed, retrying once: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
    }
  }
  process.stdout.write(`\nPartition handoff (median / max, ms)\n\n${figuresTable(results)}\n\nWhere the time goes (medians, ms)\n\n${breakdownTable(results)}\n\n${runNotes(results)}\n`);
  if (write) {
    const existing = existsSync(BENCHMARKS) ? readFileSync(BENCHMARKS, 'utf8') : '';
    writeFileSync(BENCHMARKS, withResults(existing, resultsBlock(results, command, machineNotes, new Date())));
    process.stdout.write(`\nwrote ${BENCHMARKS}\n`);
  }
}

runMain(main);
