import { avroSerdes, loadCatalogue, type Serdes, type Stream, type TopicValues, type TopologyBuilder } from '../../index.ts';

/** A catalogued order-domain topic, by its name in the catalogue. */
export type OrderTopic = keyof TopicValues & string;

/**
 * Prepended to every order-domain topic (and so to every subject): lets a test or a demo run
 * have topics of its own on a shared cluster. Empty in production.
 */
export const orderTopicPrefix = process.env.ORDER_TOPIC_PREFIX ?? '';

/**
 * An order topology's application id: its name after the topic prefix, so that runs with
 * different prefixes have their own consumer groups, internal topics and state.
 */
export function orderAppId(name: string): string {
  return orderTopicPrefix + name;
}

// Unbound: the worker running a topology binds them to its registry (Serde.configure).
const avro = avroSerdes<Record<string, unknown>>(loadCatalogue(undefined, { topicPrefix: orderTopicPrefix }));

/** A topic's full name (with the prefix) and its Avro serdes, typed by the catalogue. */
export interface TopicBinding<T extends OrderTopic> {
  readonly name: string;
  readonly serdes: Serdes<string, TopicValues[T]>;
}

/** The full name and serdes of a catalogued topic: `app.stream(t.name, { serdes: t.serdes })`. */
export function orderTopic<T extends OrderTopic>(topic: T): TopicBinding<T> {
  const name = orderTopicPrefix + topic;
  return { name, serdes: avro.serdes(name) as unknown as Serdes<string, TopicValues[T]> };
}

/** A catalogued topic read as a stream of `app`, with its Avro serdes. */
export function readTopic<T extends OrderTopic>(app: TopologyBuilder, topic: T): Stream<string, TopicValues[T]> {
  const binding = orderTopic(topic);
  return app.stream(binding.name, { serdes: binding.serdes });
}
