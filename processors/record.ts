/** Kafka record headers as the framework sees them: UTF-8 strings by name. */
export type Headers = Readonly<Record<string, string>>;

/**
 * One record flowing through a topology. Records keep the context of the input
 * record that caused them (topic, partition, offset), as in Kafka Streams, so that
 * outputs can carry a deterministic id and dead letters can name their origin.
 */
export interface StreamRecord<K, V> {
  readonly key: K;
  readonly value: V;
  /** Event time in epoch milliseconds: the input's, or what an operator assigns (see each operator). */
  readonly timestamp: number;
  readonly headers: Headers;
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
}

/** A table update: the new value and, where the operator tracks it, the value it replaces. `null` means absent. */
export interface Change<V> {
  readonly newValue: V | null;
  readonly oldValue: V | null;
}

/**
 * A time window: `[start, end)` for tumbling and hopping windows; `[start, end]`, both ends
 * inclusive, for sliding windows and sessions (a session's end is its last record's timestamp).
 */
export interface TimeWindow {
  readonly start: number;
  readonly end: number;
}

/** The key of a windowed aggregate: the grouping key and the window it belongs to. */
export interface Windowed<K> {
  readonly key: K;
  readonly window: TimeWindow;
}

/** A value with the timestamp it carries, as timestamped stores keep it. */
export interface ValueAndTimestamp<V> {
  readonly value: V;
  readonly timestamp: number;
}

/** Derives a record with some fields replaced; the record context (topic, partition, offset) stays. */
export function withFields<K, V, K2 = K, V2 = V>(
  record: StreamRecord<K, V>,
  fields: Partial<Pick<StreamRecord<K2, V2>, 'key' | 'value' | 'timestamp' | 'headers'>>,
): StreamRecord<K2, V2> {
  return { ...record, ...fields } as StreamRecord<K2, V2>;
}
