import type { HandoffResult } from './handoffRun.ts';
import { summary } from './handoffReport.ts';
import type { MoveKind } from './handoffMoves.ts';
import type { KafkaStreamsRestoreResult } from './kafkaStreamsRestore.ts';

export const COMPARISON_START = '<!-- handoff-vs-kafka-streams:results:start -->';
export const COMPARISON_END = '<!-- handoff-vs-kafka-streams:results:end -->';

/** One state size measured on both: tributary's handoff bench and Kafka Streams' restore (either may be absent). */
export interface SizeComparison {
  readonly keys: number;
  readonly tributary: HandoffResult | undefined;
  readonly kafkaStreams: KafkaStreamsRestoreResult | undefined;
}

function pair(samples: readonly number[]): string {
  const s = summary(samples);
  return s ? `${Math.round(s.median).toLocaleString('en-US')} / ${Math.round(s.max).toLocaleString('en-US')}` : '–';
}

function tributaryMoves(result: HandoffResult | undefined, kind: MoveKind): number[] {
  return (result?.moves ?? []).filter((m) => m.kind === kind).flatMap((m) => (m.closedToFirstRecord === undefined ? [] : [m.closedToFirstRecord]));
}

function kafkaStreamsMoves(result: KafkaStreamsRestoreResult | undefined, kind: MoveKind): number[] {
  return (result?.moves ?? []).filter((m) => m.kind === kind).map((m) => m.closedToFirstRecord);
}

/**
 * State keys × {tributary, Kafka Streams}: what a moved task costs its new owner before it
 * processes (tributary's claim, Kafka Streams' changelog restore), and the whole move (old
 * owner's close → new owner's first record) for both kinds of move. Median / max over the
 * tasks that moved, ms.
 */
export function comparisonTable(sizes: readonly SizeComparison[]): string {
  const lines = [
    '| state keys | tributary: claim (ms) | Kafka Streams: restore (ms) | Kafka Streams: records restored per task | tributary: closed → first record, scale-out / shutdown (ms) | Kafka Streams: closed → first record, scale-out / shutdown (ms) |',
    '| ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const { keys, tributary, kafkaStreams } of sizes) {
    const restored = summary((kafkaStreams?.moves ?? []).map((m) => m.restored));
    lines.push(
      [
        '',
        keys.toLocaleString('en-US'),
        pair((tributary?.moves ?? []).map((m) => m.claimMs)),
        pair((kafkaStreams?.moves ?? []).map((m) => m.restoreMs)),
        restored ? Math.round(restored.median).toLocaleString('en-US') : '–',
        `${pair(tributaryMoves(tributary, 'scale-out'))} · ${pair(tributaryMoves(tributary, 'shutdown'))}`,
        `${pair(kafkaStreamsMoves(kafkaStreams, 'scale-out'))} · ${pair(kafkaStreamsMoves(kafkaStreams, 'shutdown'))}`,
        '',
      ].join(' | ').trim(),
    );
  }
  return lines.join('\n');
}

/** Per size: how much each side moved, Kafka Streams' cold start, exit codes. */
export function comparisonNotes(sizes: readonly SizeComparison[]): string {
  return sizes
    .map(({ keys, tributary, kafkaStreams }) => {
      const parts = [`- **${keys.toLocaleString('en-US')} keys**:`];
      if (tributary) {
        parts.push(`tributary moved ${tributary.moves.length} tasks (state filled in ${tributary.fill.ms} ms, exact for ${tributary.stateCheck.exact}/${tributary.stateCheck.checked} keys touched, exit codes ${tributary.exitCodes.join(', ')});`);
      }
      if (kafkaStreams) {
        const cold = summary(kafkaStreams.coldStart.map((r) => r.restoreMs));
        parts.push(
          `Kafka Streams moved ${kafkaStreams.moves.length} tasks (changelog written in ${kafkaStreams.fillMs} ms; the first instance's own restore at start, median / max ${cold ? `${Math.round(cold.median)} / ${Math.round(cold.max)}` : '–'} ms per task; exit codes ${kafkaStreams.exitCodes.join(', ')}).`,
        );
      }
      return parts.join(' ');
    })
    .join('\n');
}

/** The generated block: how it was made, the table, the notes. */
export function comparisonBlock(sizes: readonly SizeComparison[], command: string, machine: string, when: Date, label: string): string {
  return [
    COMPARISON_START,
    `${label}Run ${when.toISOString().slice(0, 16).replace('T', ' ')} UTC: \`${command}\``,
    '',
    `Machine: ${machine}`,
    '',
    'Median / max over the tasks that moved (ms); "scale-out" is a second instance joining, "shutdown" the first one leaving on SIGTERM:',
    '',
    comparisonTable(sizes),
    '',
    comparisonNotes(sizes),
    COMPARISON_END,
  ].join('\n');
}
