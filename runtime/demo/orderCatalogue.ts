import { avroSerdes, type AvroSerde } from '../../schemas/avroSerde.ts';
import { loadCatalogue, type Catalogue } from '../../schemas/catalogue.ts';
import type { TopicValues } from '../../schemas/generated/types.ts';
import { createRegistryClient } from '../../schemas/registryClient.ts';

/** A catalogued order-domain topic, by its name without the run's prefix. */
export type OrderTopicName = keyof TopicValues & string;

/** The order domain's topics for one topic prefix (a demo run, a test file), with Avro serdes bound to a registry. */
export interface OrderCatalogue {
  readonly prefix: string;
  readonly catalogue: Catalogue;
  /** Keyed by full (prefixed) topic name. */
  readonly serdes: AvroSerde<Record<string, unknown>>;
  /** A topic's full name. */
  topic(name: OrderTopicName): string;
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
  return { prefix, catalogue, serdes, topic: (name) => prefix + name };
}
