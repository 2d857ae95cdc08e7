import type { Message, Producer } from 'kafkajs';
import type { OrderCreated } from '../../schemas/generated/types.ts';
import type { CustomerProfile } from './benchTopics.ts';

const REGIONS = ['eu-west', 'eu-central', 'us-east', 'us-west', 'ap-south'] as const;
const TIERS = ['bronze', 'silver', 'gold'] as const;

/** A 32-bit integer hash (the "lowbias32" finalizer): the bench's data is a pure function of the record's index. */
function hash(n: number): number {
  let x = n >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

export function customerId(j: number): string {
  return `c${j}`;
}

/**
 * Order i of the bench's load: a customer drawn uniformly from `customers` (the message
 * key), one to three lines of one to four units priced 1.00–99.99, so about half the
 * totals are 200.00 or more. The same i always gives the same order.
 */
export function orderAt(i: number, customers: number, createdAt: number): OrderCreated {
  const h = hash(i);
  const lines = 1 + (h % 3);
  const items = Array.from({ length: lines }, (_, l) => {
    const hl = hash(i * 4 + l + 1);
    return { sku: `sku-${hl % 5000}`, name: `Product ${hl % 5000}`, quantity: 1 + ((hl >>> 8) % 4), unitPriceMinor: 100 + ((hl >>> 12) % 9900) };
  });
  return {
    eventId: `e${i}`,
    orderId: `o${i}`,
    customerId: customerId(hash(i ^ 0x5bd1e995) % customers),
    items,
    currency: 'EUR',
    totalMinor: items.reduce((sum, item) => sum + item.quantity * item.unitPriceMinor, 0),
    shippingAddress: { line1: `${1 + (h % 200)} Main Street`, line2: null, city: 'Springfield', postalCode: String(10000 + (h % 90000)), country: 'DE' },
    groupCheckoutId: null,
    createdAt,
  };
}

export function customerProfile(j: number): CustomerProfile {
  const h = hash(j + 0x9e3779b9);
  return { customerId: customerId(j), region: REGIONS[h % REGIONS.length]!, tier: TIERS[(h >>> 8) % TIERS.length]! };
}

export interface SendOptions {
  readonly producer: Producer;
  readonly topic: string;
  /** Records per produce request. */
  readonly batch?: number;
  /**
   * Produce requests in flight at once. 1 (the default) keeps each partition in send order,
   * which event-time workloads need: batches racing each other would put minutes-old orders
   * after newer ones and windows would drop them as late.
   */
  readonly inFlight?: number;
}

/**
 * Sends `count` records made by `message(i)` (which may encode asynchronously), in batches,
 * with acks from every replica; resolves when the broker has all of them. With an idempotent
 * producer and one request in flight, every partition holds them in the order of i.
 */
export async function sendAll(count: number, message: (i: number) => Promise<Message>, options: SendOptions): Promise<void> {
  const batch = options.batch ?? 1000;
  const inFlight = options.inFlight ?? 1;
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < count) {
      const from = next;
      next = Math.min(count, next + batch);
      const messages = await Promise.all(Array.from({ length: next - from }, (_, k) => message(from + k)));
      await options.producer.send({ topic: options.topic, messages, acks: -1 });
    }
  };
  await Promise.all(Array.from({ length: inFlight }, lane));
}
