import type { Serde } from '../schemas/serde.ts';

/**
 * The pair of serdes a source reads with or a sink writes with. Null keys and null
 * values (tombstones) never reach a serde: the runtime maps them to and from null bytes.
 */
export interface Serdes<K, V> {
  readonly key: Serde<NonNullable<K>>;
  readonly value: Serde<NonNullable<V>>;
}
