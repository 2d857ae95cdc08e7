import type { Admin, Producer } from 'kafkajs';
import { orderCatalogue, type OrderCatalogue } from '../../runtime/demo/orderCatalogue.ts';
import { prepareOrderTopics } from '../../runtime/demo/orderTopicSetup.ts';
import { AvroSerde } from '../../schemas/avroSerde.ts';
import { registerEntry } from '../../schemas/catalogueRegistration.ts';
import type { RegistryClient } from '../../schemas/registryClient.ts';
import { createTopics } from '../support/createTopics.ts';
import type { Catalogue } from '../../schemas/catalogue.ts';
import { benchCatalogue, benchTopics, PARTITIONS, type BenchTopics } from './benchTopics.ts';
import { customerProfile, sendAll } from './orderLoad.ts';

/** One set of the bench's topics, schemas registered, the customer table loaded, and a serde to write orders with. */
export interface BenchPhase {
  readonly prefix: string;
  readonly topics: BenchTopics;
  readonly catalogue: Catalogue;
  /** Registry id of each catalogued topic's value schema. */
  readonly schemaIds: ReadonlyMap<string, number>;
  readonly serde: AvroSerde;
  /**
   * The order system's topics and serdes under the same prefix (its ORDER_TOPIC_PREFIX), when a
   * workload runs it (`orderSystem`): every order topic created, every order schema registered.
   */
  readonly orderSystem: OrderCatalogue | undefined;
}

/**
 * Creates the phase's topics (orders and customers as inputs; `outputs`, with
 * LogAppendTime when `appendTime`, so their records say when the broker took them),
 * registers every bench schema under the prefix (as `tributary schemas register` would), and
 * loads `customers` profiles into the table topic, stamped `tableTime` (before every order, so
 * a join sees the whole table). With `orderSystem`, also makes the order system's topics under
 * the prefix, as `tributary demo` does for a run: those among the outputs (the saga's
 * transitions) as asked above, the others as the order system has them.
 */
export async function preparePhase(
  admin: Admin,
  producer: Producer,
  registry: RegistryClient,
  options: {
    readonly prefix: string;
    readonly outputs: (topics: BenchTopics) => string[];
    readonly appendTime: boolean;
    readonly customers: number;
    readonly tableTime: number;
    readonly orderSystem: boolean;
  },
): Promise<BenchPhase> {
  const topics = benchTopics(options.prefix);
  const catalogue = benchCatalogue(options.prefix);
  await createTopics(admin, [topics.orders, topics.customers], PARTITIONS);
  await createTopics(admin, options.outputs(topics), PARTITIONS, options.appendTime ? [{ name: 'message.timestamp.type', value: 'LogAppendTime' }] : []);
  // After the outputs: the order topics that exist already (an output of a workload) are left as they are.
  const orderSystem = options.orderSystem ? orderCatalogue(options.prefix, registry.url) : undefined;
  if (orderSystem) await prepareOrderTopics(admin, orderSystem, registry.url, PARTITIONS);
  const schemaIds = new Map<string, number>();
  for (const entry of catalogue.entries) schemaIds.set(entry.topic, (await registerEntry(registry, entry)).id!);
  const serde = new AvroSerde({ registry, catalogue });
  await sendAll(
    options.customers,
    async (j) => {
      const profile = customerProfile(j);
      return { key: profile.customerId, value: await serde.serialize(topics.customers, profile), timestamp: String(options.tableTime) };
    },
    // The table's order does not matter: every row is stamped before the first order.
    { producer, topic: topics.customers, inFlight: 4 },
  );
  return { prefix: options.prefix, topics, catalogue, schemaIds, serde, orderSystem };
}
