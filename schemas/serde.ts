/**
 * Turns values of one type into Kafka bytes and back. `topic` picks the schema (Avro) and
 * is ignored by serdes that need none (strings). Implementations are safe to share across
 * tasks: all caches are keyed by immutable facts (schema ids, topics).
 */
export interface Serde<T> {
  serialize(topic: string, value: T): Promise<Buffer>;
  deserialize(topic: string, buffer: Buffer): Promise<T>;
}
