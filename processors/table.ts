import { filter as rxFilter, map, type Observable, type OperatorFunction } from 'rxjs';
import type { KeyValueStore } from '../state/keyValueStore.ts';
import { addForeignKeyJoin } from './foreignKeyJoin.ts';
import { GroupedTable } from './groupedTable.ts';
import type { Grouped, Materialized, Named } from './options.ts';
import { tableRepartitionMap } from './operators/tableRepartitionMap.ts';
import { tableJoinMerger } from './operators/tableJoinMerger.ts';
import { suppressUntilTimeLimit } from './operators/suppressUntilTimeLimit.ts';
import { tableTableJoin, type TableJoinSideKind } from './operators/tableTableJoin.ts';
import type { ProcessorContext } from './processorContext.ts';
import { withFields, type Change, type StreamRecord, type ValueAndTimestamp } from './record.ts';
import type { Serdes } from './serdes.ts';
import { Stream } from './stream.ts';
import type { TopologyBuilder } from './topologyBuilder.ts';
import { TableOldValues } from './tableOldValues.ts';
import { TopologyError } from './topologyError.ts';
import type { AnyRecord } from './topologyGraph.ts';

/** What the join overloads' implementations take: the overloads type the tables and joiners; the implementations only pass them on. */
type AnyJoiner = (...args: any[]) => unknown;
type AnyTable = Table<any, any>;

/** Reads a table's current value for a key, as joins need it (Kafka Streams' value getter). */
export type ValueGetter<K, V> = (key: K) => ValueAndTimestamp<V> | undefined;

/**
 * A changelog stream read as a table (`KTable<K, V>`): the latest value per key. Each
 * update flows downstream as `Change(new, old)`; `toStream()` turns it back into records.
 * Tables updates are forwarded one for one (no record cache), as Kafka Streams does with
 * caching disabled.
 */
export class Table<K, V> {
  constructor(
    /** @internal */ readonly builder: TopologyBuilder,
    /** @internal */ readonly node: string,
    /** @internal */ readonly sourceTopics: readonly string[],
    /** The store that holds this table, if it is materialized: the name queries use. */
    readonly store: string | undefined,
    /** @internal */ readonly serdes: Serdes<K, V> | undefined,
    /** @internal How joins read this table's value for a key; by default from its store. */
    readonly getter: (ctx: ProcessorContext) => ValueGetter<K, V> = (ctx) => {
      const store = ctx.store<KeyValueStore<K, ValueAndTimestamp<V>>>(this.store!);
      return (key) => store.get(key);
    },
    /** @internal The stores `getter` reads: a join that looks this table up connects them (and so shares their task). */
    readonly getterStores: readonly string[] = store === undefined ? [] : [store],
    /** @internal Whether the table sends old values in Kafka Streams' sense (what a filter over it forwards). */
    readonly oldValues: TableOldValues = TableOldValues.stateful(),
  ) {}

  /** The stream of updates: each update's key and new value (null for a deletion). */
  toStream(named: Named = {}): Stream<K, V | null> {
    const node = this.builder.addProcessor('KTABLE-TOSTREAM', [this.node], [], (_ctx, [input]) => input!.pipe(map((r) => withFields(r, { value: (r.value as Change<unknown>).newValue }))), named.name);
    return new Stream<K, V | null>(this.builder, node.name, this.sourceTopics, false, this.serdes as Serdes<K, V | null> | undefined);
  }

  /** A table of `mapper(value, key)` per key; deletions stay deletions. */
  mapValues<V2>(mapper: (value: V, key: K) => V2, named: Named = {}): Table<K, V2> {
    const apply = (value: V | null, key: K) => (value === null ? null : mapper(value, key));
    const op = map((r: StreamRecord<K, Change<V>>) => withFields(r, { value: { newValue: apply(r.value.newValue, r.key), oldValue: apply(r.value.oldValue, r.key) } }));
    const getter = (ctx: ProcessorContext): ValueGetter<K, V2> => {
      const parent = this.getter(ctx);
      return (key) => {
        const found = parent(key);
        return found && { value: mapper(found.value, key), timestamp: found.timestamp };
      };
    };
    return this.derive('KTABLE-MAPVALUES', named, op, getter);
  }

  /**
   * A table of the entries for which `predicate(key, value)` holds. An update that fails the
   * predicate is forwarded as a deletion. When this table sends old values (TableOldValues:
   * decided when the filter is declared, as in Kafka Streams), an update absent from the
   * filtered table before and after (a row that stays filtered out, a tombstone for a key it
   * never held) is not forwarded at all.
   */
  filter(predicate: (key: K, value: V) => boolean, named: Named = {}, keep = true): Table<K, V> {
    const pass = (value: V | null, key: K) => (value !== null && predicate(key, value) === keep ? value : null);
    const oldValues = this.oldValues.derived();
    const op = (records: Observable<StreamRecord<K, Change<V>>>) =>
      records.pipe(
        map((r) => withFields(r, { value: { newValue: pass(r.value.newValue, r.key), oldValue: pass(r.value.oldValue, r.key) } })),
        rxFilter((r) => !oldValues.enabled || r.value.newValue !== null || r.value.oldValue !== null),
      );
    const getter = (ctx: ProcessorContext): ValueGetter<K, V> => {
      const parent = this.getter(ctx);
      return (key) => {
        const found = parent(key);
        return found && pass(found.value, key) !== null ? found : undefined;
      };
    };
    return this.derive('KTABLE-FILTER', named, op, getter, oldValues);
  }

  /** A table of the entries for which `predicate(key, value)` does not hold. */
  filterNot(predicate: (key: K, value: V) => boolean, named: Named = {}): Table<K, V> {
    return this.filter(predicate, named, false);
  }

  /**
   * Re-keys the table for an aggregation (`KTable#groupBy`): each row maps to
   * `selector(key, value) = [newKey, newValue]`. Every update of a row sends the old row's
   * pair to be subtracted and the new row's pair to be added, through the repartition topic
   * `<app>-<grouped name or store name>-repartition`; when both map to the same key they
   * travel as one change and the aggregate subtracts before it adds. A deletion (tombstone)
   * only subtracts. Pairs with a null key or value are skipped.
   */
  groupBy<K2, V2>(selector: (key: K, value: V) => readonly [K2, V2], grouped: Grouped<K2, V2> = {}): GroupedTable<K2, V2> {
    this.oldValues.enable(true);
    const node = this.builder.addProcessor(
      'KTABLE-SELECT',
      [this.node],
      [],
      (_ctx, [input]) => input!.pipe(tableRepartitionMap<K, V, K2, V2>(node.name, selector) as unknown as OperatorFunction<AnyRecord, AnyRecord>),
      grouped.name,
    );
    return new GroupedTable<K2, V2>(this.builder, node.name, this.sourceTopics, grouped);
  }

  /**
   * Joins with `other` by key (`KTable#join`): the result has a value for a key while both
   * tables have one, `joiner(value, otherValue, key)`. An update of either table forwards
   * the result's change, with timestamp = max of the two values' timestamps; an update
   * while the other table has no value forwards nothing. The tables must be co-partitioned.
   * Kept in `materialized.store` if given, else computed from both tables when looked up.
   */
  join<VO, VR>(other: Table<K, VO>, joiner: (value: V, otherValue: VO, key: K) => VR, materialized?: Materialized): Table<K, VR>;
  /**
   * Joins with `other` by a foreign key (`KTable#join(other, foreignKeyExtractor, joiner)`):
   * each row of this table whose `foreignKey(value, key)` is a key of `other` has the result
   * `joiner(value, foreignValue, key)`, kept current as either table changes. A row with a
   * null foreign key has none. The tables need not be co-partitioned: rows subscribe to their
   * foreign keys through `<app>-…-subscription-registration-topic` and are answered through
   * `<app>-…-subscription-response-topic` (see `addForeignKeyJoin`). The result is kept in
   * `materialized.store` if given, else an internal store; `materialized.name` names the parts.
   */
  join<KO, VO, VR>(other: Table<KO, VO>, foreignKey: (value: V, key: K) => KO | null, joiner: (value: V, foreignValue: VO, key: K) => VR, materialized?: Materialized): Table<K, VR>;
  join(other: AnyTable, second: AnyJoiner, third?: AnyJoiner | Materialized, fourth?: Materialized): Table<K, unknown> {
    if (typeof third === 'function') return addForeignKeyJoin(this, other, second as (value: V, key: K) => unknown, third, fourth ?? {}, false);
    return this.tableJoin(other, second, third ?? {}, false, false);
  }

  /**
   * Joins with `other` by key, keeping every key of this table (`KTable#leftJoin`): the
   * result is `joiner(value, otherValue or null, key)` while this table has a value.
   * Timestamps are the max of the two values' (this one's alone without a partner).
   */
  leftJoin<VO, VR>(other: Table<K, VO>, joiner: (value: V, otherValue: VO | null, key: K) => VR, materialized?: Materialized): Table<K, VR>;
  /**
   * Joins with `other` by a foreign key, keeping every row of this table (`KTable#leftJoin(other,
   * foreignKeyExtractor, joiner)`): the result is `joiner(value, foreignValue or null, key)`
   * while the row exists, also when its foreign key is null or absent from `other`.
   */
  leftJoin<KO, VO, VR>(other: Table<KO, VO>, foreignKey: (value: V, key: K) => KO | null, joiner: (value: V, foreignValue: VO | null, key: K) => VR, materialized?: Materialized): Table<K, VR>;
  leftJoin(other: AnyTable, second: AnyJoiner, third?: AnyJoiner | Materialized, fourth?: Materialized): Table<K, unknown> {
    if (typeof third === 'function') return addForeignKeyJoin(this, other, second as (value: V, key: K) => unknown, third, fourth ?? {}, true);
    return this.tableJoin(other, second, third ?? {}, true, false);
  }

  /**
   * Joins with `other` by key, keeping the keys of both tables (`KTable#outerJoin`): the
   * result is `joiner(value or null, otherValue or null, key)` while either has a value,
   * and is deleted when both are. Timestamps are the max of the values present.
   */
  outerJoin<VO, VR>(other: Table<K, VO>, joiner: (value: V | null, otherValue: VO | null, key: K) => VR, materialized: Materialized = {}): Table<K, VR> {
    return this.tableJoin(other, joiner, materialized, true, true);
  }

  /**
   * The nodes of a table-table join, named as in Kafka Streams: `KTABLE-JOINTHIS` (this
   * table's updates, reading `other`'s store) and `KTABLE-JOINOTHER` (the other way round)
   * feed `KTABLE-MERGE`, the result; with a name, `<name>-join-this`, `<name>-join-other`, `<name>`.
   */
  private tableJoin<VO, VR>(
    other: Table<K, VO>,
    joiner: (value: V | null, otherValue: VO | null, key: K) => VR,
    materialized: Materialized,
    leftOuter: boolean,
    rightOuter: boolean,
  ): Table<K, VR> {
    if (other.builder !== this.builder) throw new TopologyError(`cannot join tables of different topologies ('${this.builder.name}' and '${other.builder.name}')`);
    const builder = this.builder;
    this.oldValues.materialize();
    other.oldValues.materialize();
    const name = materialized.name;
    const mergeName = name ?? builder.nextName('KTABLE-MERGE');
    const joinThis = name ? `${name}-join-this` : builder.nextName('KTABLE-JOINTHIS');
    const joinOther = name ? `${name}-join-other` : builder.nextName('KTABLE-JOINOTHER');
    const sourceTopics = [...new Set([...this.sourceTopics, ...other.sourceTopics])];
    builder.requireCoPartitioned(sourceTopics);
    const store = materialized.store;
    if (store !== undefined) builder.addStore({ name: store, kind: 'keyValue' });

    const thisKind: TableJoinSideKind = !leftOuter ? 'inner' : rightOuter ? 'outer' : 'left';
    const otherKind: TableJoinSideKind = !leftOuter ? 'inner' : rightOuter ? 'outer' : 'right';
    const erase = (op: OperatorFunction<StreamRecord<K, Change<never>>, StreamRecord<K, Change<VR>>>) => op as unknown as OperatorFunction<AnyRecord, AnyRecord>;
    builder.addProcessor(joinThis, [this.node], other.getterStores, (ctx, [input]) => input!.pipe(erase(tableTableJoin(ctx, joinThis, thisKind, other.getter(ctx), joiner))), joinThis);
    builder.addProcessor(
      joinOther,
      [other.node],
      this.getterStores,
      (ctx, [input]) => input!.pipe(erase(tableTableJoin<K, VO, V, VR>(ctx, joinOther, otherKind, this.getter(ctx), (value, thisValue, key) => joiner(thisValue, value, key)))),
      joinOther,
    );
    builder.addProcessor(mergeName, [joinThis, joinOther], store === undefined ? [] : [store], (ctx, inputs) => tableJoinMerger(ctx, store, inputs as ReadonlyArray<Observable<StreamRecord<K, Change<VR>>>>) as Observable<AnyRecord>, mergeName);
    if (store !== undefined) return new Table<K, VR>(builder, mergeName, sourceTopics, store, undefined);

    // Not materialized: a lookup joins both tables' current values, as the join would.
    const getter = (ctx: ProcessorContext): ValueGetter<K, VR> => {
      const left = this.getter(ctx);
      const right = other.getter(ctx);
      return (key) => {
        const l = left(key);
        if (!l && !rightOuter) return undefined;
        const r = right(key);
        if (!r && !leftOuter) return undefined;
        if (!l && !r) return undefined;
        return { value: joiner(l ? l.value : null, r ? r.value : null, key), timestamp: Math.max(l?.timestamp ?? -1, r?.timestamp ?? -1) };
      };
    };
    return new Table<K, VR>(builder, mergeName, sourceTopics, undefined, undefined, getter, [...new Set([...this.getterStores, ...other.getterStores])]);
  }

  /**
   * Rate-limits this table's updates (`suppress(Suppressed.untilTimeLimit(limit,
   * unbounded()))`): a key's update waits until stream time is `limitMs` past the moment the
   * key entered the buffer, replaced meanwhile by the key's later updates; then its latest
   * update is forwarded, with its own timestamp, tombstones included. The buffer is unbounded.
   */
  suppressUntilTimeLimit(limitMs: number, named: Named = {}): Table<K, V> {
    if (!(Number.isFinite(limitMs) && limitMs >= 0)) throw new TopologyError(`a suppression's time limit must be a duration of 0 ms or more, not ${limitMs}`);
    return this.suppressed(named, (ctx, node, buffer) => suppressUntilTimeLimit(ctx, node, buffer, limitMs) as unknown as OperatorFunction<AnyRecord, AnyRecord>);
  }

  /**
   * @internal A suppression of this table: its node and buffer store, named as Kafka Streams
   * names them (`KTABLE-SUPPRESS-n` then `KTABLE-SUPPRESS-STATE-STORE-n+1`, or `<name>` and
   * `<name>-store`). The buffer has no retention: an entry leaves when it is emitted.
   */
  protected suppressed(named: Named, operator: (ctx: ProcessorContext, node: string, buffer: string) => OperatorFunction<AnyRecord, AnyRecord>): Table<K, V> {
    const nodeName = named.name ?? this.builder.nextName('KTABLE-SUPPRESS');
    const buffer = named.name ? `${named.name}-store` : this.builder.nextName('KTABLE-SUPPRESS-STATE-STORE');
    this.builder.addStore({ name: buffer, kind: 'window', internal: true });
    const node = this.builder.addProcessor('KTABLE-SUPPRESS', [this.node], [buffer], (ctx, [input]) => input!.pipe(operator(ctx, node.name, buffer)), nodeName);
    return new Table<K, V>(this.builder, node.name, this.sourceTopics, undefined, undefined, this.getter, this.getterStores, this.oldValues.derived());
  }

  /** @internal */
  derive<V2>(
    prefix: string,
    named: Named,
    op: OperatorFunction<StreamRecord<K, Change<V>>, StreamRecord<K, Change<V2>>>,
    getter: (ctx: ProcessorContext) => ValueGetter<K, V2>,
    oldValues = this.oldValues.derived(),
  ): Table<K, V2> {
    const erased = op as unknown as OperatorFunction<AnyRecord, AnyRecord>;
    const node = this.builder.addProcessor(prefix, [this.node], [], (_ctx, [input]) => input!.pipe(erased), named.name);
    return new Table<K, V2>(this.builder, node.name, this.sourceTopics, undefined, undefined, getter, this.getterStores, oldValues);
  }
}
