import type { KafkaMessage } from 'kafkajs';
import type { AnyRecord, SinkNode, SourceNode, Subtopology, Topology } from '../../processors/topologyGraph.ts';
import type { Serdes } from '../../processors/serdes.ts';
import { NOT_CACHED } from '../../schemas/serde.ts';
import { DLQ_HEADERS, deadLetterHeaders } from '../../schemas/deadLetterHeaders.ts';
import { DeserializationError, SerializationError } from '../../schemas/errors.ts';
import { withRegistryRetry } from '../../schemas/retry.ts';
import { TributaryError } from '../errors.ts';
import type { KeyValueStore } from '../../state/keyValueStore.ts';
import { StateNotLoadedError } from '../../state/stateNotLoadedError.ts';
import type { StateStore } from '../../state/stateStore.ts';
import type { LoadRequest, TaskState } from '../../state/taskState.ts';
import type { Logger } from '../logger.ts';
import type { TaskMetrics } from '../metrics/taskMetrics.ts';
import { ProcessingError } from '../processingError.ts';
import { TopologyTask, type OutputRecord } from '../topologyTask.ts';
import { InputBuffer, type BufferedInput, type Decoded } from './inputBuffer.ts';
import { decodeOutbox, encodeOutbox, OUTPUT_ID_HEADER, type OutboxRecord } from './outboxRecord.ts';
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
  /** Records per unit of work (one load, one commit, one send): the worker's `unitRecords`. */
  readonly unitRecords: number;
  /** The end offsets of this task's input partitions now. */
  endOffsets(topics: readonly string[]): Promise<Record<string, number>>;
  /** The consumer group's committed offsets of this task's input partitions (absent: none). */
  committedOffsets(topics: readonly string[]): Promise<Record<string, number | undefined>>;
  /** Runs `operation` until it succeeds, backing off between attempts; rethrows what must not be retried. */
  retry<T>(what: string, operation: () => Promise<T>): Promise<T>;
  readonly signal: AbortSignal;
  readonly logger: Logger;
  /** Counts what the task does; what a unit tallies is counted once the unit commits. */
  readonly metrics: TaskMetrics;
  /** The dead-letter topic of an input topic. */
  deadLetterTopic(topic: string): string;
  wallClockTime(): number;
  /** Called after each state commit, before its outputs are sent (fault injection). */
  afterStateCommit?(): void;
}

/** A record a sink wrote in this unit, with its id and the input that caused it (none in a wall-clock punctuation). */
interface SinkOutput {
  readonly record: OutputRecord;
  readonly id: string;
  readonly trigger: string | undefined;
}

/** A buffered input taken into a unit, decoded. */
type Input = BufferedInput & { readonly decoded: Decoded };

/**
 * One task (a subtopology on one partition) in a worker: the TopologyTask that runs
 * records, its state in Redis and its way to Kafka. A unit of work is up to `unitRecords`
 * buffered inputs taken in timestamp order across the task's inputs (or one wall-clock
 * punctuation): decode, load the keys it touches, run it, then commit state + outbox +
 * watermark atomically, send the outbox with the input positions, and trim the outbox.
 * Units run one at a time, in order.
 *
 * Invariants: at most one committed unit is unsent (the next starts after the send);
 * a record at or below its topic's watermark was applied and is never applied again.
 */
export class StreamTask {
  readonly id: string;
  private task: TopologyTask;
  private watermarks: Record<string, number> = {};
  private queue: Promise<unknown> = Promise.resolve();
  /** Fetched inputs not applied yet, per topic, in offset order. */
  private readonly buffers = new Map<string, InputBuffer>();
  /** The offset after the last one fetched, per topic. */
  private readonly fetchPositions = new Map<string, number>();
  /** The partition's end offset as last seen, per topic. */
  private readonly endOffsets = new Map<string, number>();
  /** The partition's end offset as the worker last read it from the broker: lags only, the timestamp order goes by fetches. */
  private readonly brokerEndOffsets = new Map<string, number>();
  /** Per input, the offset last committed for the group: at the claim, by a unit's send, or past skipped records. */
  private readonly committedPositions = new Map<string, number>();
  /** The first offset per topic of the unit being applied (taken from the buffers, not committed yet). */
  private applying = new Map<string, number>();
  /** The unit's outputs so far: dead letters ready to send, or sink records with their id and the input that caused them. */
  private collected: Array<OutboxRecord | SinkOutput> = [];
  private trigger = '';
  private triggerCount = 0;
  private readonly sources = new Map<string, SourceNode>();
  private readonly sinks = new Map<string, SinkNode>();
  /** The topics sinks write to (not dead-letter topics): their outputs' end-to-end latency is observed. */
  private readonly sinkTopics: ReadonlySet<string>;

  private constructor(private readonly deps: StreamTaskDeps) {
    this.id = `${deps.subtopology.id}_${deps.partition}`;
    for (const node of deps.subtopology.nodes) {
      if (node.kind === 'source') for (const topic of node.topics) this.sources.set(topic, node);
      if (node.kind === 'sink') this.sinks.set(node.topic, node);
    }
    this.sinkTopics = new Set(this.sinks.keys());
    for (const topic of deps.subtopology.sourceTopics) this.buffers.set(topic, new InputBuffer());
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
    const claim = await deps.retry('claim', () => deps.metrics.redis('claim', () => deps.state.claim()));
    task.watermarks = { ...claim.watermarks };
    await deps.retry('open producer', () => deps.sender.open());
    const topics = deps.subtopology.sourceTopics;
    const committed = await deps.retry('read committed offsets', () => deps.committedOffsets(topics));
    // An input with nothing to fetch never shows up in a batch; its end offset says it is caught up.
    const ends = await deps.retry('read end offsets', () => deps.endOffsets(topics));
    for (const topic of topics) task.fetched(topic, committed[topic] ?? 0, String(ends[topic] ?? 0));
    for (const topic of topics) if (committed[topic] !== undefined) task.committedPositions.set(topic, committed[topic]!);
    const lagging = topics.filter((t) => task.watermarks[t] !== undefined && (committed[t] ?? 0) <= task.watermarks[t]!);
    if (claim.outbox.length || lagging.length) {
      const records = lagging.length ? claim.outbox.flatMap(decodeOutbox) : [];
      deps.logger.info({ task: task.id, outbox: claim.outbox.length, resent: records.length }, 'finishing the previous owner\'s last unit');
      await deps.retry('send outbox', () => task.send(records, task.positions(lagging)));
      deps.metrics.sent(records, task.sinkTopics, deps.wallClockTime());
      if (claim.outbox.length) await deps.retry('trim outbox', () => deps.metrics.redis('trim', () => deps.state.trimOutbox(claim.outbox.length)));
    }
    await deps.retry('load processor times', () => deps.metrics.redis('load', () => deps.state.load([{ store: PROCESSOR_TIMES_STORE, kind: 'all' }])));
    deps.logger.info({ task: task.id, epoch: claim.epoch, claimMs: Date.now() - started }, 'task claimed');
    return task;
  }

  /** Runs `work` after every unit queued before it. */
  enqueue<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /**
   * Takes one fetched batch of one input partition (records at or below the watermark are
   * skipped), then applies every record that can be applied now. Like Kafka Streams'
   * partition group, a task with several inputs applies records across them in timestamp
   * order: it takes the earliest head among its inputs, and applies nothing while an input
   * that has records not fetched yet has none buffered (it waits for them, as with
   * `max.task.idle.ms` = 0). An input that is caught up to its end does not hold the others.
   */
  async processBatch(topic: string, messages: readonly KafkaMessage[], highWatermark?: string): Promise<void> {
    const buffer = this.buffers.get(topic)!;
    const after = Math.max(this.watermarks[topic] ?? -1, buffer.lastOffset);
    for (const message of messages) {
      const offset = Number(message.offset);
      if (offset > after) buffer.push(message, offset);
    }
    if (messages.length) this.fetched(topic, Number(messages.at(-1)!.offset) + 1, highWatermark);
    await this.drain();
  }

  /** Records how far the consumer has fetched an input (kafkajs reports batches of transaction markers only here). */
  fetched(topic: string, position: number, highWatermark?: string): void {
    this.fetchPositions.set(topic, Math.max(this.fetchPositions.get(topic) ?? 0, position));
    if (highWatermark !== undefined) this.endOffsets.set(topic, Math.max(this.endOffsets.get(topic) ?? 0, Number(highWatermark)));
  }

  /** An input partition's end offset read from the broker: a task that waits (an outage, a paused input) fetches nothing, yet its lag grows. */
  brokerEndOffset(topic: string, end: number): void {
    this.brokerEndOffsets.set(topic, Math.max(this.brokerEndOffsets.get(topic) ?? 0, end));
  }

  /** The memory this task's buffered records hold, approximately. */
  get bufferedBytes(): number {
    let bytes = 0;
    for (const buffer of this.buffers.values()) bytes += buffer.bytes;
    return bytes;
  }

  /**
   * Per input, the records not applied yet: the partition's end offset (as last fetched or
   * read from the broker) minus the task's position, which is the first record of the unit being applied, else
   * the first buffered one, else the offset after the last one applied, fetched or skipped
   * (transaction markers included, as a Kafka consumer's position). Equals the end offset
   * minus the group's committed offset whenever the task waits between units.
   */
  /** The task's saga instances by state, as its last committed units reported them. */
  sagaInstances(): Array<{ saga: string; state: string; count: number }> {
    return this.deps.metrics.sagaInstanceCounts();
  }

  lags(): Array<{ topic: string; partition: number; lag: number }> {
    return this.deps.subtopology.sourceTopics.map((topic) => {
      const position =
        this.applying.get(topic) ?? this.buffers.get(topic)?.at(0)?.offset ?? Math.max(this.fetchPositions.get(topic) ?? 0, (this.watermarks[topic] ?? -1) + 1);
      const end = Math.max(this.endOffsets.get(topic) ?? 0, this.brokerEndOffsets.get(topic) ?? 0);
      return { topic, partition: this.deps.partition, lag: Math.max(0, end - position) };
    });
  }

  /** Applies buffered records in units of at most `unitRecords`, while the timestamp order is known. */
  async drain(): Promise<void> {
    for (;;) {
      await this.decodeHeads();
      const unit = this.nextUnit();
      if (!unit.length) return;
      await this.runInputs(unit);
    }
  }

  /**
   * Decodes what the next unit may take, the first `unitRecords` records of each input, so a
   * record is decoded right before it is applied and its decoded form dies young. Serdes
   * answer from their caches without a promise; a record that needs the registry is read
   * asynchronously, and a registry outage is waited out by all such records together (one
   * warning per retry round), never dead-lettered.
   */
  private async decodeHeads(): Promise<void> {
    const slow: Array<{ topic: string; input: BufferedInput }> = [];
    for (const [topic, buffer] of this.buffers) {
      const n = Math.min(this.deps.unitRecords, buffer.length);
      for (let i = 0; i < n; i++) {
        const input = buffer.at(i)!;
        if (input.decoded) continue;
        input.decoded = this.decodeCached(topic, input.message);
        if (!input.decoded) slow.push({ topic, input });
      }
    }
    if (!slow.length) return;
    await withRegistryRetry(
      () =>
        Promise.all(
          slow.map(async ({ topic, input }) => {
            input.decoded ??= await this.decode(topic, input.message);
          }),
        ),
      {
        signal: this.deps.signal,
        onRetry: (error, attempt, delayMs) => {
          this.deps.metrics.registryRetried();
          this.deps.logger.warn({ task: this.id, topics: [...new Set(slow.map((s) => s.topic))], records: slow.length, attempt, delayMs, err: error }, 'registry unavailable; retrying');
        },
      },
    );
  }

  /**
   * The next unit: up to `unitRecords` decoded inputs, the earliest head among the inputs
   * first (ties to the input declared first), stopping where an input not caught up has
   * nothing buffered.
   */
  private nextUnit(): Array<{ topic: string; input: Input }> {
    const topics = this.deps.subtopology.sourceTopics;
    const unit: Array<{ topic: string; input: Input }> = [];
    const heads = topics.map(() => 0);
    const size = this.deps.unitRecords;
    while (unit.length < size) {
      let best = -1;
      let bestInput: Input | undefined;
      let bestTime = 0;
      for (let t = 0; t < topics.length; t++) {
        const topic = topics[t]!;
        const input = this.buffers.get(topic)!.at(heads[t]!);
        if (!input) {
          if (this.caughtUp(topic)) continue;
          return this.take(unit, heads); // this input has records we have not seen: wait for them
        }
        if (!input.decoded) return this.take(unit, heads); // decoded by the next drain round
        // One input needs no timestamps: its offset order is the order.
        const time = topics.length === 1 ? 0 : this.timestampOf(topic, input as Input);
        if (best < 0 || time < bestTime) {
          best = t;
          bestInput = input as Input;
          bestTime = time;
        }
      }
      if (best < 0) break;
      unit.push({ topic: topics[best]!, input: bestInput! });
      heads[best]!++;
    }
    return this.take(unit, heads);
  }

  private take<T>(unit: T[], heads: readonly number[]): T[] {
    this.deps.subtopology.sourceTopics.forEach((topic, t) => {
      if (heads[t]) this.buffers.get(topic)!.drop(heads[t]!);
    });
    return unit;
  }

  /** Everything of this input up to its end offset has been fetched (and maybe buffered). */
  private caughtUp(topic: string): boolean {
    const end = this.endOffsets.get(topic);
    const position = Math.max(this.fetchPositions.get(topic) ?? 0, (this.watermarks[topic] ?? -1) + 1);
    return end !== undefined && position >= end;
  }

  private timestampOf(topic: string, input: Input): number {
    if (!('record' in input.decoded)) return Number(input.message.timestamp);
    const extract = this.sources.get(topic)!.timestampExtractor;
    return extract ? extract(input.decoded.record) : input.decoded.record.timestamp;
  }

  /** One unit of inputs, in the order chosen: load their keys, run, commit, send. */
  private async runInputs(unit: ReadonlyArray<{ topic: string; input: Input }>): Promise<void> {
    const started = performance.now();
    this.applying = new Map();
    for (const { topic, input } of unit) if (!this.applying.has(topic)) this.applying.set(topic, input.offset);
    const keys = new Map<string, unknown>();
    for (const { input } of unit) if ('record' in input.decoded && input.decoded.record.key !== null) keys.set(JSON.stringify(input.decoded.record.key), input.decoded.record.key);
    await this.deps.retry('load state', () => this.deps.metrics.redis('load', () => this.deps.state.load(this.prefetch([...keys.values()]))));
    if (!this.processedAny) {
      this.processedAny = true;
      this.deps.logger.info({ task: this.id, topic: unit[0]!.topic, offset: unit[0]!.input.offset }, 'first record since claim');
    }
    const watermarks: Record<string, number> = {};
    const consumed = new Map<string, number>();
    for (const { topic, input } of unit) {
      watermarks[topic] = Math.max(watermarks[topic] ?? -1, input.offset);
      consumed.set(topic, (consumed.get(topic) ?? 0) + 1);
    }
    await this.runUnit((poisoned) => {
      for (const { topic, input } of unit) {
        this.trigger = `${topic}/${this.deps.partition}/${input.offset}`;
        this.triggerCount = 0;
        this.current = this.trigger;
        const reason = 'unreadable' in input.decoded ? input.decoded.unreadable : poisoned.size ? poisoned.get(this.trigger) : undefined;
        if (reason !== undefined) this.collected.push(this.deadLetter(topic, input, reason));
        else if ('record' in input.decoded) this.task.process(topic, input.decoded.record);
      }
    }, watermarks, consumed);
    this.applying = new Map();
    this.deps.metrics.unitDone((performance.now() - started) / 1000);
  }

  /** Runs the wall-clock punctuations now due, and commits what they did. */
  async punctuate(): Promise<void> {
    const now = this.deps.wallClockTime();
    await this.runUnit(() => {
      this.trigger = `wall-clock/${this.id}/${now}`;
      this.triggerCount = 0;
      this.task.punctuateWallClock();
    }, {}, new Map());
    await this.commitPastSkipped();
  }

  /** Releases the task's memory and producer; its state stays in Redis for the next owner. */
  async close(): Promise<void> {
    this.deps.logger.info({ task: this.id }, 'task closed');
    this.deps.state.close();
    await this.deps.sender.close().catch((error: unknown) => this.deps.logger.warn({ err: error, task: this.id }, 'closing the producer failed'));
  }

  private processedAny = false;

  /** The input being processed (`<topic>/<partition>/<offset>`); undefined in a wall-clock punctuation. */
  private current: string | undefined;

  /**
   * Runs `work` until it completes without touching unloaded state, then commits and
   * sends. A miss rolls the unit back, loads what was missing and runs it again; a
   * record whose processing throws is rolled back with it and dead-lettered on the next
   * run (`poisoned`), so one bad record never blocks its partition.
   */
  private async runUnit(work: (poisoned: ReadonlyMap<string, unknown>) => void, watermarks: Record<string, number>, consumed: ReadonlyMap<string, number>): Promise<void> {
    const schedule = this.task.punctuationSchedule();
    const poisoned = new Map<string, unknown>();
    let encoded: OutboxRecord[];
    for (;;) {
      this.collected = [];
      this.current = undefined;
      this.deps.metrics.unitDiscarded();
      try {
        work(poisoned);
      } catch (error) {
        await this.restart(schedule);
        const miss = missOf(error);
        if (miss) {
          await this.deps.retry('load state', () => this.deps.state.load([miss.request]));
        } else if (error instanceof ProcessingError && this.current !== undefined) {
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
      poisoned.set(serialized.trigger, serialized.error);
    }
    if (!encoded.length && !this.deps.state.dirty && !Object.keys(watermarks).length) return;
    const started = performance.now();
    // One entry per unit: the commit appends one element, the trim removes it.
    const outbox = encoded.length ? [encodeOutbox(encoded)] : [];
    await this.deps.retry('commit', () => this.deps.metrics.redis('commit', () => this.deps.state.commit({ watermarks, outbox })));
    Object.assign(this.watermarks, watermarks);
    this.deps.metrics.unitCommitted(consumed);
    this.deps.afterStateCommit?.();
    await this.deps.retry('send', () => this.send(encoded, this.positions(Object.keys(watermarks))));
    this.deps.metrics.sent(encoded, this.sinkTopics, this.deps.wallClockTime());
    if (outbox.length) await this.deps.retry('trim outbox', () => this.deps.metrics.redis('trim', () => this.deps.state.trimOutbox(outbox.length)));
    this.deps.metrics.commitDone((performance.now() - started) / 1000);
  }

  private async restart(schedule: readonly number[]): Promise<void> {
    this.deps.state.rollback();
    this.task = this.build();
    this.task.restorePunctuationSchedule(schedule);
  }

  /** Sends records and commits the group's offsets (with them, under exactly_once), and remembers what it committed. */
  private async send(records: readonly OutboxRecord[], positions: readonly InputPosition[]): Promise<void> {
    await this.deps.sender.send(records, positions);
    for (const { topic, offset } of positions) this.committedPositions.set(topic, offset);
  }

  /**
   * Commits, for each input with nothing buffered or being applied, the consumer's fetch
   * position when it is past the last committed offset: what lies between is only records
   * the task skipped (at or below its watermark) and transaction markers, which no unit
   * commits. Kafka Streams commits the consumer's position there too. Without it, an
   * application reading a topic an exactly_once writer fills shows a lag of 1 per partition
   * for good (the commit marker), and a shadow replay waiting for a group to reach the log
   * end waits forever.
   */
  private async commitPastSkipped(): Promise<void> {
    const positions = this.deps.subtopology.sourceTopics.flatMap((topic): InputPosition[] => {
      const fetched = this.fetchPositions.get(topic);
      if (fetched === undefined || this.buffers.get(topic)!.length || this.applying.has(topic)) return [];
      const committed = this.committedPositions.get(topic) ?? (this.watermarks[topic] ?? -1) + 1;
      return fetched > committed ? [{ topic, partition: this.deps.partition, offset: fetched }] : [];
    });
    if (positions.length) await this.deps.retry('commit skipped offsets', () => this.send([], positions));
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
      output: (record) => this.collected.push({ record, id: `${this.trigger}/${this.triggerCount++}`, trigger: this.current }),
      recordDropped: (node, reason) => this.deps.metrics.recordDropped(node, reason),
      recordForwarded: (node) => this.deps.metrics.recordForwarded(node),
      sagaInstances: (saga, byState) => this.deps.metrics.sagaInstances(saga, byState),
      sagaCompensated: (saga, cause) => this.deps.metrics.sagaCompensated(saga, cause),
    });
  }

  /** The input read from the serdes' caches, or undefined when a serde needs the registry first. */
  private decodeCached(topic: string, message: KafkaMessage): Decoded | undefined {
    const serdes = this.sources.get(topic)!.serdes;
    try {
      const key = message.key === null ? null : serdes.key.deserializeSync ? serdes.key.deserializeSync(topic, message.key) : NOT_CACHED;
      if (key === NOT_CACHED) return undefined;
      const value = message.value === null ? null : serdes.value.deserializeSync ? serdes.value.deserializeSync(topic, message.value) : NOT_CACHED;
      if (value === NOT_CACHED) return undefined;
      return { record: this.recordOf(topic, message, key, value) };
    } catch (error) {
      if (this.deps.signal.aborted || !isRecordFault(error)) throw error;
      return { unreadable: error };
    }
  }

  private async decode(topic: string, message: KafkaMessage): Promise<Decoded> {
    const serdes = this.sources.get(topic)!.serdes;
    try {
      const [key, value] = await Promise.all([
        this.read(serdes.key, topic, message.key),
        this.read(serdes.value, topic, message.value),
      ]);
      return { record: this.recordOf(topic, message, key, value) };
    } catch (error) {
      if (this.deps.signal.aborted || !isRecordFault(error)) throw error;
      return { unreadable: error };
    }
  }

  private recordOf(topic: string, message: KafkaMessage, key: unknown, value: unknown): AnyRecord {
    return {
      key,
      value,
      timestamp: Number(message.timestamp),
      headers: headersOf(message),
      topic,
      partition: this.deps.partition,
      offset: Number(message.offset),
    };
  }

  /** Null bytes are null (a tombstone, or no key). A registry outage rejects: the batch waits it out (decodeHeads), never dead-letters it. */
  private read(serde: Serdes<unknown, unknown>['key'], topic: string, bytes: Buffer | null): Promise<unknown> {
    if (bytes === null) return Promise.resolve(null);
    return serde.deserialize(topic, bytes);
  }

  private deadLetter(topic: string, input: Input, reason: unknown): OutboxRecord {
    const { message } = input;
    const origin = { topic, partition: this.deps.partition, offset: message.offset, timestamp: message.timestamp };
    const failure = deadLetterHeaders(reason, origin, this.deps.wallClockTime());
    const to = this.deps.deadLetterTopic(topic);
    this.deps.logger.warn({ task: this.id, topic, deadLetterTopic: to, offset: message.offset, err: reason }, 'record dead-lettered');
    this.deps.metrics.recordDeadLettered(topic, failure[DLQ_HEADERS.errorCode]!);
    return {
      topic: to,
      partition: undefined,
      key: message.key,
      value: message.value,
      timestamp: Number(message.timestamp),
      headers: { ...headersOf(message), ...failure, [OUTPUT_ID_HEADER]: `${this.trigger}/${this.triggerCount++}` },
    };
  }

  /** Serializes the unit's outputs; a value its sink cannot write poisons the input that caused it. */
  private async serialize(): Promise<{ ok: true; records: OutboxRecord[] } | { ok: false; trigger: string; error: unknown }> {
    const records: OutboxRecord[] = [];
    for (const collected of this.collected) {
      if (!('id' in collected)) {
        records.push(collected);
        continue;
      }
      const { record: output, id, trigger } = collected;
      const sink = this.sinks.get(output.topic)!;
      try {
        let key = this.writeCached(sink.serdes.key, output.topic, output.key);
        let value = this.writeCached(sink.serdes.value, output.topic, output.value);
        if (key === NOT_CACHED || value === NOT_CACHED) {
          [key, value] = await Promise.all([
            key === NOT_CACHED ? this.write(sink.serdes.key, output.topic, output.key) : key,
            value === NOT_CACHED ? this.write(sink.serdes.value, output.topic, output.value) : value,
          ]);
        }
        records.push({ topic: output.topic, partition: output.partition, key, value, timestamp: output.timestamp, headers: withOutputId(output.headers, id) });
      } catch (error) {
        // Outputs of a wall-clock punctuation have no input to blame: the task stops, loudly.
        if (this.deps.signal.aborted || trigger === undefined || !isRecordFault(error)) throw error;
        this.deps.logger.warn({ task: this.id, err: error, topic: output.topic }, 'an output cannot be serialized; dead-lettering its input');
        return { ok: false, trigger, error };
      }
    }
    return { ok: true, records };
  }

  /** The bytes from the serde's caches, or NOT_CACHED when it needs the registry first. */
  private writeCached(serde: Serdes<unknown, unknown>['key'], topic: string, value: unknown): Buffer | null | typeof NOT_CACHED {
    if (value === null || value === undefined) return null;
    return serde.serializeSync ? serde.serializeSync(topic, value) : NOT_CACHED;
  }

  private write(serde: Serdes<unknown, unknown>['key'], topic: string, value: unknown): Promise<Buffer | null> {
    if (value === null || value === undefined) return Promise.resolve(null);
    return withRegistryRetry(() => serde.serialize(topic, value), { signal: this.deps.signal });
  }
}

/**
 * An error the record (or the user code that made it) caused, so dead-lettering it is
 * right: bytes that cannot be read, a value its schema refuses, or a user serde's own
 * error. Errors of the setup (an unregistered schema, registry credentials, an unbound
 * serde) are not: every record would fail alike, so the worker stops and says why.
 */
function isRecordFault(error: unknown): boolean {
  return error instanceof DeserializationError || error instanceof SerializationError || !(error instanceof TributaryError);
}

function missOf(error: unknown): StateNotLoadedError | undefined {
  if (error instanceof StateNotLoadedError) return error;
  if (error instanceof ProcessingError && error.cause instanceof StateNotLoadedError) return error.cause;
  return undefined;
}

/** The output's headers and its id. Most outputs have no other header: for them a literal, cheaper than a spread. */
function withOutputId(headers: OutputRecord['headers'], id: string): Record<string, string> {
  for (const name in headers) if (Object.hasOwn(headers, name)) return { ...headers, [OUTPUT_ID_HEADER]: id };
  return { [OUTPUT_ID_HEADER]: id };
}

function headersOf(message: KafkaMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  const raw = message.headers;
  for (const name in raw) {
    const value = Array.isArray(raw[name]) ? raw[name][0] : raw[name];
    if (value !== undefined) headers[name] = value.toString();
  }
  return headers;
}
