/**
 * The fold step of each aggregation, shared by plain and windowed aggregates: given the
 * previous aggregate (undefined for the first record of a key or window), the next one.
 */
export type FoldStep<K, V, A> = (key: K, value: V, previous: { readonly value: A } | undefined) => A;

/** `count()`: 1 for the first record, then one more per record. */
export function countStep<K, V>(): FoldStep<K, V, number> {
  return (_key, _value, previous) => (previous ? previous.value + 1 : 1);
}

/** `reduce(reducer)`: the first value as it is, then `reducer(aggregate, value)`. */
export function reduceStep<K, V>(reducer: (aggregate: V, value: V) => V): FoldStep<K, V, V> {
  return (_key, value, previous) => (previous ? reducer(previous.value, value) : value);
}

/** `aggregate(initializer, aggregator)`: `aggregator(key, value, aggregate)` from `initializer()`. */
export function aggregateStep<K, V, A>(initializer: () => A, aggregator: (key: K, value: V, aggregate: A) => A): FoldStep<K, V, A> {
  return (key, value, previous) => aggregator(key, value, previous ? previous.value : initializer());
}
