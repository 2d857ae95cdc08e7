/**
 * The fold step of each aggregation, shared by plain and windowed aggregates: given the
 * previous aggregate (undefined for the first record of a key or window), the next one.
 * `start` is what an aggregate starts from (count: 0, aggregate: its initializer; a reduce
 * has none): Kafka Streams' stream aggregates forward it as the old value of a new aggregate.
 */
export type FoldStep<K, V, A> = ((key: K, value: V, previous: { readonly value: A } | undefined) => A) & { readonly start?: () => A };

/** `count()`: 1 for the first record, then one more per record. */
export function countStep<K, V>(): FoldStep<K, V, number> {
  return Object.assign((_key: K, _value: V, previous: { readonly value: number } | undefined) => (previous ? previous.value + 1 : 1), { start: () => 0 });
}

/** `reduce(reducer)`: the first value as it is, then `reducer(aggregate, value)`. */
export function reduceStep<K, V>(reducer: (aggregate: V, value: V) => V): FoldStep<K, V, V> {
  return (_key, value, previous) => (previous ? reducer(previous.value, value) : value);
}

/** `aggregate(initializer, aggregator)`: `aggregator(key, value, aggregate)` from `initializer()`. */
export function aggregateStep<K, V, A>(initializer: () => A, aggregator: (key: K, value: V, aggregate: A) => A): FoldStep<K, V, A> {
  return Object.assign((key: K, value: V, previous: { readonly value: A } | undefined) => aggregator(key, value, previous ? previous.value : initializer()), { start: initializer });
}

/**
 * The old value a stream aggregate forwards with an update (`KStreamAggregate`,
 * `KStreamWindowAggregate`): the previous aggregate, or for a new one what the fold started
 * from (a count's 0, an aggregate's initializer), null for a reduce. A filter or regrouping
 * downstream sees it, as in Kafka Streams.
 */
export function oldAggregate<K, V, A>(fold: FoldStep<K, V, A>, previous: { readonly value: A } | undefined): A | null {
  if (previous) return previous.value;
  return fold.start ? fold.start() : null;
}

/**
 * How a session aggregate absorbs an older session's aggregate when a record merges
 * sessions (Kafka Streams' session `Merger`): given the aggregate so far (undefined before
 * the first merged session: the initializer's value, or nothing for a reduce), the next.
 */
export type MergeStep<K, A> = (key: K, aggregate: { readonly value: A } | undefined, other: A) => A;

/** `count()`: counts add up. */
export function countMerge<K>(): MergeStep<K, number> {
  return (_key, aggregate, other) => (aggregate ? aggregate.value + other : other);
}

/** `reduce(reducer)`: the first session's aggregate, then `reducer(aggregate, other)`. */
export function reduceMerge<K, V>(reducer: (aggregate: V, value: V) => V): MergeStep<K, V> {
  return (_key, aggregate, other) => (aggregate ? reducer(aggregate.value, other) : other);
}

/** `aggregate(initializer, aggregator, merger)`: `merger(key, aggregate, other)` from `initializer()`. */
export function aggregateMerge<K, A>(initializer: () => A, merger: (key: K, aggregate: A, other: A) => A): MergeStep<K, A> {
  return (key, aggregate, other) => merger(key, aggregate ? aggregate.value : initializer(), other);
}
