import type { RegistryClient } from './registryClient.ts';

/**
 * What the runtime hands a serde before its first record (Kafka's `Serde.configure`): the
 * connections a topology must not know. A topology file builds its serdes unbound; the
 * worker binds them from its own configuration.
 */
export interface SerdeContext {
  /**
   * The worker's schema registry client, built from `SCHEMA_REGISTRY_URL` (`--registry-url`)
   * and `SCHEMA_REGISTRY_USERNAME`/`_PASSWORD`. One client per worker, shared by every serde,
   * so a writer schema is fetched once per worker whatever the number of topics using it.
   */
  readonly registry: RegistryClient;
}

/**
 * What a serde's synchronous path answers when it needs the registry first (a schema id or
 * writer schema not fetched yet): the caller then takes the asynchronous one.
 */
export const NOT_CACHED: unique symbol = Symbol('tributary.serde.notCached');

/**
 * Turns values of one type into Kafka bytes and back. `topic` picks the schema (Avro) and
 * is ignored by serdes that need none (strings). Implementations are safe to share across
 * tasks: all caches are keyed by immutable facts (schema ids, topics).
 */
export interface Serde<T> {
  serialize(topic: string, value: T): Promise<Buffer>;
  deserialize(topic: string, buffer: Buffer): Promise<T>;
  /**
   * `serialize` without a promise, for a serde that can answer from what it holds (same
   * result, same errors), or NOT_CACHED when it must ask the registry first. The runtime
   * writes every output through it when present: per record, a promise costs more than the
   * encoding itself.
   */
  serializeSync?(topic: string, value: T): Buffer | typeof NOT_CACHED;
  /** `deserialize` without a promise, or NOT_CACHED when it must ask the registry first (see `serializeSync`). */
  deserializeSync?(topic: string, buffer: Buffer): T | typeof NOT_CACHED;
  /**
   * Binds what the serde needs from the runtime. A worker calls it once on every distinct
   * serde of its topology's sources and sinks (keys and values) before it reads a record;
   * a serde that needs nothing (strings, JSON) leaves it out. Calling it again with the same
   * registry is a no-op, so one serde object may be shared by several sources, sinks and
   * topologies of one process.
   */
  configure?(context: SerdeContext): void;
}

/**
 * Makes `outer`, a serde that writes its values through `inner`, bound when the runtime binds
 * it: a serde the runtime must configure (an Avro serde needs its registry) stays reachable
 * through the serdes that frame it.
 */
export function bindsThrough<T>(outer: Serde<T>, inner: Serde<never>): Serde<T> {
  if (typeof inner.configure === 'function') outer.configure = (context) => inner.configure!(context);
  return outer;
}
