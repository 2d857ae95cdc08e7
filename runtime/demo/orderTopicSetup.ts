import type { Admin } from 'kafkajs';
import { registerEntry } from '../../schemas/catalogueRegistration.ts';
import { createRegistryClient } from '../../schemas/registryClient.ts';
import { AGGREGATE_TOPICS, type OrderCatalogue } from './orderCatalogue.ts';
import { createTopics } from '../kafka/createTopics.ts';

/**
 * Makes a run's order topics exist before its workers start (workers create only their
 * internal and dead-letter topics, and refuse to start without their inputs): every
 * catalogue topic and the aggregate's JSON topics, with `partitions` partitions each (all
 * keyed by order or group id, so the topologies' co-partitioned inputs agree), and registers
 * every catalogue schema with its compatibility rule. Topics that exist are left as they are.
 */
export async function prepareOrderTopics(admin: Admin, orders: OrderCatalogue, registryUrl: string, partitions: number): Promise<{ created: number; registered: number }> {
  const wanted = [...orders.catalogue.entries.map((e) => e.topic), ...AGGREGATE_TOPICS.map((t) => orders.topic(t))];
  const existing = new Set(await admin.listTopics());
  const missing = wanted.filter((t) => !existing.has(t));
  if (missing.length) await createTopics(admin, missing.map((topic) => ({ topic, numPartitions: partitions, replicationFactor: -1 })));
  const registry = createRegistryClient({ url: registryUrl });
  const results = await Promise.all(orders.catalogue.entries.map((entry) => registerEntry(registry, entry)));
  return { created: missing.length, registered: results.filter((r) => r.action === 'registered').length };
}
