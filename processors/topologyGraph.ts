import type { Observable } from 'rxjs';
import type { StoreDefinition } from '../state/storeDefinition.ts';
import type { ProcessorContext } from './processorContext.ts';
import type { StreamRecord } from './record.ts';
import type { Serdes } from './serdes.ts';

/** A record whose types the graph no longer tracks: typing lives in the DSL classes. */
export type AnyRecord = StreamRecord<unknown, unknown>;

/** Reads the event time of an input record; the default is the Kafka record timestamp. */
export type TimestampExtractor = (record: AnyRecord) => number;

/** Reads one or more topics into the topology. */
export interface SourceNode {
  readonly kind: 'source';
  readonly name: string;
  readonly topics: readonly string[];
  readonly serdes: Serdes<unknown, unknown>;
  readonly timestampExtractor?: TimestampExtractor;
  /** Reads a topic the topology itself writes (a repartition topic). */
  readonly internal: boolean;
}

/**
 * A processing step. `build` wires the step for one task: it receives its parents'
 * record streams in `parents` order and returns the stream of records it forwards.
 */
export interface ProcessorNode {
  readonly kind: 'processor';
  readonly name: string;
  readonly parents: readonly string[];
  readonly stores: readonly string[];
  readonly build: (context: ProcessorContext, inputs: ReadonlyArray<Observable<AnyRecord>>) => Observable<AnyRecord>;
}

/** Writes records to a topic. */
export interface SinkNode {
  readonly kind: 'sink';
  readonly name: string;
  readonly parents: readonly string[];
  readonly topic: string;
  readonly serdes: Serdes<unknown, unknown>;
  readonly internal: boolean;
  /** The partition a record goes to (Kafka Streams' `StreamPartitioner`); without one, or when it answers undefined, the key decides. */
  readonly partitioner?: (record: AnyRecord) => number | undefined;
}

export type TopologyNode = SourceNode | ProcessorNode | SinkNode;

/** A topic the application creates and owns, named `<app>-<name>-repartition`. */
export interface InternalTopic {
  readonly name: string;
  readonly kind: 'repartition';
  /** Repartition topics take the partition count of the topics that feed them, unless set. */
  readonly partitions?: number;
}

/** The processors of one subtopology: connected nodes, cut at internal topics. */
export interface Subtopology {
  readonly id: number;
  readonly nodes: readonly TopologyNode[];
  readonly sourceTopics: readonly string[];
  readonly sinkTopics: readonly string[];
  readonly stores: readonly string[];
}

/**
 * A built topology: what `topology(name)…build()` returns and what the runtime, the
 * test driver and `describe()` read. Immutable.
 */
export interface Topology {
  readonly name: string;
  /** In creation order, so parents come before children. */
  readonly nodes: readonly TopologyNode[];
  readonly stores: ReadonlyMap<string, StoreDefinition>;
  readonly internalTopics: readonly InternalTopic[];
  /** Topics that must have the same partition count (joined streams and tables). */
  readonly coPartitionGroups: ReadonlyArray<readonly string[]>;
  readonly subtopologies: readonly Subtopology[];
  /** Topics read into global tables: every task sees all their partitions. */
  readonly globalTopics: readonly string[];
}
