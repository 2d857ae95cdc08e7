import type { KafkaMessage } from 'kafkajs';
import type { DropReason } from '../../processors/processorContext.ts';
import type { AnyRecord, SinkNode, SourceNode, Subtopology, Topology } from '../../processors/topologyGraph.ts';
import type { Serdes } from '../../processors/serdes.ts';
import { deadLetterHeaders, deadLetterTopic } from '../../schemas/deadLetterHeaders.ts';
import { withRegistryRetry } from '../../schemas/retry.ts';
import type { KeyValueStore } from '../../state/keyValueStore.ts';
import { StateNotLoadedError } from '../../state/stateNotLoadedError.ts';
import type { StateStore } from '../../state/stateStore.ts';
import type { LoadRequest, TaskState } from '../../state/taskState.ts';
import type { Logger } from '../logger.ts';
import { ProcessingError } from '../processingError.ts';
import { TopologyTask, type OutputRecord } from '../topologyTask.ts';
import { decodeOutboxRecord, encodeOutboxRecord, OUTPUT_ID_HEADER, type OutboxRecord } from './outboxRecord.ts';
import type { InputPosition, OutputSender } from './outputSender.ts';
import { PROCESSOR_TIMES_STORE } from './taskStores.ts';

/** What a task needs from the worker that runs it. */
export interface StreamTaskDeps {
  readonly topology: Topology;
  readonly subtopology: Subtopology;
  readonly partition: number;
  readonly state: TaskState;
  /** The worker's copies of the global tables' stores, readable from every task. */
  readonly globalStores: ReadonlyMap<string, StateStore>;
  readonly sender: OutputSender;
  /** The consumer group's committed offsets of this task's input partitions (absent: none). */
  committedOffsets(topics: readonly string[]): Promise<Record<string, number | undefined>>;
  /** Runs `operation` until it succeeds, backing off between attempts; rethrows what must not be retried. */
  retry<T>(what: string, operation: () => Promise<T>): Promise<T>;
  readonly signal: AbortSignal;
  readonly logger: Logger;
  recordDropped(node: string, reason: DropReason): void;
  deadLettered(topic: string, error: unknown): void;
  wallClockTime(): number;
  /** Called after each state commit, before its outputs are sent (fault injection). */
  afterStateCommit?(): void;
}

/** A decoded input, or why it cannot be read. */
type Input = { readonly offset: number; readonly message: KafkaMessage } & ({ readonly record: AnyRecord } | { readonly unreadable: unknown });

/**
 * One task (a subtopology on one partition) in a worker: the TopologyTask that runs
 * records, its state in Redis and its way to Kafka. A unit of work is one batch of one
 * input partition (or one wall-clock punctuation): decode, load the keys it touches,
 * run it, then commit state + outbox + watermark atomically, send the outbox with the
 * input positions, and trim the outbox. Units run one at a time, in order.
 *
 * Invariants: at most one committed unit is unsent (the next starts after the send);
 * a record at or below its topic's watermark was applied and is never applied again.
 */
export class StreamTask {
  readonly id: string;
  private task: TopologyTask;
  private watermarks: Record<string, number> = {};
  private queue: Promise<unknown> = Promise.resolve();
  /** The unit's outputs so far: dead letters ready to send, or sink records with their id and the input that caused them. */
  private collected: Array<OutboxRecord | (OutputRecord & { id: string; trigger: number })> = [];
  private trigger = '';
  private triggerCount = 0;
  private readonly sources = new Map<string, SourceNode>();
  private readonly sinks = new Map<string, SinkNode>();

  private constructor(private readonly deps: StreamTaskDeps) {
    this.id = `${deps.subtopology.id}_${deps.partition}`;
    for (const node of deps.subtopology.nodes) {
      if (node.kind === 'source') for (const topic of node.topics) this.sources.set(topic, node);
      if (node.kind === 'sink') this.sinks.set(node.topic, node);
    }
    this.task = this.build();
  }

  /**
   * Takes ownership: bumps the epoch in Redis, opens the producer (fencing the previous
   * owner's in Kafka under exactly_once), then finishes the previous owner's last unit:
   * if its outbox was committed but the group's offsets do not show it sent, it is sent
   * now with its positions. No state is read: handoff cost does not grow with state.
   */
  static async open(deps: StreamTaskDeps): Promise<StreamTask> {
    const started = Date.now();
    const task = new StreamTask(deps);
    const claim = await deps.retry('claim', () => deps.state.claim());
    task.watermarks = { ...claim.watermarks };
    await deps.retry('open producer', () => deps.sender.open());
    const topics = deps.subtopology.sourceTopics;
    const committed = await deps.retry('read committed offsets', () => deps.committedOffsets(topics));
    const lagging = topics.filter((t) => task.watermarks[t] !== undefined && (committed[t] ?? 0) <= task.watermarks[t]!);
    if (claim.outbox.length || lagging.length) {
      const records = lagging.length ? claim.outbox.map(decodeOutboxRecord) : [];
      deps.logger.info({ task: task.id, outbox: claim.outbox.length, resent: records.length }, 'finishing the previous owner\'s last unit');
      await deps.retry('send outbox', () => deps.sender.send(records, task.positions(lagging)));
      if (claim.outbox.length) await deps.retry('trim outbox', () => deps.state.trimOutbox(claim.outbox.length));
    }
    await deps.retry('load processor times', () => deps.state.load([{ store: PROCESSOR_TIMES_STORE, kind: 'all' }]));
    deps.logger.info({ task: task.id, epoch: claim.epoch, claimMs: Date.now() - started }, 'task claimed');
    return task;
  }

  /** Runs `work` after every unit queued before it. */
  enqueue<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Applies one batch of one input partition (records at or below the watermark are skipped) and commits it. */
  async processBatch(topic: string, messages: readonly KafkaMessage[]): Promise<void> {
    const watermark = this.watermarks[topic] ?? -1;
    const fresh = messages.filter((m) => Number(m.offset) > watermark);
    if (!fresh.length) return;
    const inputs = await Promise.all(fresh.map((m) => this.decode(topic, m)));
    const keys = new Map<string, unknown>();
    for (const input of inputs) if ('record' in input && input.record.key !== null) keys.set(JSON.stringify(input.record.key), input.record.key);
    await this.deps.retry('load state', () => this.deps.state.load(this.prefetch([...keys.values()])));
    const last = Number(fresh[fresh.length - 1]!.offset);
    if (!this.processedAny) {
      this.processedAny = true;
      this.deps.logger.info({ task: this.id, topic, offset: fresh[0]!.offset }, 'first record since claim');
    }
    await this.runUnit(
      (poisoned) => {
        for (const input of inputs) {
          this.trigger = `${topic}/${this.deps.partition}/${input.offset}`;
          this.triggerCount = 0;
          const reason = 'unreadable' in input ? input.unreadable : poisoned.get(input.offset);
          if (reason !== undefined) this.collected.push(this.deadLetter(topic, input, reason));
          else if ('record' in input) this.process(topic, input.offset, input.record);
        }
      },
      { [topic]: last },
    );
  }

  /** Runs the wall-clock punctuations now due, and commits what they did. */
  async punctuate(): Promise<void> {
    const now = this.deps.wallClockTime();
    await this.runUnit(() => {
      this.trigger = `wall-clock/${this.id}/${now}`;
      this.triggerCount = 0;
      this.task.punctuateWallClock();
    }, {});
  }

  /** Releases the task's memory and producer; its state stays in Redis for the next owner. */
  async close(): Promise<void> {
    this.deps.logger.info({ task: this.id }, 'task closed');
    this.deps.state.close();
    await this.deps.sender.close().catch((error: unknown) => this.deps.logger.warn({ err: error, task: this.id }, 'closing the producer failed'));
  }

  private processedAny = false;

  /** The offset of the input being processed; -1 in a wall-clock punctuation. */
  private current = -1;

  private process(topic: string, offset: number, record: AnyRecord): void {
    this.current = offset;
    this.task.process(topic, record);
  }

  /**
   * Runs `work` until it completes without touching unloaded state, then commits and
   * sends. A miss rolls the unit back, loads what was missing and runs it again; a
   * record whose processing throws is rolled back with it and dead-lettered on the next
   * run (`poisoned`), so one bad record never blocks its partition.
   */
  private async runUnit(work: (poisoned: ReadonlyMap<number, unknown>) => void, watermarks: Record<string, number>): Promise<void> {
    const schedule = this.task.punctuationSchedule();
    const poisoned = new Map<number, unknown>();
    let encoded: OutboxRecord[];
    for (;;) {
      this.collected = [];
      this.current = -1;
      try {
        work(poisoned);
      } catch (error) {
        await this.restart(schedule);
        const miss = missOf(error);
        if (miss) {
          await this.deps.retry('load state', () => this.deps.state.load([miss.request]));
        } else if (error instanceof ProcessingError && this.current >= 0) {
          this.deps.logger.warn({ task: this.id, err: error }, 'dead-lettering a record whose processing failed');
          poisoned.set(this.current, error);
        } else {
          throw error;
        }
        continue;
      }
      const serialized = await this.serialize();
      if (serialized.ok) {
        encoded = serialized.records;
        break;
      }
      await this.restart(schedule);
      poisoned.set(serialized.offset, serialized.error);
    }
    if (!encoded.length && !this.deps.state.dirty && !Object.keys(watermarks).length) return;
    const outbox = encoded.map(encodeOutboxRecord);
    await this.deps.retry('commit', () => this.deps.state.commit({ watermarks, outbox, streamTime: this.task.streamTime }));
    Object.assign(this.watermarks, watermarks);
    this.deps.afterStateCommit?.();
    await this.deps.retry('send', () => this.deps.sender.send(encoded, this.positions(Object.keys(watermarks))));
    if (outbox.length) await this.deps.retry('trim outbox', () => this.deps.state.trimOutbox(outbox.length));
  }

  private async restart(schedule: readonly number[]): Promise<void> {
    this.deps.state.rollback();
    this.task = this.build();
    this.task.restorePunctuationSchedule(schedule);
  }

  private positions(topics: readonly string[]): InputPosition[] {
    return topics.map((topic) => ({ topic, partition: this.deps.partition, offset: this.watermarks[topic]! + 1 }));
  }

  /** The record keys of a batch, in every store of this subtopology: one round trip instead of one per record. */
  private prefetch(keys: readonly unknown[]): LoadRequest[] {
    return this.deps.subtopology.stores
      .filter((name) => !this.deps.topology.stores.get(name)?.global)
      .flatMap((store) => keys.map((key): LoadRequest => ({ store, kind: 'key', key })));
  }

  private build(): TopologyTask {
    const { topology, subtopology, partition, state } = this.deps;
    return new TopologyTask(topology, subtopology, partition, {
      store: (name) => this.deps.globalStores.get(name) ?? state.store(name),
      processorTimes: state.store(PROCESSOR_TIMES_STORE) as KeyValueStore<string, number>,
      wallClockTime: () => this.deps.wallClockTime(),
      output: (record) => this.collected.push({ ...record, id: `${this.trigger}/${this.triggerCount++}`, trigger: this.current }),
      recordDropped: (node, reason) => this.deps.recordDropped(node, reason),
    });
  }

  private async decode(topic: string, message: KafkaMessage): Promise<Input> {
    const offset = Number(message.offset);
    const serdes = this.sources.get(topic)!.serdes;
    try {
      const [key, value] = await Promise.all([
        this.read(serdes.key, topic, message.key),
        this.read(serdes.value, topic, message.value),
      ]);
      const record: AnyRecord = {
        key,
        value,
        timestamp: Number(message.timestamp),
        headers: headersOf(message),
        topic,
        partition: this.deps.partition,
        offset,
      };
      return { offset, message, record };
    } catch (error) {
      if (this.deps.signal.aborted) throw error;
      return { offset, message, unreadable: error };
    }
  }

  /** Null bytes are null (a tombstone, or no key); registry outages are waited out, never dead-lettered. */
  private read(serde: Serdes<unknown, unknown>['key'], topic: string, bytes: Buffer | null): Promise<unknown> {
    if (bytes === null) return Promise.resolve(null);
    return withRegistryRetry(() => serde.deserialize(topic, bytes), {
      signal: this.deps.signal,
      onRetry: (error, attempt, delayMs) => this.deps.logger.warn({ task: this.id, attempt, delayMs, err: error }, 'registry unavailable; retrying'),
    });
  }

  private deadLetter(topic: string, input: Input, reason: unknown): OutboxRecord {
    this.deps.deadLettered(topic, reason);
    const { message } = input;
    const origin = { topic, partition: this.deps.partition, offset: message.offset, timestamp: message.timestamp };
    return {
      topic: deadLetterTopic(topic),
      partition: undefined,
      key: message.key,
      value: message.value,
      timestamp: Number(message.timestamp),
      headers: { ...headersOf(message), ...deadLetterHeaders(reason, origin, this.deps.wallClockTime()), [OUTPUT_ID_HEADER]: `${this.trigger}/${this.triggerCount++}` },
    };
  }

  /** Serializes the unit's outputs; a value its sink cannot write poisons the input that caused it. */
  private async serialize(): Promise<{ ok: true; records: OutboxRecord[] } | { ok: false; offset: number; error: unknown }> {
    const records: OutboxRecord[] = [];
    for (const output of this.collected) {
      if (!('id' in output)) {
        records.push(output);
        continue;
      }
      const sink = this.sinks.get(output.topic)!;
      try {
        const [key, value] = await Promise.all([
          this.write(sink.serdes.key, output.topic, output.key),
          this.write(sink.serdes.value, output.topic, output.value),
        ]);
        records.push({
          topic: output.topic,
          partition: undefined,
          key,
          value,
          timestamp: output.timestamp,
          headers: { ...output.headers, [OUTPUT_ID_HEADER]: output.id },
        });
      } catch (error) {
        // Outputs of a wall-clock punctuation have no input to blame: the task stops, loudly.
        if (this.deps.signal.aborted || output.trigger < 0) throw error;
        this.deps.logger.warn({ task: this.id, err: error, topic: output.topic }, 'an output cannot be serialized; dead-lettering its input');
        return { ok: false, offset: output.trigger, error };
      }
    }
    return { ok: true, records };
  }

  private write(serde: Serdes<unknown, unknown>['key'], topic: string, value: unknown): Promise<Buffer | null> {
    if (value === null || value === undefined) return Promise.resolve(null);
    return withRegistryRetry(() => serde.serialize(topic, value), { signal: this.deps.signal });
  }
}

function missOf(error: unknown): StateNotLoadedError | undefined {
  if (error instanceof StateNotLoadedError) return error;
  if (error instanceof ProcessingError && error.cause instanceof StateNotLoadedError) return error.cause;
  return undefined;
}

function headersOf(message: KafkaMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, raw] of Object.entries(message.headers ?? {})) {
    const value = Array.isArray(raw) ? raw[0] : raw;
    if (value !== undefined) headers[name] = value.toString();
  }
  return headers;
}
