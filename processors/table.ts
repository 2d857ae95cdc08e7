import { map, type OperatorFunction } from 'rxjs';
import type { KeyValueStore } from '../state/keyValueStore.ts';
import type { Named } from './options.ts';
import type { ProcessorContext } from './processorContext.ts';
import { withFields, type Change, type StreamRecord, type ValueAndTimestamp } from './record.ts';
import type { Serdes } from './serdes.ts';
import { Stream } from './stream.ts';
import type { TopologyBuilder } from './topologyBuilder.ts';
import type { AnyRecord } from './topologyGraph.ts';

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
   * A table of the entries for which `predicate(key, value)` holds. An update that
   * fails the predicate is forwarded as a deletion (Kafka Streams without old values).
   */
  filter(predicate: (key: K, value: V) => boolean, named: Named = {}, keep = true): Table<K, V> {
    const pass = (value: V | null, key: K) => (value !== null && predicate(key, value) === keep ? value : null);
    const op = map((r: StreamRecord<K, Change<V>>) => withFields(r, { value: { newValue: pass(r.value.newValue, r.key), oldValue: pass(r.value.oldValue, r.key) } }));
    const getter = (ctx: ProcessorContext): ValueGetter<K, V> => {
      const parent = this.getter(ctx);
      return (key) => {
        const found = parent(key);
        return found && pass(found.value, key) !== null ? found : undefined;
      };
    };
    return this.derive('KTABLE-FILTER', named, op, getter);
  }

  /** A table of the entries for which `predicate(key, value)` does not hold. */
  filterNot(predicate: (key: K, value: V) => boolean, named: Named = {}): Table<K, V> {
    return this.filter(predicate, named, false);
  }

  /** @internal */
  derive<V2>(prefix: string, named: Named, op: OperatorFunction<StreamRecord<K, Change<V>>, StreamRecord<K, Change<V2>>>, getter: (ctx: ProcessorContext) => ValueGetter<K, V2>): Table<K, V2> {
    const erased = op as unknown as OperatorFunction<AnyRecord, AnyRecord>;
    const node = this.builder.addProcessor(prefix, [this.node], [], (_ctx, [input]) => input!.pipe(erased), named.name);
    return new Table<K, V2>(this.builder, node.name, this.sourceTopics, undefined, undefined, getter);
  }
}
