import type { Serdes } from './serdes.ts';

/** Names the node an operator adds (Kafka Streams' `Named`); names show in `describe()` and metrics. */
export interface Named {
  readonly name?: string;
}

/** How a sink writes (`Produced`). */
export interface Produced<K, V> extends Named {
  readonly serdes?: Serdes<K, V>;
}

/**
 * How records are regrouped before an aggregation (`Grouped`): the name names the repartition
 * topic (and, for `Table#groupBy`, the KTABLE-SELECT node too, as in Kafka Streams); the serdes
 * are the repartition topic's (a table's changes are framed around the value serde).
 */
export interface Grouped<K, V> extends Named {
  readonly serdes?: Serdes<K, V>;
}

/** An explicit repartition (`Repartitioned`): topic name, partition count, serdes. */
export interface Repartitioned<K, V> extends Named {
  readonly serdes?: Serdes<K, V>;
  readonly partitions?: number;
}

/** Where a table or aggregate keeps its state (`Materialized`); the store name is what queries use. */
export interface Materialized extends Named {
  readonly store?: string;
  /**
   * How long a windowed aggregation's store keeps a window (`Materialized#withRetention`):
   * at least what the windows need (time windows: size + grace; sliding: 2 × time
   * difference + grace; sessions: gap + grace), else the topology is refused. Default:
   * what the windows need (time windows: at least a day, as in Kafka Streams).
   */
  readonly retentionMs?: number;
}

/**
 * How a stream-stream join names its parts (`StreamJoined`). With a name, its processors
 * are `<name>-this-windowed`, `<name>-this-join`, … `<name>-merge`, and the repartition
 * topics of key-changed inputs `<app>-<name>-left-repartition` / `-right-repartition`.
 */
export interface StreamJoined<K, V, VO> extends Named {
  /** Base name of the join's stores: `<storeName>-this-join-store`, `<storeName>-other-join-store` (and `-outer-` variants). */
  readonly storeName?: string;
  /** Serdes of this stream, for its repartition topic. */
  readonly serdes?: Serdes<K, V>;
  /** Serdes of the other stream, for its repartition topic. */
  readonly otherSerdes?: Serdes<K, VO>;
}

/** How a stream-table join names its processor and the stream's repartition topic (`Joined`). */
export interface Joined<K, V> extends Named {
  /** Serdes of the stream, for its repartition topic. */
  readonly serdes?: Serdes<K, V>;
}
