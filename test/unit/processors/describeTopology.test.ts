import assert from 'node:assert/strict';
import { describeTopology, describeTopologyAsMermaid } from '../../../processors/describeTopology.ts';
import { TopologyError } from '../../../processors/topologyError.ts';
import { topology } from '../../../processors/topologyBuilder.ts';
import { stringSerde } from '../../../schemas/stringSerde.ts';
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
