import assert from 'node:assert/strict';
import { loadCatalogue } from '../../schemas/catalogue.ts';
import type { BenchPhase } from '../throughput/benchPhase.ts';
import { benchCatalogue, benchTopics } from '../throughput/benchTopics.ts';
import { orderFeed } from '../throughput/orderFeed.ts';
import { orderAt } from '../throughput/orderLoad.ts';

const prefix = 'b0t.';
// Stands for a serde: the bytes name the topic they were serialized for.
const serde = (name: string) => ({ serialize: async (topic: string) => Buffer.from(`${name}:${topic}`) });
const bench = { prefix, topics: benchTopics(prefix), catalogue: benchCatalogue(prefix), serde: serde('bench'), orderSystem: undefined };
const withOrderSystem = { ...bench, orderSystem: { catalogue: loadCatalogue(undefined, { topicPrefix: prefix }), serdes: serde('orders') } };

describe('the order feeds', () => {
  const order = orderAt(7, 100, 1_000);

  it("writes an order to the bench's topic keyed by customer, with the bench's serde", async () => {
    const feed = orderFeed(bench as unknown as BenchPhase, 'bench');
    assert.equal(feed.topic, 'b0t.bench.order.created');
    assert.deepEqual(await feed.message(order, 2_000), { key: order.customerId, value: Buffer.from('bench:b0t.bench.order.created'), timestamp: '2000' });
  });

  it("writes an order to the order system's orders.order.created under the phase's prefix keyed by order id, with the order domain's serde", async () => {
    const feed = orderFeed(withOrderSystem as unknown as BenchPhase, 'order-system');
    assert.equal(feed.topic, 'b0t.orders.order.created');
    assert.deepEqual(await feed.message(order, 2_000), { key: 'o7', value: Buffer.from('orders:b0t.orders.order.created'), timestamp: '2000' });
  });

  it("finds the saga's orders and transitions in the order catalogue under the phase's prefix", () => {
    const { catalogue } = withOrderSystem.orderSystem;
    assert.deepEqual([bench.topics.sagaOrders, bench.topics.sagaTransitions].map((t) => catalogue.entry(t).recordName.split('.').at(-1)), ['OrderCreated', 'SagaTransitioned']);
  });

  it('refuses the order system in a phase prepared without it', () => {
    assert.throws(() => orderFeed(bench as unknown as BenchPhase, 'order-system'), /without the order system/);
  });
});
