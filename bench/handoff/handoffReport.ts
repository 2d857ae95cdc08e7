import { heartbeatIntervalMs } from '../../runtime/worker/workerConfig.ts';
import type { HandoffResult } from './handoffRun.ts';
import type { Move, MoveKind } from './handoffMoves.ts';

export const RESULTS_START = '<!-- handoff:results:start -->';
export const RESULTS_END = '<!-- handoff:results:end -->';
const SECTION = '## Partition handoff';

/** Median (mean of the middle two for an even count) and max; undefined for no samples. */
export function summary(samples: ReadonlyArray<number | undefined>): { median: number; max: number; n: number } | undefined {
  const values = samples.filter((v): v is number => v !== undefined).sort((a, b) => a - b);
  if (!values.length) return undefined;
  const mid = Math.floor(values.length / 2);
  const median = values.length % 2 ? values[mid]! : (values[mid - 1]! + values[mid]!) / 2;
  return { median, max: values.at(-1)!, n: values.length };
}

function ms(value: number | undefined): string {
  return value === undefined ? '–' : String(Math.round(value));
}

function pair(samples: ReadonlyArray<number | undefined>): string {
  const s = summary(samples);
  return s ? `${ms(s.median)} / ${ms(s.max)}` : '–';
}

/** Median / max with a decimal: the direct Redis timings are around a millisecond. */
function pairFine(samples: readonly number[]): string {
  const s = summary(samples);
  return s ? `${s.median.toFixed(1)} / ${s.max.toFixed(1)}` : '–';
}

function med(samples: ReadonlyArray<number | undefined>): string {
  return ms(summary(samples)?.median);
}

const KINDS: readonly MoveKind[] = ['scale-out', 'shutdown'];

interface Row {
  readonly label: string;
  readonly kind: MoveKind;
  readonly moves: Move[];
  readonly result: HandoffResult;
}

function rows(results: readonly HandoffResult[]): Row[] {
  return results.flatMap((result) =>
    KINDS.map((kind) => ({
      label: `${result.settings.keys.toLocaleString('en-US')} | ${result.settings.guarantee}`,
      kind,
      moves: result.moves.filter((m) => m.kind === kind),
      result,
    })),
  );
}

/** The main figures as a Markdown table (median / max, ms). */
export function figuresTable(results: readonly HandoffResult[]): string {
  const lines = [
    '| state keys | guarantee | move | tasks moved | closed → claimed (ms) | claimMs | closed → first record (ms) |',
    '| ---: | --- | --- | ---: | ---: | ---: | ---: |',
  ];
  for (const { label, kind, moves } of rows(results)) {
    lines.push(
      `| ${label} | ${kind} | ${moves.length} | ${pair(moves.map((m) => m.closedToClaimed))} | ${pair(moves.map((m) => m.claimMs))} | ${pair(moves.map((m) => m.closedToFirstRecord))} |`,
    );
  }
  return lines.join('\n');
}

/** Where the time between the old owner's close and the new owner's first record goes (medians, ms). */
export function breakdownTable(results: readonly HandoffResult[]): string {
  const lines = [
    '| state keys | guarantee | move | SIGTERM → old owner closed | closed → new owner assigned (group protocol) | claimMs | of which Redis (timed directly, median / max) | claimed → first record (fetch) |',
    '| ---: | --- | --- | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const { label, kind, moves, result } of rows(results)) {
    lines.push(
      `| ${label} | ${kind} | ${kind === 'shutdown' ? med(moves.map((m) => m.signalToClosed)) : '–'} | ${med(moves.map((m) => m.closedToAssigned))} | ${med(moves.map((m) => m.claimMs))} | ${pairFine(result.redisClaimMs)} | ${med(moves.map((m) => m.claimedToFirstRecord))} |`,
    );
  }
  return lines.join('\n');
}

/** Per state size: the fill, the checks, and what the workers complained about. */
export function runNotes(results: readonly HandoffResult[]): string {
  return results
    .map((r) => {
      const mb = r.redisBytes === undefined ? ' n/a (cluster)' : `${r.redisBytes >= 0 ? '+' : ''}${(r.redisBytes / 1024 / 1024).toFixed(0)} MB`;
      const fillTime = r.fill.ms < 1000 ? `${r.fill.ms} ms` : `${(r.fill.ms / 1000).toFixed(1)} s`;
      const problems = [...r.problems].map(([what, count]) => `${what} ×${count}`);
      const parts = [
        `- **${r.settings.keys.toLocaleString('en-US')} keys, ${r.settings.guarantee}**: filled in ${fillTime} (${r.fill.perTask.join(' / ')} per task), Redis used_memory ${mb};`,
        `${r.sent} records in ${(r.runMs / 1000).toFixed(0)} s;`,
        `state exact for ${r.stateCheck.exact}/${r.stateCheck.checked} keys touched, ${r.stateCheck.strayKeys} stray keys;`,
        `SIGTERM exit codes ${r.exitCodes.join(', ')};`,
        `worker warnings/errors: ${problems.length ? problems.join('; ') : 'none'}${r.otherLines.length ? `; ${r.otherLines.length} non-JSON lines` : ''}.`,
      ];
      return parts.join(' ');
    })
    .join('\n');
}

function sessionText(sessionTimeoutMs: number | undefined): string {
  const session = sessionTimeoutMs ?? 10_000;
  const heartbeat = heartbeatIntervalMs(session);
  return `session timeout ${session.toLocaleString('en-US')} ms${sessionTimeoutMs === undefined ? ' (default)' : ''}, heartbeat every ${heartbeat.toLocaleString('en-US')} ms`;
}

/** The generated block of the section, between its markers. */
export function resultsBlock(results: readonly HandoffResult[], command: string, machine: string, when: Date): string {
  const s = results[0]!.settings;
  return [
    RESULTS_START,
    `Last run ${when.toISOString().slice(0, 16).replace('T', ' ')} UTC: \`${command}\``,
    `(${s.rounds} rounds per size and guarantee, each moving every task twice; ${s.rate} records/s; workers with ${sessionText(s.sessionTimeoutMs)}, commit interval 1,000 ms).`,
    '',
    `Machine: ${machine}`,
    '',
    'Median / max over every task that moved, in ms:',
    '',
    figuresTable(results),
    '',
    'Where the time goes (medians, ms):',
    '',
    breakdownTable(results),
    '',
    runNotes(results),
    RESULTS_END,
  ].join('\n');
}

/** The section as it is first written; later runs replace only the block between the markers. */
export function newSection(block: string): string {
  return [
    SECTION,
    '',
    'Does taking a task over cost more when it has more state? State lives in Redis, so the new owner',
    'should need no restore: it bumps the task\'s epoch, reads the watermarks and the outbox, and goes on.',
    '`bench/handoff.ts` checks that against the fault tests\' running-sum fixture',
    '(`test/fault/fixtures/sumTopology.ts`: key-value store `sums`, 6 partitions, so 6 tasks `0_0`…`0_5`).',
    '',
    'For each state size N it creates fresh topics and a fresh application id, writes N keys of `sums`',
    'straight into Redis through `RedisTaskState` (claim, put, commit in chunks, each key in the task of',
    'the partition kafkajs\' default murmur2 partitioner sends it to), starts worker A (`tributary run`),',
    'produces a steady trickle on keys drawn from all N, starts worker B, waits for the rebalance, then',
    'SIGTERMs A. Each round repeats that with B as the next A. From the workers\' pino logs it takes, for',
    'every task that moved: old owner\'s `task closed` → new owner\'s `task claimed`; the new owner\'s',
    '`claimMs`; old owner\'s `task closed` → new owner\'s `first record since claim`. "scale-out" is A→B',
    'when B joins, "shutdown" is A\'s remaining tasks → B when A drains on SIGTERM. Afterwards it checks',
    'that every key the trickle touched holds exactly the sum sent to it, then removes its topics, group',
    'and Redis keys.',
    '',
    '**Baseline: Kafka Streams\' restore.** With its default RocksDB stores, a task that moves to an',
    'instance without a local copy of its store restores it from the store\'s changelog topic (N/6 records',
    'per task here) before it processes a record, so its handoff grows with N. `bench/handoffVsKafkaStreams.ts`',
    'measures that for the same state sizes, next to tributary\'s handoff from the same run.',
    '',
    block,
  ].join('\n');
}

/** `markdown` with the section's generated block replaced (or the section appended). */
export function withResults(markdown: string, block: string): string {
  const start = markdown.indexOf(RESULTS_START);
  const end = markdown.indexOf(RESULTS_END);
  if (start >= 0 && end > start) return markdown.slice(0, start) + block + markdown.slice(end + RESULTS_END.length);
  const base = markdown.trim() ? `${markdown.trimEnd()}\n\n` : '# Benchmarks\n\n';
  return `${base}${newSection(block)}\n`;
}
