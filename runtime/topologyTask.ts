import { catchError, share, Subject, tap, throwError, type Observable } from 'rxjs';
import type { DropReason, ObservedTime, ProcessorContext, PunctuationType } from '../processors/processorContext.ts';
import type { Headers } from '../processors/record.ts';
import type { AnyRecord, Subtopology, Topology } from '../processors/topologyGraph.ts';
import type { KeyValueStore } from '../state/keyValueStore.ts';
import type { StateStore } from '../state/stateStore.ts';
import { ProcessingError } from './processingError.ts';

/** A record a sink produced, before serialization: where it goes and the input it came from. */
export interface OutputRecord {
  readonly topic: string;
  /** The partition the sink's partitioner chose; undefined: the key decides. */
  readonly partition: number | undefined;
  readonly key: unknown;
  readonly value: unknown;
  readonly timestamp: number;
  readonly headers: Headers;
  /** The input record that caused it, for its deterministic id. */
  readonly source: { readonly topic: string; readonly partition: number; readonly offset: number };
}

/** What a task needs from the process that runs it. */
export interface TaskEnvironment {
  /** The task's instance of a declared store. */
  store(name: string): StateStore;
  /** Per-processor observed stream times, kept with the task's state. */
  readonly processorTimes: KeyValueStore<string, number>;
  wallClockTime(): number;
  /** Receives every record a sink writes, in order. */
  output(record: OutputRecord): void;
  recordDropped(node: string, reason: DropReason): void;
  /** Called for each record a processor node forwards downstream, for per-node counts. */
  recordForwarded?(node: string): void;
  /** A saga's instances of this task by state, as it last reported them. */
  sagaInstances?(saga: string, byState: Readonly<Record<string, number>>): void;
  /** A saga instance ended compensated. */
  sagaCompensated?(saga: string, cause: string): void;
}

/** The task's own stream time sits beside the processors' observed times; no node is named ''. */
const STREAM_TIME = '';

interface Punctuation {
  readonly type: PunctuationType;
  readonly intervalMs: number;
  /** Stream-time schedules are aligned to 0 (the first record fires them), wall-clock ones to the time of scheduling. */
  next: number;
  readonly callback: (timestamp: number) => void;
}

/**
 * One subtopology instantiated for one partition: its RxJS graph, stream time and
 * punctuations. `process` runs a record through the graph synchronously, so every
 * output of a record exists when it returns; the caller decides when to commit.
 * After a ProcessingError the task is broken and must be rebuilt.
 */
export class TopologyTask {
  readonly id: string;
  private readonly inputs = new Map<string, { subject: Subject<AnyRecord>; extract?: (r: AnyRecord) => number }>();
  private readonly punctuations: Punctuation[] = [];
  private failure: ProcessingError | undefined;
  private current: AnyRecord | undefined;

  constructor(
    readonly topology: Topology,
    readonly subtopology: Subtopology,
    readonly partition: number,
    private readonly env: TaskEnvironment,
  ) {
    this.id = `${subtopology.id}_${partition}`;
    this.wire();
  }

  /** The largest input timestamp this task has processed; `-1` before the first. Kept with the task's state, so it survives a move. */
  get streamTime(): number {
    return this.env.processorTimes.get(STREAM_TIME) ?? -1;
  }

  /** Runs one input record through the graph, then any stream-time punctuation now due. */
  process(topic: string, record: AnyRecord): void {
    const input = this.inputs.get(topic);
    if (!input) throw new Error(`task ${this.id} does not read topic '${topic}'`);
    this.throwIfFailed();
    const timestamp = input.extract ? input.extract(record) : record.timestamp;
    const stamped = timestamp === record.timestamp ? record : { ...record, timestamp };
    const streamTime = Math.max(this.streamTime, timestamp);
    this.env.processorTimes.put(STREAM_TIME, streamTime);
    this.current = stamped;
    input.subject.next(stamped);
    this.throwIfFailed();
    this.punctuate('stream-time', streamTime);
  }

  /** When each punctuation fires next, in scheduling order: saved before a unit of work that may be run again. */
  punctuationSchedule(): number[] {
    return this.punctuations.map((p) => p.next);
  }

  /**
   * Resumes a schedule saved from a task of the same subtopology (wiring is
   * deterministic, so punctuations are scheduled in the same order), for a task rebuilt
   * to run a unit of work again.
   */
  restorePunctuationSchedule(schedule: readonly number[]): void {
    this.punctuations.forEach((p, i) => {
      const next = schedule[i];
      if (next !== undefined) p.next = next;
    });
  }

  /** Runs the wall-clock punctuations due at the environment's current wall-clock time. */
  punctuateWallClock(): void {
    this.punctuate('wall-clock', this.env.wallClockTime());
  }

  private punctuate(type: PunctuationType, now: number): void {
    for (const p of [...this.punctuations]) {
      if (p.type !== type) continue;
      if (now < p.next) continue;
      // One call even if several intervals passed; the next stays aligned to the schedule.
      p.next = nextAfter(p.next, now, p.intervalMs);
      p.callback(now);
      this.throwIfFailed();
    }
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.failure;
  }

  private context(): ProcessorContext {
    const env = this.env;
    const times = new Map<string, ObservedTime>();
    return {
      taskId: this.id,
      store: <S extends StateStore>(name: string) => env.store(name) as S,
      streamTime: () => this.streamTime,
      wallClockTime: () => env.wallClockTime(),
      processorTime: (node) => {
        let time = times.get(node);
        if (!time) {
          time = {
            observe: (timestamp) => {
              const value = Math.max(env.processorTimes.get(node) ?? -1, timestamp);
              env.processorTimes.put(node, value);
              return value;
            },
            current: () => env.processorTimes.get(node) ?? -1,
            set: (timestamp) => env.processorTimes.put(node, timestamp),
          };
          times.set(node, time);
        }
        return time;
      },
      schedule: (intervalMs, type, callback) => {
        if (!(intervalMs > 0)) throw new Error(`punctuation interval must be positive, got ${intervalMs}`);
        const p: Punctuation = { type, intervalMs, next: type === 'wall-clock' ? env.wallClockTime() + intervalMs : 0, callback };
        this.punctuations.push(p);
        return () => this.punctuations.splice(this.punctuations.indexOf(p), 1);
      },
      recordDropped: (node, reason) => env.recordDropped(node, reason),
      sagaInstances: (saga, byState) => env.sagaInstances?.(saga, byState),
      sagaCompensated: (saga, cause) => env.sagaCompensated?.(saga, cause),
    };
  }

  /** Builds the graph: a Subject per source, each processor's output shared by its children, sinks subscribed last. */
  private wire(): void {
    const ctx = this.context();
    const outputs = new Map<string, Observable<AnyRecord>>();
    for (const node of this.subtopology.nodes) {
      if (node.kind === 'source') {
        const subject = new Subject<AnyRecord>();
        for (const topic of node.topics) this.inputs.set(topic, { subject, ...(node.timestampExtractor ? { extract: node.timestampExtractor } : {}) });
        outputs.set(node.name, subject);
      } else if (node.kind === 'processor') {
        const parents = node.parents.map((p) => outputs.get(p)!);
        const forwarded = this.env.recordForwarded?.bind(this.env, node.name);
        const built = node.build(ctx, parents);
        const out = (forwarded ? built.pipe(tap(() => forwarded())) : built).pipe(
          catchError((error: unknown) => throwError(() => (error instanceof ProcessingError ? error : new ProcessingError(node.name, this.current, error)))),
          share(),
        );
        outputs.set(node.name, out);
      }
    }
    for (const node of this.subtopology.nodes) {
      if (node.kind !== 'sink') continue;
      for (const parent of node.parents) {
        outputs.get(parent)!.subscribe({
          next: (record) =>
            this.env.output({
              topic: node.topic,
              partition: node.partitioner?.(record),
              key: record.key,
              value: record.value,
              timestamp: record.timestamp,
              headers: record.headers,
              source: { topic: record.topic, partition: record.partition, offset: record.offset },
            }),
          error: (error: ProcessingError) => (this.failure = error),
        });
      }
    }
    // Processors with no sink below them (peek, foreach, stores only) still run.
    const consumed = new Set(this.subtopology.nodes.flatMap((n) => (n.kind === 'source' ? [] : n.parents)));
    for (const node of this.subtopology.nodes) {
      if (node.kind === 'processor' && !consumed.has(node.name)) {
        outputs.get(node.name)!.subscribe({ error: (error: ProcessingError) => (this.failure = error) });
      }
    }
  }
}

/** The first multiple of `interval` after `last` that is greater than `now`. */
function nextAfter(last: number, now: number, interval: number): number {
  return last + (Math.floor((now - last) / interval) + 1) * interval;
}
