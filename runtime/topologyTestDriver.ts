import type { DropReason } from '../processors/processorContext.ts';
import type { Headers, StreamRecord } from '../processors/record.ts';
import type { TopologyBuilder } from '../processors/topologyBuilder.ts';
import type { Topology } from '../processors/topologyGraph.ts';
import type { KeyValueStore } from '../state/keyValueStore.ts';
import { InMemoryKeyValueStore } from '../state/memory/inMemoryKeyValueStore.ts';
import { inMemoryStoreFor } from '../state/memory/inMemoryStoreFor.ts';
import type { SessionStore } from '../state/sessionStore.ts';
import type { StateStore } from '../state/stateStore.ts';
import type { WindowStore } from '../state/windowStore.ts';
import { TopologyTask, type OutputRecord } from './topologyTask.ts';

/** A record read from an output topic of the test driver. */
export interface TestRecord<K, V> {
  readonly key: K;
  readonly value: V;
  readonly timestamp: number;
  readonly headers: Headers;
}

type InputRecord = Omit<StreamRecord<unknown, unknown>, 'topic' | 'partition' | 'offset'>;

/** Options of the test driver. */
export interface TestDriverOptions {
  /** The virtual wall clock's start, in epoch milliseconds (default 0). */
  readonly wallClockTimeMs?: number;
}

/**
 * Runs a topology in-process, with in-memory stores and no broker
 * (`TopologyTestDriver`). Deterministic: records are processed when piped, in order;
 * records written to a topic the topology reads (repartition topics) are processed
 * right after, before `pipe` returns; the wall clock moves only when told. One
 * partition per topic. Values are not serialized: tests see the objects themselves.
 */
export class TopologyTestDriver {
  readonly topology: Topology;
  private readonly tasks: TopologyTask[] = [];
  private readonly stores = new Map<string, StateStore>();
  private readonly outputs = new Map<string, OutputRecord[]>();
  /** How far each output topic has been read, shared by all handles to it. */
  private readonly readPositions = new Map<string, number>();
  private readonly offsets = new Map<string, number>();
  private readonly drops: Array<{ node: string; reason: DropReason }> = [];
  private readonly pending: Array<{ topic: string; record: OutputRecord }> = [];
  private wallClockMs: number;

  constructor(topology: Topology | TopologyBuilder, options: TestDriverOptions = {}) {
    this.topology = 'build' in topology ? topology.build() : topology;
    this.wallClockMs = options.wallClockTimeMs ?? 0;
    for (const definition of this.topology.stores.values()) this.stores.set(definition.name, inMemoryStoreFor(definition));
    const processorTimes = new InMemoryKeyValueStore<string, number>('processor-times');
    for (const subtopology of this.topology.subtopologies) {
      this.tasks.push(
        new TopologyTask(this.topology, subtopology, 0, {
          store: (name) => this.stores.get(name)!,
          processorTimes,
          wallClockTime: () => this.wallClockMs,
          output: (record) => this.capture(record),
          recordDropped: (node, reason) => this.drops.push({ node, reason }),
        }),
      );
    }
  }

  /** A handle to pipe records into `topic`, which the topology must read. */
  inputTopic<K, V>(topic: string): TestInputTopic<K, V> {
    if (!this.taskReading(topic)) throw new Error(`the topology does not read topic '${topic}'`);
    return new TestInputTopic<K, V>(this, topic);
  }

  /** A handle to read what the topology wrote to `topic`. */
  outputTopic<K, V>(topic: string): TestOutputTopic<K, V> {
    return new TestOutputTopic<K, V>(this.outputs, this.readPositions, topic);
  }

  /** Moves the virtual wall clock forward and runs the wall-clock punctuations now due. */
  advanceWallClockTime(ms: number): void {
    this.wallClockMs += ms;
    for (const task of this.tasks) task.punctuateWallClock();
    this.drain();
  }

  /** A key-value store by name. Aggregates keep `{ value, timestamp }` per key. */
  keyValueStore<K, V>(name: string): KeyValueStore<K, V> {
    return this.storeOf(name, 'keyValue') as KeyValueStore<K, V>;
  }

  /** A window store by name. Windowed aggregates keep `{ value, timestamp }` per key and window start. */
  windowStore<K, V>(name: string): WindowStore<K, V> {
    return this.storeOf(name, 'window') as WindowStore<K, V>;
  }

  /** A session store by name. */
  sessionStore<K, V>(name: string): SessionStore<K, V> {
    return this.storeOf(name, 'session') as SessionStore<K, V>;
  }

  /** The records operators dropped so far, with the node and the reason. */
  droppedRecords(): ReadonlyArray<{ node: string; reason: DropReason }> {
    return this.drops;
  }

  /** @internal Processes one input record and everything it feeds back. */
  pipe(topic: string, record: InputRecord): void {
    this.processOne(topic, record);
    this.drain();
  }

  /** Feeds back what the topology wrote to topics it reads, first written first. */
  private drain(): void {
    for (let next = this.pending.shift(); next; next = this.pending.shift()) {
      const { topic, record } = next;
      this.processOne(topic, { key: record.key, value: record.value, timestamp: record.timestamp, headers: record.headers });
    }
  }

  private processOne(topic: string, record: InputRecord): void {
    const offset = this.offsets.get(topic) ?? 0;
    this.offsets.set(topic, offset + 1);
    this.taskReading(topic)!.process(topic, { ...record, topic, partition: 0, offset });
  }

  private capture(record: OutputRecord): void {
    const list = this.outputs.get(record.topic) ?? [];
    list.push(record);
    this.outputs.set(record.topic, list);
    if (this.taskReading(record.topic)) this.pending.push({ topic: record.topic, record });
  }

  private taskReading(topic: string): TopologyTask | undefined {
    return this.tasks.find((t) => t.subtopology.sourceTopics.includes(topic));
  }

  private storeOf(name: string, kind: string): StateStore {
    const definition = this.topology.stores.get(name);
    if (!definition) throw new Error(`no store named '${name}' (stores: ${[...this.topology.stores.keys()].join(', ') || 'none'})`);
    if (definition.kind !== kind) throw new Error(`store '${name}' is a ${definition.kind} store, not a ${kind} store`);
    return this.stores.get(name)!;
  }
}

/** Pipes records into one input topic of a test driver (`TestInputTopic`). */
export class TestInputTopic<K, V> {
  constructor(
    private readonly driver: TopologyTestDriver,
    readonly topic: string,
  ) {}

  /** Processes one record with the given event time (default 0). */
  pipe(key: K, value: V, timestamp = 0, headers: Headers = {}): void {
    this.driver.pipe(this.topic, { key, value, timestamp, headers });
  }

  /** Processes several `[key, value, timestamp?]` records in order. */
  pipeAll(records: Iterable<readonly [K, V, number?]>): void {
    for (const [key, value, timestamp] of records) this.pipe(key, value, timestamp);
  }
}

/** Reads what a topology wrote to one topic (`TestOutputTopic`); reading consumes, for every handle to the topic. */
export class TestOutputTopic<K, V> {
  constructor(
    private readonly outputs: Map<string, OutputRecord[]>,
    private readonly positions: Map<string, number>,
    readonly topic: string,
  ) {}

  /** The records written since the last read, in order. */
  readRecords(): Array<TestRecord<K, V>> {
    const all = this.outputs.get(this.topic) ?? [];
    const unread = all.slice(this.positions.get(this.topic) ?? 0);
    this.positions.set(this.topic, all.length);
    return unread.map((r) => ({ key: r.key as K, value: r.value as V, timestamp: r.timestamp, headers: r.headers }));
  }

  /** The `[key, value]` pairs written since the last read. */
  readKeyValues(): Array<[K, V]> {
    return this.readRecords().map((r) => [r.key, r.value]);
  }

  /** The values written since the last read. */
  readValues(): V[] {
    return this.readRecords().map((r) => r.value);
  }

  isEmpty(): boolean {
    return (this.outputs.get(this.topic)?.length ?? 0) <= (this.positions.get(this.topic) ?? 0);
  }
}
