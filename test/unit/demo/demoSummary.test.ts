import assert from 'node:assert/strict';
import { formatLatency, liveSummaryLines, totalsLines } from '../../../runtime/demo/demoSummary.ts';
import type { OutcomeSnapshot } from '../../../topologies/orders/load/outcomeTracker.ts';

const snapshot: OutcomeSnapshot = {
  produced: 100,
  ended: { completed: 80, 'payment failed': 5, cancelled: 2, 'inventory failed': 5 },
  inFlight: 8,
  groupsStarted: 3,
  groupsEnded: { completed: 1, failed: 1 },
  cancellationsSent: 3,
  cancellationsAccepted: 2,
  cancellationsTooLate: 0,
  p50Ms: 420,
  p99Ms: 1_840,
};

describe('demo summary', () => {
  it('shows latencies in ms below a second and in seconds above', () => {
    assert.deepEqual([formatLatency(null), formatLatency(420.4), formatLatency(1_840)], ['–', '420 ms', '1.8 s']);
  });

  it('shows production, compensations by cause (largest first) and group checkouts', () => {
    assert.deepEqual(liveSummaryLines(snapshot, 19.96), [
      'orders 100 produced · 20.0/s · in flight 8 · latency p50 420 ms · p99 1.8 s',
      'completed 80 · compensated: inventory failed 5, payment failed 5, cancelled 2 · customer cancellations 3 sent, 2 accepted',
      'group checkouts 3 started · completed 1, failed 1',
    ]);
  });

  it('marks every outcome whose count differs from the expected one, and orders still in flight', () => {
    const lines = totalsLines(snapshot, { completed: 80, 'payment failed': 5, 'inventory failed': 6, cancelled: 2, 'shipping failed': 1 });
    assert.deepEqual(
      lines.filter((l) => l.endsWith('MISMATCH')).map((l) => l.split(/\s{2,}/)[0]),
      ['inventory failed', 'shipping failed', 'in flight'],
    );
    assert.match(lines[1]!, /^completed\s+80\s+80$/);
  });
});
