/** What every store has: a name unique in its topology. */
export interface StateStore {
  readonly name: string;
}

/**
 * The identity of a key inside a store. Stores compare keys by this string, so two
 * structurally equal object keys are the same key (as serialized keys are in Kafka Streams).
 */
export function keyId(key: unknown): string {
  return typeof key === 'string' ? key : JSON.stringify(key);
}
