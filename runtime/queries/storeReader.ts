/**
 * The port query handlers read projections through: one row of a topology's store, by
 * key, as last committed, whichever worker owns the key's partition. Keys are the store's
 * keys as the topology has them (the record keys of the store's subtopology). Values are as
 * the store holds them: a DSL table's store (aggregate, count, reduce, windowed aggregate)
 * holds a `ValueAndTimestamp`, as Kafka Streams' timestamped stores do.
 */
export interface StoreReader {
  /** The value under `key` in the key-value store `store`, or undefined when there is none. */
  get<V>(store: string, key: unknown): Promise<V | undefined>;
  /** The value of `key`'s window that starts at `windowStart` (epoch ms) in the window store `store`, or undefined. */
  getWindow<V>(store: string, key: unknown, windowStart: number): Promise<V | undefined>;
}
