import type { Change, Headers, StreamRecord } from '../record.ts';

/**
 * A table update waiting in a suppression buffer (Kafka Streams' `BufferValue`): the latest
 * update of its key, its change as it came (old value included), and that update's record
 * context, which the update is forwarded with when it leaves.
 */
export interface Buffered<K, V> {
  readonly key: K;
  readonly change: Change<V>;
  readonly timestamp: number;
  readonly headers: Headers;
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
}

/** What a suppression buffer keeps of an update. */
export function buffered<K, V>(record: StreamRecord<K, Change<V>>): Buffered<K, V> {
  return { key: record.key, change: record.value, timestamp: record.timestamp, headers: record.headers, topic: record.topic, partition: record.partition, offset: record.offset };
}

/** The update a buffered entry forwards when it leaves the buffer. */
export function released<K, V>(entry: Buffered<K, V>): StreamRecord<K, Change<V>> {
  const { key, change, ...context } = entry;
  return { key, value: change, ...context };
}
