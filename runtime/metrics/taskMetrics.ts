import type { DropReason } from '../../processors/processorContext.ts';
import type { WorkerMetrics } from './workerMetrics.ts';

/** An output as the metrics see it once Kafka has it. */
export interface SentRecord {
  readonly topic: string;
  readonly timestamp: number;
}

/**
 * One task's view of the worker's metrics, with its application bound. What happens while
 * a unit of work runs (drops, forwards, dead letters) is tallied and counted only when the
 * unit commits: a unit rolled back and run again (a state miss, a poisoned record) would
 * otherwise count its records twice.
 */
export class TaskMetrics {
  private dropped = new Map<string, number>();
  private forwarded = new Map<string, number>();
  private deadLettered = new Map<string, number>();
  private compensated = new Map<string, number>();
  private sagaStates = new Map<string, Readonly<Record<string, number>>>();
  /** Each saga's instances by state as of the last committed unit that reported them. */
  private readonly committedSagaStates = new Map<string, Readonly<Record<string, number>>>();

  constructor(
    private readonly metrics: WorkerMetrics,
    readonly application: string,
  ) {}

  recordDropped(processor: string, reason: DropReason): void {
    increment(this.dropped, JSON.stringify([processor, reason]));
  }

  recordForwarded(processor: string): void {
    increment(this.forwarded, processor);
  }

  /** `code`: the error's stable code (`NOT_FRAMED`, `PROCESSING`, …, `UNKNOWN`). */
  recordDeadLettered(topic: string, code: string): void {
    increment(this.deadLettered, JSON.stringify([topic, code]));
  }

  sagaInstances(saga: string, byState: Readonly<Record<string, number>>): void {
    this.sagaStates.set(saga, byState);
  }

  sagaCompensated(saga: string, cause: string): void {
    increment(this.compensated, JSON.stringify([saga, cause]));
  }

  /** The task's saga instances by state, as committed: what `tributary_saga_instances` sums over tasks. */
  sagaInstanceCounts(): Array<{ saga: string; state: string; count: number }> {
    return [...this.committedSagaStates].flatMap(([saga, byState]) => Object.entries(byState).map(([state, count]) => ({ saga, state, count })));
  }

  /** Forgets what the unit tallied so far: it is being run again. */
  unitDiscarded(): void {
    this.dropped = new Map();
    this.forwarded = new Map();
    this.deadLettered = new Map();
    this.compensated = new Map();
    this.sagaStates = new Map();
  }

  /** Counts what the unit tallied, and the inputs it applied: it is committed. */
  unitCommitted(consumed: ReadonlyMap<string, number>): void {
    const application = this.application;
    for (const [topic, n] of consumed) this.metrics.recordsConsumed.inc({ application, topic }, n);
    for (const [processor, n] of this.forwarded) this.metrics.processorRecords.inc({ application, processor }, n);
    for (const [key, n] of this.dropped) {
      const [processor, reason] = JSON.parse(key) as [string, string];
      this.metrics.recordsDropped.inc({ application, processor, reason }, n);
    }
    for (const [key, n] of this.deadLettered) {
      const [topic, reason] = JSON.parse(key) as [string, string];
      this.metrics.deadLetters.inc({ application, topic, reason }, n);
    }
    for (const [key, n] of this.compensated) {
      const [saga, cause] = JSON.parse(key) as [string, string];
      this.metrics.sagaCompensations.inc({ application, saga, cause }, n);
    }
    for (const [saga, byState] of this.sagaStates) this.committedSagaStates.set(saga, byState);
    this.unitDiscarded();
  }

  /** Outputs Kafka has now: counted per topic; `sinks` are the topics whose end-to-end latency is observed (not dead letters). */
  sent(records: readonly SentRecord[], sinks: ReadonlySet<string>, now: number): void {
    const application = this.application;
    const perTopic = new Map<string, number>();
    for (const r of records) {
      increment(perTopic, r.topic);
      if (sinks.has(r.topic)) this.metrics.endToEndLatency.observe({ application, topic: r.topic }, Math.max(0, now - r.timestamp) / 1000);
    }
    for (const [topic, n] of perTopic) this.metrics.recordsProduced.inc({ application, topic }, n);
  }

  unitDone(seconds: number): void {
    this.metrics.unitDuration.observe({ application: this.application }, seconds);
  }

  commitDone(seconds: number): void {
    this.metrics.commitDuration.observe({ application: this.application }, seconds);
  }

  /** Runs one Redis round trip of the task state, timing it when it succeeds. */
  async redis<T>(operation: 'claim' | 'load' | 'commit' | 'trim', call: () => Promise<T>): Promise<T> {
    const end = this.metrics.redisDuration.startTimer({ application: this.application, operation });
    const result = await call();
    end();
    return result;
  }

  registryRetried(): void {
    this.metrics.registryRetries.inc({ application: this.application });
  }
}

function increment(counts: Map<string, number>, key: string): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}
