/**
 * A table replicated to every task (`GlobalKTable`): joined by a key computed from
 * the stream record, so the stream needs no co-partitioning with it.
 */
export class GlobalTable<K, V> {
  /** Carries the key and value types for joins; never read at run time. */
  declare readonly types?: { key: K; value: V };

  constructor(
    /** The topic the table is read from. */ readonly topic: string,
    /** The store that holds the table. */ readonly store: string,
  ) {}
}
