import assert from 'node:assert/strict';
import { describeTopology, describeTopologyAsMermaid } from '../../../processors/describeTopology.ts';
import { TopologyError } from '../../../processors/topologyError.ts';
import { topology } from '../../../processors/topologyBuilder.ts';
import { stringSerde } from '../../../schemas/stringSerde.ts';
import { JoinWindows } from '../../../processors/windows/joinWindows.ts';
import { TimeWindows } from '../../../processors/windows/timeWindows.ts';
import { testTopology } from './stringTopology.ts';

function sample() {
  const t = testTopology('orders-app');
  t.stream<string, { customer: string; total: number }>('orders', { name: 'orders-source' })
    .filter((_k, v) => v.total > 0, { name: 'paid-only' })
    .groupBy((_k, v) => v.customer, { name: 'by-customer' })
    .windowedBy(TimeWindows.ofSizeWithNoGrace(60_000))
    .count({ name: 'count-per-minute', store: 'orders-per-minute' })
    .toStream({ name: 'to-stream' })
    .to('orders-per-minute', { name: 'per-minute-sink' });
  return t.build();
}

describe('describe()', () => {
  it('prints subtopologies, sources, processors with stores, sinks and internal topics as Kafka Streams does', () => {
    assert.equal(
      describeTopology(sample()),
      `Topologies:
   Sub-topology: 0
    Source: orders-source (topics: [orders])
      --> paid-only
    Processor: paid-only (stores: [])
      --> KSTREAM-KEY-SELECT-0000000000
      <-- orders-source
    Processor: KSTREAM-KEY-SELECT-0000000000 (stores: [])
      --> by-customer-repartition-filter
      <-- paid-only
    Processor: by-customer-repartition-filter (stores: [])
      --> by-customer-repartition-sink
      <-- KSTREAM-KEY-SELECT-0000000000
    Sink: by-customer-repartition-sink (topic: by-customer-repartition)
      <-- by-customer-repartition-filter

  Sub-topology: 1
    Source: by-customer-repartition-source (topics: [by-customer-repartition])
      --> count-per-minute
    Processor: count-per-minute (stores: [orders-per-minute])
      --> to-stream
      <-- by-customer-repartition-source
    Processor: to-stream (stores: [])
      --> per-minute-sink
      <-- count-per-minute
    Sink: per-minute-sink (topic: orders-per-minute)
      <-- to-stream

`,
    );
  });

  it('describes a join after a key change, its repartition and a windowed count as Kafka Streams numbers and prints them', () => {
    const t = testTopology('orders-app');
    const orders = t.stream<string, { customer: string; total: number }>('orders');
    const payments = t.stream<string, number>('payments');
    orders
      .selectKey((_k, o) => o.customer)
      .join(payments, (o, p) => o.total + p, JoinWindows.ofTimeDifferenceWithNoGrace(10))
      .groupByKey()
      .windowedBy(TimeWindows.ofSizeWithNoGrace(60_000))
      .count()
      .toStream()
      .to('paid-per-minute');
    // Kafka Streams' naming rules (KStreamImpl.createRepartitionedSource, KStreamImplJoin): the
    // repartition's sink, null-key filter and source take numbers 3, 4, 5 in that order, and
    // internal topics appear without the application id.
    assert.equal(
      describeTopology(t.build()),
      `Topologies:
   Sub-topology: 0
    Source: KSTREAM-SOURCE-0000000000 (topics: [orders])
      --> KSTREAM-KEY-SELECT-0000000002
    Processor: KSTREAM-KEY-SELECT-0000000002 (stores: [])
      --> KSTREAM-FILTER-0000000004
      <-- KSTREAM-SOURCE-0000000000
    Processor: KSTREAM-FILTER-0000000004 (stores: [])
      --> KSTREAM-SINK-0000000003
      <-- KSTREAM-KEY-SELECT-0000000002
    Sink: KSTREAM-SINK-0000000003 (topic: KSTREAM-KEY-SELECT-0000000002-repartition)
      <-- KSTREAM-FILTER-0000000004

  Sub-topology: 1
    Source: KSTREAM-SOURCE-0000000001 (topics: [payments])
      --> KSTREAM-WINDOWED-0000000007
    Source: KSTREAM-SOURCE-0000000005 (topics: [KSTREAM-KEY-SELECT-0000000002-repartition])
      --> KSTREAM-WINDOWED-0000000006
    Processor: KSTREAM-WINDOWED-0000000006 (stores: [KSTREAM-JOINTHIS-0000000008-store])
      --> KSTREAM-JOINTHIS-0000000008
      <-- KSTREAM-SOURCE-0000000005
    Processor: KSTREAM-WINDOWED-0000000007 (stores: [KSTREAM-JOINOTHER-0000000009-store])
      --> KSTREAM-JOINOTHER-0000000009
      <-- KSTREAM-SOURCE-0000000001
    Processor: KSTREAM-JOINTHIS-0000000008 (stores: [KSTREAM-JOINOTHER-0000000009-store])
      --> KSTREAM-MERGE-0000000010
      <-- KSTREAM-WINDOWED-0000000006
    Processor: KSTREAM-JOINOTHER-0000000009 (stores: [KSTREAM-JOINTHIS-0000000008-store])
      --> KSTREAM-MERGE-0000000010
      <-- KSTREAM-WINDOWED-0000000007
    Processor: KSTREAM-MERGE-0000000010 (stores: [])
      --> KSTREAM-AGGREGATE-0000000012
      <-- KSTREAM-JOINTHIS-0000000008, KSTREAM-JOINOTHER-0000000009
    Processor: KSTREAM-AGGREGATE-0000000012 (stores: [KSTREAM-AGGREGATE-STATE-STORE-0000000011])
      --> KTABLE-TOSTREAM-0000000013
      <-- KSTREAM-MERGE-0000000010
    Processor: KTABLE-TOSTREAM-0000000013 (stores: [])
      --> KSTREAM-SINK-0000000014
      <-- KSTREAM-AGGREGATE-0000000012
    Sink: KSTREAM-SINK-0000000014 (topic: paid-per-minute)
      <-- KTABLE-TOSTREAM-0000000013

`,
    );
  });

  it('renders a Mermaid flowchart with a subgraph per subtopology and the store as a cylinder', () => {
    const mermaid = describeTopologyAsMermaid(sample());
    assert.match(mermaid, /^flowchart TD\n/);
    assert.equal(mermaid.match(/subgraph /g)?.length, 2);
    assert.match(mermaid, /s\d+\[\("orders-per-minute"\)\]/);
    assert.match(mermaid, /t\d+\(\["orders-app-by-customer-repartition"\]\)/);
  });

  it('rejects a duplicate node name, naming it', () => {
    const t = testTopology();
    const s = t.stream<string, string>('in');
    s.filter(() => true, { name: 'twice' });
    assert.throws(() => s.filter(() => true, { name: 'twice' }), (e: unknown) => e instanceof TopologyError && /node name 'twice' is used twice/.test(e.message));
  });

  it('rejects a sink whose value type changed and that names no serdes, naming the sink', () => {
    const t = topology('bare');
    const s = t.stream<string, string>('in', { serdes: { key: stringSerde, value: stringSerde } });
    s.to('copy'); // same types as the source: its serdes carry over
    assert.throws(() => s.mapValues((v) => v.length).to('lengths', { name: 'lengths-sink' }), /'lengths-sink' \(writing to 'lengths'\) has no serdes/);
  });

  it('rejects a processor that uses an undeclared store, naming both', () => {
    const t = testTopology();
    const stream = t.stream<string, string>('in');
    t.addProcessor('CUSTOM', [stream.node], ['missing-store'], (_ctx, [input]) => input!, 'my-processor');
    assert.throws(() => t.build(), /processor 'my-processor' uses store 'missing-store', which is not declared/);
  });
});
