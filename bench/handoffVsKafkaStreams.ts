/**
 * Partition handoff vs state size, tributary beside Kafka Streams: `npx tsx
 * bench/handoffVsKafkaStreams.ts [--keys 1000,100000,1000000] [--systems tributary,kafka-streams]
 * [--rounds 1] [--rate 200] [--settle-ms 3000] [--log-dir dir] [--no-markdown] [--provisional]`.
 * For each size: tributary's handoff bench (bench/handoff/handoffRun.ts, at_least_once) and
 * Kafka Streams' restore of the same state (bench/handoff/kafkaStreamsRestore.ts; the Java peer
 * is built with Maven on first use). Prints one table and writes it into BENCHMARKS.md
 * ("Partition handoff"). Needs the local stack (or KAFKA_BROKERS / REDIS_URL / SCHEMA_REGISTRY_URL).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadConnectionConfig } from '../runtime/config.ts';
import { runHandoff } from './handoff/handoffRun.ts';
import { runKafkaStreamsRestore } from './handoff/kafkaStreamsRestore.ts';
import { COMPARISON_END, COMPARISON_START, comparisonBlock, comparisonNotes, comparisonTable, type SizeComparison } from './handoff/restoreComparisonReport.ts';
import { kafkaStreamsClasspath } from './peers/kafkaStreamsPeer.ts';
import { describeMachine } from './support/machine.ts';
import { PROVISIONAL, replaceBlock } from './support/markdownBlock.ts';
import { positiveInt } from './support/positiveInt.ts';
import { runMain } from './support/runMain.ts';

const BENCHMARKS = fileURLToPath(new URL('../BENCHMARKS.md', import.meta.url));
const SYSTEMS = ['tributary', 'kafka-streams'] as const;

function settingsFrom(argv: readonly string[]) {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      keys: { type: 'string', default: '1000,100000,1000000' },
      systems: { type: 'string', default: SYSTEMS.join(',') },
      rounds: { type: 'string', default: '1' },
      rate: { type: 'string', default: '200' },
      'settle-ms': { type: 'string', default: '3000' },
      'log-dir': { type: 'string' },
      'no-markdown': { type: 'boolean', default: false },
      provisional: { type: 'boolean', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  const systems = values.systems.split(',').map((s) => s.trim());
  for (const s of systems) if (!(SYSTEMS as readonly string[]).includes(s)) throw new Error(`--systems must list ${SYSTEMS.join(' or ')}, not '${s}'`);
  return {
    sizes: values.keys.split(',').map((k) => positiveInt('keys', k.trim())),
    systems,
    rounds: positiveInt('rounds', values.rounds),
    rate: positiveInt('rate', values.rate),
    settleMs: positiveInt('settle-ms', values['settle-ms']),
    logDir: values['log-dir'],
    write: !values['no-markdown'],
    provisional: values.provisional,
  };
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const s = settingsFrom(argv);
  const command = ['npx tsx bench/handoffVsKafkaStreams.ts', ...argv].join(' ');
  const machine = describeMachine();
  const connection = loadConnectionConfig();
  const progress = (line: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);
  progress(machine);
  const classpath = s.systems.includes('kafka-streams') ? await kafkaStreamsClasspath(progress) : undefined;
  const sizes: SizeComparison[] = [];
  for (const keys of s.sizes) {
    progress(`--- ${keys} keys`);
    const tributary = s.systems.includes('tributary')
      ? await runHandoff({ keys, rounds: s.rounds, rate: s.rate, guarantee: 'at_least_once', sessionTimeoutMs: undefined, chunk: 5000, settleMs: s.settleMs, logDir: s.logDir }, connection, progress)
      : undefined;
    const kafkaStreams = classpath ? await runKafkaStreamsRestore({ keys, rate: s.rate, settleMs: s.settleMs, logDir: s.logDir }, classpath, connection, progress) : undefined;
    sizes.push({ keys, tributary, kafkaStreams });
    progress(`\n${comparisonTable(sizes.slice(-1))}`);
  }
  process.stdout.write(`\n${comparisonTable(sizes)}\n\n${comparisonNotes(sizes)}\n`);
  if (s.write) {
    const existing = existsSync(BENCHMARKS) ? readFileSync(BENCHMARKS, 'utf8') : '# Benchmarks\n';
    writeFileSync(BENCHMARKS, replaceBlock(existing, COMPARISON_START, COMPARISON_END, comparisonBlock(sizes, command, machine, new Date(), s.provisional ? PROVISIONAL : ''), '## Partition handoff'));
    progress(`wrote ${BENCHMARKS}`);
  }
}

runMain(main);
