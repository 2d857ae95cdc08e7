import type { Admin, Producer } from 'kafkajs';
import { AvroSerde } from '../../schemas/avroSerde.ts';
import { registerEntry } from '../../schemas/catalogueRegistration.ts';
import type { RegistryClient } from '../../schemas/registryClient.ts';
import { createTopics } from '../support/createTopics.ts';
import { benchCatalogue, benchTopics, type BenchTopics } from './benchTopics.ts';
import { customerProfile, sendAll } from './orderLoad.ts';
import { PARTITIONS } from './workloads.ts';

/** One set of the bench's topics, schemas registered, the customer table loaded, and a serde to write orders with. */
export interface BenchPhase {
  readonly prefix: string;
  readonly topics: BenchTopics;
  readonly serde: AvroSerde;
}

/**
 * Creates the phase's topics (orders and customers as inputs; `outputs`, with
 * LogAppendTime when `appendTime`, so their records say when the broker took them),
 * registers every bench schema under the prefix (as `tributary schemas register` would), and
 * loads `customers` profiles into the table topic, stamped `tableTime` (before every order, so
 * a join sees the whole table).
 */
export async function preparePhase(
  admin: Admin,
  producer: Producer,
  registry: RegistryClient,
  options: { readonly prefix: string; readonly outputs: (topics: BenchTopics) => string[]; readonly appendTime: boolean; readonly customers: number; readonly tableTime: number },
): Promise<BenchPhase> {
  const topics = benchTopics(options.prefix);
  const catalogue = benchCatalogue(options.prefix);
  await createTopics(admin, [topics.orders, topics.customers], PARTITIONS);
  await createTopics(admin, options.outputs(topics), PARTITIONS, options.appendTime ? [{ name: 'message.timestamp.type', value: 'LogAppendTime' }] : []);
  for (const entry of catalogue.entries) await registerEntry(registry, entry);
  const serde = new AvroSerde({ registry, catalogue });
  await sendAll(
    options.customers,
    async (j) => {
      const profile = customerProfile(j);
      return { key: profile.customerId, value: await serde.serialize(topics.customers, profile), timestamp: String(options.tableTime) };
    },
    { producer, topic: topics.customers },
  );
  return { prefix: options.prefix, topics, serde };
}
