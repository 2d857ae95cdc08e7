import { fileURLToPath } from 'node:url';
import { avroSerdes } from '../../schemas/avroSerde.ts';
import { loadCatalogue, type Catalogue } from '../../schemas/catalogue.ts';
import type { OrderCreated } from '../../schemas/generated/types.ts';
import type { OrderTopicName } from '../../runtime/demo/orderCatalogue.ts';

/** The bench's catalogue (`avro/catalogue.json`): OrderCreated in, a customer table, one output per workload. */
export const BENCH_CATALOGUE_DIR = fileURLToPath(new URL('./avro/', import.meta.url));

/** Partitions of every bench topic: as many tasks as the handoff bench, so work can spread. */
export const PARTITIONS = 6;

/** The variable that gives a workload's topology its run's topic prefix. */
export const TOPIC_PREFIX_ENV = 'BENCH_TOPIC_PREFIX';

export interface CustomerProfile {
  readonly customerId: string;
  readonly region: string;
  readonly tier: string;
}

export interface OrderSummary {
  readonly orderId: string;
  readonly customerId: string;
  readonly itemCount: number;
  readonly totalMinor: number;
  readonly currency: string;
}

export interface CustomerTotals {
  readonly customerId: string;
  readonly orders: number;
  readonly totalMinor: number;
}

export interface CustomerWindowTotals {
  readonly customerId: string;
  readonly region: string;
  readonly windowStart: number;
  readonly orders: number;
  readonly totalMinor: number;
}

/** The bench's topics under one run's prefix: every run (and each of its phases) has its own topics and subjects. */
export function benchTopics(prefix: string) {
  return {
    orders: `${prefix}bench.order.created`,
    customers: `${prefix}bench.customer.profile`,
    copied: `${prefix}bench.order.copied`,
    summarized: `${prefix}bench.order.summarized`,
    totals: `${prefix}bench.customer.totals`,
    windowTotals: `${prefix}bench.customer.window-totals`,
    /** Not catalogued: the baseline copies bytes without reading them. */
    baselineCopy: `${prefix}bench.baseline.copied`,
    /**
     * The order system's (topologies/orders, run with the prefix as its ORDER_TOPIC_PREFIX)
     * orders, keyed by order id, and its saga's transitions: in the order domain's catalogue,
     * not the bench's.
     */
    sagaOrders: `${prefix}${'orders.order.created' satisfies OrderTopicName}`,
    sagaTransitions: `${prefix}${'orders.saga.transitioned' satisfies OrderTopicName}`,
  } as const;
}
export type BenchTopics = ReturnType<typeof benchTopics>;

/** The catalogue's value types by topic, whatever the prefix. */
export type BenchValues = Record<`${string}bench.order.created`, OrderCreated> &
  Record<`${string}bench.customer.profile`, CustomerProfile> &
  Record<`${string}bench.order.copied`, OrderCreated> &
  Record<`${string}bench.order.summarized`, OrderSummary> &
  Record<`${string}bench.customer.totals`, CustomerTotals> &
  Record<`${string}bench.customer.window-totals`, CustomerWindowTotals>;

export function benchCatalogue(prefix: string): Catalogue {
  return loadCatalogue(BENCH_CATALOGUE_DIR, { topicPrefix: prefix });
}

/**
 * What a workload's topology file starts from: its run's topics (prefix from
 * BENCH_TOPIC_PREFIX, set by the harness) and unbound Avro serdes the worker binds.
 */
export function workloadTopics(): { topics: BenchTopics; avro: ReturnType<typeof avroSerdes<BenchValues>> } {
  const prefix = process.env[TOPIC_PREFIX_ENV] ?? '';
  return { topics: benchTopics(prefix), avro: avroSerdes<BenchValues>(benchCatalogue(prefix)) };
}
