import type { Admin, Producer } from 'kafkajs';
import type { RegistryClient } from '../../schemas/registryClient.ts';
import { preparePhase, type BenchPhase } from './benchPhase.ts';
import type { BenchTopics } from './benchTopics.ts';
import { orderFeed, type OrderInput } from './orderFeed.ts';
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
  /** The topics the workloads read the orders from: each gets every order; the bench's own unless told. */
  readonly inputs?: readonly OrderInput[];
  /** Orders the order system's topic gets (the first of the `records`, at most as many): a saga costs tens of records per order. */
  readonly orderSystemRecords?: number;
}

/**
 * The throughput bench's data: a phase (topics, schemas, the customer table) and `records`
 * Avro orders over `customers`, event time `spacingMs` apart and ending now, each partition in
 * send order, written to each of `inputs` (the same orders in each). Resolves with the phase and
 * how long the preload took (s).
 */
export async function preloadOrders(admin: Admin, producer: Producer, registry: RegistryClient, options: OrderPreload): Promise<{ phase: BenchPhase; preloadSeconds: number }> {
  const start = Date.now() - options.records * options.spacingMs;
  const loading = Date.now();
  const inputs = new Set<OrderInput>(options.inputs ?? ['bench']);
  const phase = await preparePhase(admin, producer, registry, {
    prefix: options.prefix,
    outputs: options.outputs,
    appendTime: true,
    customers: options.customers,
    tableTime: start - 1,
    orderSystem: inputs.has('order-system'),
  });
  for (const input of inputs) {
    const feed = orderFeed(phase, input);
    await sendAll(
      input === 'order-system' ? (options.orderSystemRecords ?? options.records) : options.records,
      async (i) => {
        const createdAt = start + i * options.spacingMs;
        return feed.message(orderAt(i, options.customers, createdAt), createdAt);
      },
      { producer, topic: feed.topic },
    );
  }
  return { phase, preloadSeconds: (Date.now() - loading) / 1000 };
}
