import type { StoreDefinition } from '../state/storeDefinition.ts';
import { GlobalTable } from './globalTable.ts';
import type { ProcessorNode, SinkNode, SourceNode, TimestampExtractor, Topology, TopologyNode } from './topologyGraph.ts';
import { Stream } from './stream.ts';
import { Table } from './table.ts';
import { tableSource } from './operators/tableSource.ts';
import type { Serdes } from './serdes.ts';
import { subtopologiesOf } from './subtopologies.ts';
import { TableOldValues } from './tableOldValues.ts';
import { TopologyError } from './topologyError.ts';

/** Options of a topology as a whole. */
export interface TopologyOptions {
  /** Serdes for every source, sink and internal topic that does not name its own. */
  readonly serdes?: Serdes<unknown, unknown>;
}

/** How a source reads its topic (Kafka Streams' `Consumed`). */
export interface Consumed<K, V> {
  readonly serdes?: Serdes<K, V>;
  readonly name?: string;
  readonly timestampExtractor?: TimestampExtractor;
}

/** How a table is read and where it is kept (`Consumed` + `Materialized`). */
export interface TableOptions<K, V> extends Consumed<K, V> {
  /** The store that holds the table; queryable by this name. */
  readonly store?: string;
}

/**
 * Declares a topology: the user's whole world (`topology('orders-app')…`). Nothing
 * here touches Kafka, Redis or HTTP; `build()` returns the immutable graph that the
 * runtime and the test driver run.
 */
export class TopologyBuilder {
  private readonly nodes: TopologyNode[] = [];
  private readonly stores = new Map<string, StoreDefinition>();
  private readonly internalTopics = new Map<string, { name: string; kind: 'repartition'; partitions?: number }>();
  private readonly coPartitionGroups: string[][] = [];
  private readonly globalTopics: string[] = [];
  private counter = 0;

  constructor(
    readonly name: string,
    readonly options: TopologyOptions = {},
  ) {
    if (!/^[a-zA-Z0-9._-]+$/.test(name)) throw new TopologyError(`topology name '${name}' may use only letters, digits, '.', '_' and '-'`);
  }

  /** A record stream read from one or more topics (`StreamsBuilder.stream`). */
  stream<K, V>(topics: string | readonly string[], consumed: Consumed<K, V> = {}): Stream<K, V> {
    const source = this.addSource(typeof topics === 'string' ? [topics] : topics, consumed, 'KSTREAM-SOURCE', false);
    return new Stream<K, V>(this, source.name, [...source.topics], false, consumed.serdes);
  }

  /**
   * A changelog read as a table (`StreamsBuilder.table`): each record upserts its key,
   * a null value (tombstone) deletes it. The table is materialized in a store, and
   * forwards each update with the value it replaces.
   */
  table<K, V>(topic: string, options: TableOptions<K, V> = {}): Table<K, V> {
    // Kafka Streams names the store before the source (StreamsBuilder#table), so it takes the first number.
    const store = this.addStore({ name: options.store ?? this.nextName(`${topic}-STATE-STORE`), kind: 'keyValue' });
    const source = this.addSource([topic], options, 'KSTREAM-SOURCE', false);
    const node = this.addProcessor('KTABLE-SOURCE', [source.name], [store.name], (ctx, [input]) => input!.pipe(tableSource(ctx, store.name)));
    return new Table<K, V>(this, node.name, [topic], store.name, options.serdes, undefined, undefined, TableOldValues.source(options.store !== undefined));
  }

  /**
   * A table of which every task sees all partitions (`StreamsBuilder.globalTable`):
   * no co-partitioning needed to join it, looked up by a key computed from the stream.
   */
  globalTable<K, V>(topic: string, options: TableOptions<K, V> = {}): GlobalTable<K, V> {
    const store = this.addStore({ name: options.store ?? this.nextName(`${topic}-STATE-STORE`), kind: 'keyValue', global: true });
    const source = this.addSource([topic], options, 'KSTREAM-SOURCE', false);
    this.addProcessor('KTABLE-SOURCE', [source.name], [store.name], (ctx, [input]) => input!.pipe(tableSource(ctx, store.name)));
    this.globalTopics.push(topic);
    return new GlobalTable<K, V>(topic, store.name);
  }

  /** Declares a store for custom processors (`Topology.addStateStore`). */
  addStore(definition: StoreDefinition): StoreDefinition {
    if (this.stores.has(definition.name)) throw new TopologyError(`store '${definition.name}' is declared twice`);
    this.stores.set(definition.name, definition);
    return definition;
  }

  /** Validates the graph and returns it, immutable. Throws a TopologyError naming the node at fault. */
  build(): Topology {
    for (const node of this.nodes) {
      if (node.kind !== 'processor') continue;
      for (const store of node.stores) {
        if (!this.stores.has(store)) throw new TopologyError(`processor '${node.name}' uses store '${store}', which is not declared`);
      }
    }
    const nodes = [...this.nodes];
    const stores = new Map(this.stores);
    return Object.freeze({
      name: this.name,
      nodes,
      stores,
      internalTopics: [...this.internalTopics.values()],
      coPartitionGroups: this.coPartitionGroups.map((g) => [...g]),
      subtopologies: subtopologiesOf(nodes, stores),
      globalTopics: [...this.globalTopics],
    });
  }

  // ---- used by the DSL classes; not part of the user's API ----

  /** `PREFIX-0000000007`, unique in this topology, as Kafka Streams names its nodes. */
  nextName(prefix: string): string {
    return `${prefix}-${String(this.counter++).padStart(10, '0')}`;
  }

  /**
   * A part of a named operation: `<name><suffix>` if the user named it, else `PREFIX-n`. A
   * number is taken either way, as Kafka Streams does (`NamedInternal#suffixWithOrElseGet`), so
   * naming one operation does not renumber the nodes after it.
   */
  partName(name: string | undefined, suffix: string, prefix: string): string {
    const generated = this.nextName(prefix);
    return name === undefined ? generated : `${name}${suffix}`;
  }

  /** The serdes to use where a node names none: the node's, then the topology's; else the node is at fault. */
  serdesFor<K, V>(node: string, serdes: Serdes<K, V> | undefined, sinkTopic?: string): Serdes<unknown, unknown> {
    const chosen = (serdes ?? this.options.serdes) as Serdes<unknown, unknown> | undefined;
    const what = sinkTopic === undefined ? `'${node}'` : `'${node}' (writing to '${sinkTopic}')`;
    if (!chosen) throw new TopologyError(`${what} has no serdes: pass serdes to it or give the topology default serdes`);
    return chosen;
  }

  addSource(topics: readonly string[], consumed: Consumed<unknown, unknown> | Consumed<never, never>, prefix: string, internal: boolean): SourceNode {
    if (topics.length === 0) throw new TopologyError('a source needs at least one topic');
    const name = this.claimName(consumed.name, prefix);
    for (const node of this.nodes) {
      const taken = node.kind === 'source' ? node.topics.find((t) => topics.includes(t)) : undefined;
      if (taken) throw new TopologyError(`source '${name}' reads topic '${taken}', which source '${node.name}' already reads`);
    }
    const source: SourceNode = {
      kind: 'source',
      name,
      topics: [...topics],
      serdes: this.serdesFor(name, consumed.serdes as Serdes<unknown, unknown> | undefined),
      internal,
      ...(consumed.timestampExtractor ? { timestampExtractor: consumed.timestampExtractor } : {}),
    };
    this.nodes.push(source);
    return source;
  }

  addProcessor(prefixOrName: string, parents: readonly string[], stores: readonly string[], build: ProcessorNode['build'], name?: string): ProcessorNode {
    const node: ProcessorNode = { kind: 'processor', name: this.claimName(name, prefixOrName), parents: [...parents], stores: [...stores], build };
    this.nodes.push(node);
    return node;
  }

  addSink(
    parents: string | readonly string[],
    topic: string,
    serdes: Serdes<unknown, unknown> | undefined,
    internal: boolean,
    name?: string,
    partitioner?: SinkNode['partitioner'],
  ): SinkNode {
    const sinkName = this.claimName(name, 'KSTREAM-SINK');
    const node: SinkNode = {
      kind: 'sink',
      name: sinkName,
      parents: typeof parents === 'string' ? [parents] : [...parents],
      topic,
      serdes: this.serdesFor(sinkName, serdes, topic),
      internal,
      ...(partitioner ? { partitioner } : {}),
    };
    this.nodes.push(node);
    return node;
  }

  /** `<app>-<name>-repartition`, created by the runtime with the partition count of the topics feeding it. */
  addRepartitionTopic(name: string, partitions?: number): string {
    return this.addInternalTopic(`${name}-repartition`, partitions);
  }

  /** `<app>-<name>`, an internal topic sized as a repartition topic is (a foreign-key join's names end in `-topic`). */
  addInternalTopic(name: string, partitions?: number): string {
    const topic = `${this.name}-${name}`;
    if (this.internalTopics.has(topic)) throw new TopologyError(`internal topic name '${name}' is used twice`);
    this.internalTopics.set(topic, { name: topic, kind: 'repartition', ...(partitions ? { partitions } : {}) });
    return topic;
  }

  /** Records that these topics must have equal partition counts; the runtime checks at start. */
  requireCoPartitioned(topics: readonly string[]): void {
    const unique = [...new Set(topics)];
    if (unique.length > 1) this.coPartitionGroups.push(unique);
  }

  private claimName(name: string | undefined, prefix: string): string {
    const chosen = name ?? this.nextName(prefix);
    if (this.nodes.some((n) => n.name === chosen)) throw new TopologyError(`node name '${chosen}' is used twice`);
    return chosen;
  }
}

/** Starts a topology declaration; `name` is the application id (consumer group, key prefix). */
export function topology(name: string, options?: TopologyOptions): TopologyBuilder {
  return new TopologyBuilder(name, options);
}
