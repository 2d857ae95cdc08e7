import type { Serdes } from './serdes.ts';

/** Names the node an operator adds (Kafka Streams' `Named`); names show in `describe()` and metrics. */
export interface Named {
  readonly name?: string;
}

/** How a sink writes (`Produced`). */
export interface Produced<K, V> extends Named {
  readonly serdes?: Serdes<K, V>;
}

/** How records are regrouped before an aggregation (`Grouped`); the name names the repartition topic. */
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
}
