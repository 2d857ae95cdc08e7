import type { Admin, Producer } from 'kafkajs';
import type { RegistryClient } from '../../schemas/registryClient.ts';
import { preparePhase, type BenchPhase } from './benchPhase.ts';
import type { BenchTopics } from './benchTopics.ts';
import { orderAt, sendAll } from './orderLoad.ts';

export interface OrderPreload {
  readonly records: number;
  readonly customers: number;
  /** Event time between consecutive orders (they end about now). */
  readonly spacingMs: number;
  /** Topic prefix of the phase. */
  readonly prefix: string;
  /** Output topics to create (LogAppendTime, so their records say when the broker took them). */
  readonly outputs: (topics: BenchTopics) => string[];
}

/**
 * The throughput bench's data: a phase (topics, schemas, the customer table) and `records`
 * Avro orders over `customers`, event time `spacingMs` apart and ending now, each partition in
 * send order. Resolves with the phase and how long the preload took (s).
 */
export async function preloadOrders(admin: Admin, producer: Producer, registry: RegistryClient, options: OrderPreload): Promise<{ phase: BenchPhase; preloadSeconds: number }> {
  const start = Date.now() - options.records * options.spacingMs;
  const loading = Date.now();
  const phase = await preparePhase(admin, producer, registry, { prefix: options.prefix, outputs: options.outputs, appendTime: true, customers: options.customers, tableTime: start - 1 });
  await sendAll(
    options.records,
    async (i) => {
      const createdAt = start + i * options.spacingMs;
      const order = orderAt(i, options.customers, createdAt);
      return { key: order.customerId, value: await phase.serde.serialize(phase.topics.orders, order), timestamp: String(createdAt) };
    },
    { producer, topic: phase.topics.orders },
  );
  return { phase, preloadSeconds: (Date.now() - loading) / 1000 };
}
