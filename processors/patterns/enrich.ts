import { GlobalTable } from '../globalTable.ts';
import type { Named } from '../options.ts';
import type { Serdes } from '../serdes.ts';
import type { Stream } from '../stream.ts';
import type { Table } from '../table.ts';

/** What the join yields for an event without a row when such events are dropped; never leaves `enrich`. */
const MISSING: unique symbol = Symbol('missing row');

/** What `enrich` does with an event whose table row is missing: drop it (counted as `missing-row`), or pass it to the mapper with a null row. */
export type MissingRowPolicy = 'drop' | 'pass';

/** The row the mapper gets: never null when missing rows are dropped. */
export type EnrichRow<VT, P extends MissingRowPolicy> = P extends 'pass' ? VT | null : VT;

/**
 * Options every `enrich` takes. A `name` names the join node, and after it `<name>-key` (the
 * re-keying), `<name>-drop-missing` and the repartition topic `<app>-<name>-repartition`.
 */
export interface EnrichOptions<P extends MissingRowPolicy> extends Named {
  /** Required: what to do when the table has no row for an event. */
  readonly missingRow: P;
}

/** Looking up a table by a key computed from the event: the events are repartitioned by it. */
export interface EnrichByKeyOptions<K, V, KT, P extends MissingRowPolicy> extends EnrichOptions<P> {
  readonly keyOf: (key: K, value: V) => KT;
  /** Serdes of the repartition topic (`<app>-<name or join node>-repartition`): the lookup key and the event. */
  readonly serdes?: Serdes<KT, V>;
}

/** Looking up a global table: by the event's key, or by `keyOf`; no repartitioning either way. */
export interface EnrichGlobalOptions<K, V, KT, P extends MissingRowPolicy> extends EnrichOptions<P> {
  readonly keyOf?: (key: K, value: V) => KT;
}

/**
 * Content enricher (Event-Carried State Transfer): turns each internal event into an
 * external one carrying what a table knows, `mapper(event, row)`. Built on the
 * stream–table left join, so Kafka Streams' semantics hold: each event looks the table up
 * as of its processing (a row written later does not reach earlier events; a deleted row,
 * by tombstone, is missing), keeps its own timestamp and headers, and table updates emit
 * nothing. Events with a null value are dropped (`null-value`).
 *
 * A missing row is handled as `missingRow` says: `'pass'` calls the mapper with a null
 * row; `'drop'` drops the event and counts it as `missing-row` (the output then comes from
 * a custom processor, so a join or aggregation after it repartitions first). An event
 * whose lookup key is null has no row in a global table; with a `Table` and `keyOf` it
 * has no partition either, and the repartition drops it (as Kafka Streams does).
 *
 * - A `Table` keyed as the events: looked up by the event's key; the two must be
 *   co-partitioned (a re-keyed stream is repartitioned first, as for any join).
 */
export function enrich<K, V, VT, VOut, P extends MissingRowPolicy>(
  events: Stream<K, V>,
  table: Table<K, VT>,
  mapper: (event: V, row: EnrichRow<VT, P>) => VOut,
  options: EnrichOptions<P> & { readonly serdes?: Serdes<K, V> },
): Stream<K, VOut>;
/**
 * - A `Table` keyed otherwise, with `keyOf`: the events are re-keyed by the lookup key and
 *   repartitioned through the DSL, so the enriched events are keyed by the lookup key.
 */
export function enrich<K, V, KT, VT, VOut, P extends MissingRowPolicy>(
  events: Stream<K, V>,
  table: Table<KT, VT>,
  mapper: (event: V, row: EnrichRow<VT, P>) => VOut,
  options: EnrichByKeyOptions<K, V, KT, P>,
): Stream<KT, VOut>;
/**
 * - A `GlobalTable`: looked up by `keyOf(key, event)` (default the event's key) in every
 *   task's copy of the whole table; the events keep their key and partitioning.
 */
export function enrich<K, V, KT, VT, VOut, P extends MissingRowPolicy>(
  events: Stream<K, V>,
  table: GlobalTable<KT, VT>,
  mapper: (event: V, row: EnrichRow<VT, P>) => VOut,
  options: EnrichGlobalOptions<K, V, KT, P>,
): Stream<K, VOut>;
export function enrich<K, V, KT, VT, VOut, P extends MissingRowPolicy>(
  events: Stream<K, V>,
  table: Table<KT, VT> | GlobalTable<KT, VT>,
  mapper: (event: V, row: EnrichRow<VT, P>) => VOut,
  options: EnrichGlobalOptions<K, V, KT, P> & { readonly serdes?: Serdes<KT, V> },
): Stream<unknown, VOut> {
  const drop = options.missingRow === 'drop';
  const joiner = (event: V, row: VT | null): VOut | typeof MISSING => (row === null && drop ? MISSING : mapper(event, row as EnrichRow<VT, P>));
  const keyOf = options.keyOf ?? ((key: K) => key as unknown as KT);
  let joined: Stream<unknown, VOut | typeof MISSING>;
  if (table instanceof GlobalTable) {
    joined = events.leftJoin(table, keyOf, joiner, { name: options.name }) as Stream<unknown, VOut | typeof MISSING>;
  } else {
    const keyed = options.keyOf ? events.selectKey(options.keyOf, { name: options.name && `${options.name}-key` }) : (events as unknown as Stream<KT, V>);
    joined = keyed.leftJoin(table, joiner, { name: options.name, serdes: options.serdes }) as Stream<unknown, VOut | typeof MISSING>;
  }
  if (!drop) return joined as Stream<unknown, VOut>;
  const kept: Stream<unknown, VOut> = joined.process<unknown, VOut>(
    (ctx) => ({
      process({ key, value }) {
        if (value === MISSING) ctx.recordDropped(kept.node, 'missing-row');
        else ctx.forward(key, value);
      },
    }),
    { name: options.name && `${options.name}-drop-missing` },
  );
  return kept;
}
