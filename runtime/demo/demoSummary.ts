import type { OrderOutcome } from '../../topologies/orders/load/orderOutcome.ts';
import type { OutcomeSnapshot } from '../../topologies/orders/load/outcomeTracker.ts';

/** A latency for people: `840 ms`, `1.3 s`, `–` when there is none yet. */
export function formatLatency(ms: number | null): string {
  if (ms === null) return '–';
  return ms < 1_000 ? `${Math.round(ms)} ms` : `${(ms / 1_000).toFixed(1)} s`;
}

/** Compensations (every outcome but `completed`), largest first: `payment failed 12, cancelled 3`. */
function compensations(ended: Readonly<Record<OrderOutcome, number>>): string {
  const causes = Object.entries(ended)
    .filter(([outcome]) => outcome !== 'completed')
    .sort(([a, x], [b, y]) => y - x || a.localeCompare(b));
  return causes.length ? causes.map(([outcome, n]) => `${outcome} ${n}`).join(', ') : 'none';
}

/**
 * The demo's live summary, three lines: production (orders, rate over the last interval),
 * how orders ended (completed, compensated by cause, in flight, p50/p99 end-to-end latency),
 * and the group checkouts.
 */
export function liveSummaryLines(snapshot: OutcomeSnapshot, ordersPerSecond: number): string[] {
  const completed = snapshot.ended.completed ?? 0;
  const groupEnds = Object.entries(snapshot.groupsEnded).map(([outcome, n]) => `${outcome} ${n}`);
  return [
    `orders ${snapshot.produced} produced · ${ordersPerSecond.toFixed(1)}/s · in flight ${snapshot.inFlight} · latency p50 ${formatLatency(snapshot.p50Ms)} · p99 ${formatLatency(snapshot.p99Ms)}`,
    `completed ${completed} · compensated: ${compensations(snapshot.ended)} · customer cancellations ${snapshot.cancellationsSent} sent, ${snapshot.cancellationsAccepted} accepted${snapshot.cancellationsTooLate ? `, ${snapshot.cancellationsTooLate} too late for the saga` : ''}`,
    `group checkouts ${snapshot.groupsStarted} started · ${groupEnds.length ? groupEnds.join(', ') : 'none ended'}`,
  ];
}

/**
 * The totals printed when the demo stops: per outcome, how many orders the mix asked for
 * and how many ended so (a mismatch is marked), then the orders in flight.
 */
export function totalsLines(snapshot: OutcomeSnapshot, expected: Readonly<Record<OrderOutcome, number>>): string[] {
  const outcomes = [...new Set([...Object.keys(expected), ...Object.keys(snapshot.ended)])].sort((a, b) => (a === 'completed' ? -1 : b === 'completed' ? 1 : a.localeCompare(b)));
  const width = Math.max(...outcomes.map((o) => o.length), 'outcome'.length);
  const lines = [`${'outcome'.padEnd(width)}  expected     ended`];
  for (const outcome of outcomes) {
    const asked = expected[outcome] ?? 0;
    const ended = snapshot.ended[outcome] ?? 0;
    lines.push(`${outcome.padEnd(width)}  ${String(asked).padStart(8)}  ${String(ended).padStart(8)}${asked === ended ? '' : '  MISMATCH'}`);
  }
  lines.push(`${'in flight'.padEnd(width)}  ${'0'.padStart(8)}  ${String(snapshot.inFlight).padStart(8)}${snapshot.inFlight === 0 ? '' : '  MISMATCH'}`);
  lines.push(`${snapshot.produced} orders produced; end-to-end latency p50 ${formatLatency(snapshot.p50Ms)}, p99 ${formatLatency(snapshot.p99Ms)}`);
  return lines;
}
