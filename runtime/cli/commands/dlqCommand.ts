import { Command } from 'commander';
import { ConfigError } from '../../errors.ts';
import { createLogger } from '../../logger.ts';
import type { DeadLetter } from '../../deadLetters/deadLetter.ts';
import { connectDeadLetterKafka, type DeadLetterKafka } from '../../deadLetters/deadLetterKafka.ts';
import { readDeadLetters } from '../../deadLetters/readDeadLetters.ts';
import { replayDeadLetters, type Replay, type ReplayReport } from '../../deadLetters/replayDeadLetters.ts';
import { loadWorkerConfig } from '../../worker/workerConfig.ts';

interface ConnectionOptions {
  brokers?: string;
  deadLetterTopic?: string;
}

const TOPIC_ARGUMENT = 'the topic whose dead letters to read (reads <topic>.dlq, or as --dead-letter-topic says), or a dead-letter topic';
const DEAD_LETTER_TOPIC_OPTION = [
  '--dead-letter-topic <pattern>',
  "the workers' --dead-letter-topic: a topic, {topic} standing for the input's; default {topic}.dlq (env TRIBUTARY_DEAD_LETTER_TOPIC)",
] as const;

/**
 * `tributary dlq list|replay <topic>`: the records workers dead-lettered (unreadable, or whose
 * processing failed), and copying them back to their topics once the cause is fixed.
 */
export function dlqCommand(): Command {
  const dlq = new Command('dlq').description('list and replay dead letters: records a worker could not read or process, kept in <topic>.dlq or as --dead-letter-topic says');

  dlq
    .command('list')
    .description('print the dead letters of a topic, oldest first per partition (reads without moving any consumer group)')
    .argument('<topic>', TOPIC_ARGUMENT)
    .option('--limit <n>', 'print at most n dead letters')
    .option('--json', 'print a JSON array for scripts')
    .option('--brokers <list>', 'Kafka bootstrap brokers, host:port,… (env KAFKA_BROKERS)')
    .option(...DEAD_LETTER_TOPIC_OPTION)
    .action(async (topic: string, options: ConnectionOptions & { limit?: string; json?: boolean }) => {
      const limit = options.limit === undefined ? undefined : positiveInteger('--limit', options.limit);
      const listing = await withKafka(options, (client, deadLetterTopic) => readDeadLetters(client, topic, { deadLetterTopic, ...(limit === undefined ? {} : { limit }) }));
      if (options.json) return print(JSON.stringify(listing.letters.map(toJson), null, 2));
      if (!listing.letters.length) return print(`no dead letters in ${listing.topic}`);
      printTable(listing.letters.map(listRow));
    });

  dlq
    .command('replay')
    .summary('copy dead letters back to their original topics, for a fixed worker to process again')
    .description(
      "copy dead letters' original key, value and headers back to their original topic and partition (or --to), for a fixed worker to process again; " +
        'progress is committed to the consumer group tributary-dlq-replay-<dlq topic> (…:<code> with --filter-code), so a second replay takes only new dead letters',
    )
    .argument('<topic>', TOPIC_ARGUMENT)
    .option('--to <topic>', 'write to this topic instead (partitioned by key)')
    .option('--filter-code <code>', 'only dead letters with this error code (e.g. NOT_FRAMED, PROCESSING); the others stay for a later replay')
    .option('--dry-run', 'print what would be replayed; write and commit nothing')
    .option('--brokers <list>', 'Kafka bootstrap brokers, host:port,… (env KAFKA_BROKERS)')
    .option(...DEAD_LETTER_TOPIC_OPTION)
    .action(async (topic: string, options: ConnectionOptions & { to?: string; filterCode?: string; dryRun?: boolean }) => {
      if (options.to !== undefined && !/^[A-Za-z0-9._-]+$/.test(options.to)) throw new ConfigError(`--to must be a topic name (letters, digits, . _ -), not '${options.to}'`);
      if (options.filterCode !== undefined && !/^[A-Za-z0-9._-]+$/.test(options.filterCode)) throw new ConfigError(`--filter-code must be an error code such as NOT_FRAMED, not '${options.filterCode}'`);
      const planned: Replay[] = [];
      const report = await withKafka(options, (client, deadLetterTopic) =>
        replayDeadLetters(client, topic, {
          deadLetterTopic,
          ...(options.to === undefined ? {} : { to: options.to }),
          ...(options.filterCode === undefined ? {} : { filterCode: options.filterCode }),
          dryRun: Boolean(options.dryRun),
          onReplayed: (replay) => {
            if (options.dryRun) planned.push(replay);
          },
        }),
      );
      planned.sort((a, b) => a.letter.dlqPartition - b.letter.dlqPartition || Number(a.letter.dlqOffset) - Number(b.letter.dlqOffset));
      printTable(planned.map(replayRow));
      print(summary(report, Boolean(options.dryRun)));
    });

  return dlq;
}

/** Runs `work` with a connected client and the dead-letter topic pattern, both from flags, then the environment. */
async function withKafka<T>(options: ConnectionOptions, work: (client: DeadLetterKafka, deadLetterTopic: string) => Promise<T>): Promise<T> {
  const config = loadWorkerConfig('tributary-dlq', { brokers: options.brokers?.split(',').map((b) => b.trim()), deadLetterTopic: options.deadLetterTopic });
  const client = await connectDeadLetterKafka(config, createLogger(process.env.TRIBUTARY_LOG_LEVEL ?? 'warn'));
  try {
    return await work(client, config.deadLetterTopic);
  } finally {
    await client.close();
  }
}

function positiveInteger(flag: string, text: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1) throw new ConfigError(`${flag} must be a positive integer, not '${text}'`);
  return Number(text);
}

function origin(letter: DeadLetter): string {
  return letter.info ? `${letter.info.topic}[${letter.info.partition}]@${letter.info.offset}` : `${letter.dlqTopic}[${letter.dlqPartition}]@${letter.dlqOffset}`;
}

function listRow(letter: DeadLetter): string[] {
  const { info } = letter;
  if (!info) return [origin(letter), '-', '-', 'not a dead letter: no tributary.dlq.* headers'];
  return [origin(letter), info.errorCode, info.errorClass, info.errorMessage, `failed at ${isoTime(info.failedAt)}`];
}

function replayRow({ letter, topic, partition }: Replay): string[] {
  return ['would replay', origin(letter), letter.info.errorCode, `→ ${topic}${partition === undefined ? '' : `[${partition}]`}`, `(from ${letter.dlqTopic}[${letter.dlqPartition}]@${letter.dlqOffset})`];
}

function summary(report: ReplayReport, dryRun: boolean): string {
  const n = report.replayed;
  const to = report.topics.length ? ` to ${report.topics.join(', ')}` : '';
  const notes = [
    report.otherCodes ? `${report.otherCodes} with other codes left for later` : '',
    report.notDeadLetters ? `${report.notDeadLetters} without tributary.dlq.* headers skipped` : '',
  ].filter(Boolean);
  return `${dryRun ? 'would replay' : 'replayed'} ${n} dead letter${n === 1 ? '' : 's'} from ${report.dlqTopic}${to}${notes.length ? ` (${notes.join('; ')})` : ''}`;
}

function toJson(letter: DeadLetter) {
  const { info } = letter;
  return {
    topic: info?.topic ?? null,
    partition: info?.partition ?? null,
    offset: info ? Number(info.offset) : null,
    errorCode: info?.errorCode ?? null,
    errorClass: info?.errorClass ?? null,
    errorMessage: info?.errorMessage ?? null,
    failedAt: info ? isoTime(info.failedAt) : null,
    timestamp: isoTime(Number(info?.timestamp ?? letter.timestamp)),
    key: letter.key?.toString('base64') ?? null,
    dlq: { topic: letter.dlqTopic, partition: letter.dlqPartition, offset: Number(letter.dlqOffset) },
  };
}

function isoTime(ms: number): string {
  return Number.isFinite(ms) ? new Date(ms).toISOString() : String(ms);
}

/** Columns padded to their widest cell; the last column is not padded. */
function printTable(rows: readonly string[][]): void {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  for (const row of rows) print(row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  '));
}

function print(line: string): void {
  process.stdout.write(line + '\n');
}
