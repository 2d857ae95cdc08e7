import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Counter } from 'prom-client';
import type { DropReason } from '../../../processors/processorContext.ts';
import { TaskMetrics } from '../../../runtime/metrics/taskMetrics.ts';
import { WorkerMetrics } from '../../../runtime/metrics/workerMetrics.ts';

type Step =
  | { kind: 'drop'; processor: string; reason: DropReason }
  | { kind: 'forward'; processor: string }
  | { kind: 'deadLetter'; topic: string; code: string }
  | { kind: 'consume'; topic: string }
  | { kind: 'discard' }
  | { kind: 'commit' };

const processor = fc.constantFrom('KSTREAM-FILTER-0000000001', 'KSTREAM-AGGREGATE-0000000002');
const topic = fc.constantFrom('orders', 'payments');
const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('drop' as const), processor, reason: fc.constantFrom<DropReason>('late', 'null-key', 'null-value', 'expired-window') }),
  fc.record({ kind: fc.constant('forward' as const), processor }),
  fc.record({ kind: fc.constant('deadLetter' as const), topic, code: fc.constantFrom('NOT_FRAMED', 'PROCESSING') }),
  fc.record({ kind: fc.constant('consume' as const), topic }),
  fc.constant({ kind: 'discard' as const }),
  fc.constant({ kind: 'commit' as const }),
);

/** A counter's values as `label=value,…` → count, without the application label. */
async function valuesOf(counter: Counter<string>): Promise<Map<string, number>> {
  const { values } = await counter.get();
  return new Map(
    values.map((v) => [
      Object.entries(v.labels)
        .filter(([name]) => name !== 'application')
        .map(([name, value]) => `${name}=${value}`)
        .join(','),
      v.value,
    ]),
  );
}

function add(counts: Map<string, number>, key: string, n = 1): void {
  counts.set(key, (counts.get(key) ?? 0) + n);
}

describe('task metrics', () => {
  it('count drops, forwards, dead letters and consumed records of committed units only, as often as the unit last ran', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 60 }), async (steps) => {
        const metrics = new WorkerMetrics();
        const task = new TaskMetrics(metrics, 'app');
        // The model: a unit's tallies since it last (re)started; the totals of committed units.
        const pending = { dropped: new Map<string, number>(), forwarded: new Map<string, number>(), deadLetters: new Map<string, number>() };
        const totals = { dropped: new Map<string, number>(), forwarded: new Map<string, number>(), deadLetters: new Map<string, number>(), consumed: new Map<string, number>() };
        let consumed = new Map<string, number>();
        for (const s of steps) {
          if (s.kind === 'drop') {
            task.recordDropped(s.processor, s.reason);
            add(pending.dropped, `processor=${s.processor},reason=${s.reason}`);
          } else if (s.kind === 'forward') {
            task.recordForwarded(s.processor);
            add(pending.forwarded, `processor=${s.processor}`);
          } else if (s.kind === 'deadLetter') {
            task.recordDeadLettered(s.topic, s.code);
            add(pending.deadLetters, `topic=${s.topic},reason=${s.code}`);
          } else if (s.kind === 'consume') {
            add(consumed, s.topic); // inputs of the unit: known before it runs, counted when it commits
          } else if (s.kind === 'discard') {
            task.unitDiscarded();
            for (const m of Object.values(pending)) m.clear();
          } else {
            task.unitCommitted(consumed);
            for (const [name, m] of Object.entries(pending)) {
              for (const [k, n] of m) add(totals[name as keyof typeof pending], k, n);
              m.clear();
            }
            for (const [t, n] of consumed) add(totals.consumed, `topic=${t}`, n);
            consumed = new Map();
          }
        }
        assert.deepEqual(await valuesOf(metrics.recordsDropped), totals.dropped);
        assert.deepEqual(await valuesOf(metrics.processorRecords), totals.forwarded);
        assert.deepEqual(await valuesOf(metrics.deadLetters), totals.deadLetters);
        assert.deepEqual(await valuesOf(metrics.recordsConsumed), totals.consumed);
      }),
      { numRuns: 50 },
    );
  });

  it('count sent records per topic and observe end-to-end latency for sink topics only', async () => {
    const metrics = new WorkerMetrics();
    const task = new TaskMetrics(metrics, 'app');
    task.sent(
      [
        { topic: 'totals', timestamp: 1_000 },
        { topic: 'totals', timestamp: 1_500 },
        { topic: 'orders.dlq', timestamp: 0 },
      ],
      new Set(['totals']),
      3_000,
    );
    assert.deepEqual(await valuesOf(metrics.recordsProduced), new Map([['topic=totals', 2], ['topic=orders.dlq', 1]]));
    const { values } = await metrics.endToEndLatency.get();
    const sum = values.find((v) => v.metricName === 'tributary_end_to_end_latency_seconds_sum');
    const count = values.find((v) => v.metricName === 'tributary_end_to_end_latency_seconds_count');
    assert.deepEqual([sum?.labels.topic, sum?.value, count?.value], ['totals', 3.5, 2]);
  });

  it('export saga instances by state as last committed, summed over the tasks of every worker, and compensations of committed units', async () => {
    const metrics = new WorkerMetrics();
    const tasks = [new TaskMetrics(metrics, 'app'), new TaskMetrics(metrics, 'app')];
    metrics.watch({ application: 'app', lags: () => [], claimedTasks: () => 2, stateCacheEntries: () => 7, ready: () => true, sagaInstances: () => tasks.flatMap((t) => t.sagaInstanceCounts().map((c) => ({ application: 'app', ...c }))) });
    tasks[0]!.sagaInstances('order-saga', { completed: 3, 'running:payment': 1 });
    tasks[0]!.sagaCompensated('order-saga', 'failed payment');
    tasks[0]!.unitDiscarded(); // run again: neither counts
    tasks[0]!.sagaInstances('order-saga', { completed: 3, 'running:payment': 2 });
    tasks[0]!.sagaCompensated('order-saga', 'timed-out inventory');
    tasks[0]!.unitCommitted(new Map());
    tasks[1]!.sagaInstances('order-saga', { completed: 1 });
    tasks[1]!.unitCommitted(new Map());
    tasks[1]!.sagaInstances('order-saga', { completed: 9 }); // not committed yet
    const instances = (await metrics.registry.getSingleMetric('tributary_saga_instances')!.get()).values.map((v) => [v.labels.state, v.value]);
    assert.deepEqual(instances.sort(), [['completed', 4], ['running:payment', 2]]);
    assert.deepEqual(await valuesOf(metrics.sagaCompensations), new Map([['saga=order-saga,cause=timed-out inventory', 1]]));
  });
});
