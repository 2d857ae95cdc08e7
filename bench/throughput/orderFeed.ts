import type { Message } from 'kafkajs';
import type { OrderCreated } from '../../schemas/generated/types.ts';
import type { BenchPhase } from './benchPhase.ts';

/**
 * Which topic of a phase a workload reads the bench's orders from: the bench's own
 * (`bench.order.created`, keyed by customer), or the order system's `orders.order.created`
 * (keyed by order id, as every input of the order system is).
 */
export type OrderInput = 'bench' | 'order-system';

/** A topic the bench's orders are written to, and the record one order makes there. */
export interface OrderFeed {
  readonly topic: string;
  /** The order, keyed as the topic's catalogue entry says (its key field), Avro in the wire format, stamped `timestamp`. */
  message(order: OrderCreated, timestamp: number): Promise<Message>;
}

/** The phase's feed for `input`; the order system's needs a phase prepared with it. */
export function orderFeed(phase: BenchPhase, input: OrderInput): OrderFeed {
  const { catalogue, serde } = input === 'bench' ? phase : { catalogue: phase.orderSystem?.catalogue, serde: phase.orderSystem?.serdes };
  if (!catalogue || !serde) throw new Error(`phase ${phase.prefix} was prepared without the order system`);
  const topic = input === 'bench' ? phase.topics.orders : phase.topics.sagaOrders;
  const keyField = catalogue.entry(topic).key as keyof OrderCreated;
  return {
    topic,
    message: async (order, timestamp) => ({ key: String(order[keyField]), value: await serde.serialize(topic, order), timestamp: String(timestamp) }),
  };
}
