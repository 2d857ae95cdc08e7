import type { CommandRejection } from '../../processors/eventSourcing/eventSourcedAggregate.ts';
import { avroSerdes, type AvroSerde } from '../../schemas/avroSerde.ts';
import { loadCatalogue, type Catalogue } from '../../schemas/catalogue.ts';
import type { TopicValues } from '../../schemas/generated/types.ts';
import { createRegistryClient } from '../../schemas/registryClient.ts';
import type { OrderCommand, OrderEvent } from '../../topologies/orders/aggregate.ts';

/** A catalogued order-domain topic, by its name without the run's prefix. */
export type OrderTopicName = keyof TopicValues & string;

/** The topics the order system writes outside the Avro catalogue, JSON: the Order aggregate's log and its rejections. */
export interface AggregateTopicValues {
  readonly 'orders.order.events': OrderEvent;
  readonly 'orders.order.rejections': CommandRejection<OrderCommand>;
}

/** The Order aggregate's JSON topics, by name without the run's prefix. */
export const AGGREGATE_TOPICS = ['orders.order.events', 'orders.order.rejections'] as const satisfies readonly (keyof AggregateTopicValues)[];

/** Every topic of a run with the type of its values: the catalogue's and the aggregate's. */
export type RunTopicValues = TopicValues & AggregateTopicValues;

/** Any topic of a run, catalogued or the aggregate's, by its name without the run's prefix. */
export type RunTopicName = keyof RunTopicValues & string;

/** The order domain's topics for one topic prefix (a demo run, a test file), with Avro serdes bound to a registry. */
export interface OrderCatalogue {
  readonly prefix: string;
  readonly catalogue: Catalogue;
  /** Keyed by full (prefixed) topic name. */
  readonly serdes: AvroSerde<Record<string, unknown>>;
  /** A topic's full name. */
  topic(name: RunTopicName): string;
  /** A record value of a run's topic (full name) decoded: Avro for the catalogue's topics, JSON for the aggregate's. */
  decode(topic: string, value: Buffer): Promise<unknown>;
}

/**
 * The built-in catalogue under `prefix`, as the workers run with `ORDER_TOPIC_PREFIX=prefix`
 * see it, bound to the registry at `registryUrl`. Built from the prefix given, not from the
 * environment, so one process can speak to several runs.
 */
export function orderCatalogue(prefix: string, registryUrl: string): OrderCatalogue {
  const catalogue = loadCatalogue(undefined, { topicPrefix: prefix });
  const serdes = avroSerdes<Record<string, unknown>>(catalogue);
  serdes.configure({ registry: createRegistryClient({ url: registryUrl }) });
  const json = new Set<string>(AGGREGATE_TOPICS.map((t) => prefix + t));
  return {
    prefix,
    catalogue,
    serdes,
    topic: (name) => prefix + name,
    decode: async (topic, value) => (json.has(topic) ? JSON.parse(value.toString('utf8')) : serdes.deserialize(topic, value)),
  };
}
