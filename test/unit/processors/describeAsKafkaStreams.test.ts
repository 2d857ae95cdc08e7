import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describeTopology } from '../../../processors/describeTopology.ts';
import type { TopologyBuilder } from '../../../processors/topologyBuilder.ts';
import { JoinWindows } from '../../../processors/windows/joinWindows.ts';
import { TimeWindows } from '../../../processors/windows/timeWindows.ts';
import { testTopology } from './stringTopology.ts';

// The same topologies as kafkaStreamsDescriptions/DescribeTopologies.java, whose .txt files are
// what Kafka Streams 4.1.1 itself prints for them: describe() must print exactly that.

const TOPOLOGIES: Record<string, () => TopologyBuilder> = {
  'join-after-key-change': () => {
    const t = testTopology();
    const orders = t.stream<string, string>('orders');
    const payments = t.stream<string, string>('payments');
    orders
      .selectKey((_k, v) => v)
      .join(payments, (o, p) => o + p, JoinWindows.ofTimeDifferenceWithNoGrace(10))
      .groupByKey()
      .windowedBy(TimeWindows.ofSizeWithNoGrace(60_000))
      .count()
      .toStream()
      .to('paid-per-minute');
    return t;
  },
  'split-and-merge': () => {
    const t = testTopology();
    const routes = t
      .stream<string, string>('orders')
      .split({ name: 'route-' })
      .branch((_k, v) => v.length > 3, { name: 'big' })
      .branch((_k, v) => v.length > 1, { name: 'small' })
      .defaultBranch({ name: 'rest' });
    routes['route-big']!.merge(routes['route-small']!).to('chosen');
    routes['route-rest']!.to('rest');
    return t;
  },
  'table-join-and-regroup': () => {
    const t = testTopology();
    const prices = t.table<string, string>('prices');
    t.stream<string, string>('orders')
      .join(prices, (o, p) => o + p)
      .to('priced');
    prices
      .groupBy((k, v) => [v, k] as const)
      .count()
      .toStream()
      .to('price-counts');
    return t;
  },
  'foreign-key-joins': () => {
    const t = testTopology();
    const orders = t.table<string, string>('orders');
    const customers = t.table<string, string>('customers');
    orders
      .join(customers, (v) => v.slice(0, 1), (o, c) => o + c, { store: 'inner-store' })
      .toStream()
      .to('enriched');
    orders
      .leftJoin(customers, (v) => v.slice(0, 1), (o, c) => o + c, { name: 'by-customer', store: 'left-store' })
      .toStream()
      .to('enriched-left');
    return t;
  },
  cogroup: () => {
    const t = testTopology();
    const clicks = t.stream<string, string>('clicks').groupByKey();
    const buys = t
      .stream<string, string>('buys')
      .selectKey((_k, v) => v)
      .groupByKey();
    clicks
      .cogroup<string>((_k, v, agg) => agg + v)
      .cogroup(buys, (_k, v, agg) => agg + v)
      .windowedBy(TimeWindows.ofSizeWithNoGrace(60_000))
      .aggregate(() => '')
      .toStream()
      .to('activity');
    t.stream<string, string>('views')
      .groupByKey()
      .cogroup<string>((_k, v, agg) => agg + v)
      .aggregate(() => '', { name: 'views', store: 'views-store' })
      .toStream()
      .to('viewed');
    return t;
  },
  suppressions: () => {
    const t = testTopology();
    const clicks = t.stream<string, string>('clicks').groupByKey();
    clicks
      .windowedBy(TimeWindows.ofSizeWithNoGrace(60_000))
      .count()
      .suppressUntilWindowCloses()
      .toStream()
      .to('finals');
    clicks
      .count()
      .suppressUntilTimeLimit(10_000, { name: 'limited' })
      .toStream()
      .to('limited');
    return t;
  },
  'processor-with-stores': () => {
    const t = testTopology();
    for (const name of ['orders-by-id', 'alpha', 'zeta']) t.addStore({ name, kind: 'keyValue' });
    t.stream<string, string>('orders')
      .process(() => ({ process() {} }), { stores: ['orders-by-id', 'alpha', 'zeta'] })
      .to('out');
    return t;
  },
  'fan-out-and-in': () => {
    const t = testTopology();
    const events = t.stream<string, string>('events');
    events
      .filter(() => true)
      .merge(events.mapValues((v) => v))
      .merge(events.peek(() => undefined))
      .to('all');
    events.to('copy');
    return t;
  },
};

describe('describe() against Kafka Streams’ own output', () => {
  for (const [name, build] of Object.entries(TOPOLOGIES)) {
    it(`prints ${name} as Kafka Streams 4.1.1 does, node order and successor order included`, () => {
      const expected = readFileSync(new URL(`kafkaStreamsDescriptions/${name}.txt`, import.meta.url), 'utf8');
      assert.equal(describeTopology(build().build()), expected);
    });
  }
});
