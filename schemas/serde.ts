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
 * Turns values of one type into Kafka bytes and back. `topic` picks the schema (Avro) and
 * is ignored by serdes that need none (strings). Implementations are safe to share across
 * tasks: all caches are keyed by immutable facts (schema ids, topics).
 */
export interface Serde<T> {
  serialize(topic: string, value: T): Promise<Buffer>;
  deserialize(topic: string, buffer: Buffer): Promise<T>;
  /**
   * Binds what the serde needs from the runtime. A worker calls it once on every distinct
   * serde of its topology's sources and sinks (keys and values) before it reads a record;
   * a serde that needs nothing (strings, JSON) leaves it out. Calling it again with the same
   * registry is a no-op, so one serde object may be shared by several sources, sinks and
   * topologies of one process.
   */
  configure?(context: SerdeContext): void;
}
