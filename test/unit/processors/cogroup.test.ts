import assert from 'node:assert/strict';
import type { ValueAndTimestamp } from '../../../processors/record.ts';
import { TopologyError } from '../../../processors/topologyError.ts';
import { TopologyTestDriver } from '../../../runtime/topologyTestDriver.ts';
import { testTopology } from './stringTopology.ts';

describe('cogroup', () => {
  it('folds each stream with its own aggregator into one aggregate per key, kept in the named store', () => {
    const t = testTopology();
    const placed = t.stream<string, number>('placed').groupByKey();
    const refunded = t.stream<string, number>('refunded').groupByKey();
    placed
      .cogroup<{ orders: number; net: number }>((_k, amount, s) => ({ orders: s.orders + 1, net: s.net + amount }))
      .cogroup(refunded, (_k, amount, s) => ({ ...s, net: s.net - amount }))
      .aggregate(() => ({ orders: 0, net: 0 }), { store: 'spend' })
      .toStream()
      .to('spend');
    const driver = new TopologyTestDriver(t);
    const pipe = (topic: string, key: string, value: number, timestamp: number) => driver.pipe(topic, { key, value, timestamp, headers: {} });
    pipe('placed', 'ada', 30, 1);
    pipe('placed', 'bob', 10, 2);
    pipe('refunded', 'ada', 5, 3);
    pipe('placed', 'ada', 20, 4);
    assert.deepEqual(
      driver.outputTopic<string, unknown>('spend').readRecords().map((r) => [r.key, r.value]),
      [
        ['ada', { orders: 1, net: 30 }],
        ['bob', { orders: 1, net: 10 }],
        ['ada', { orders: 1, net: 25 }],
        ['ada', { orders: 2, net: 45 }],
      ],
    );
    assert.deepEqual(driver.keyValueStore<string, ValueAndTimestamp<unknown>>('spend').get('ada'), { value: { orders: 2, net: 45 }, timestamp: 4 });
  });

  it('refuses a grouped stream cogrouped twice, and several unnamed groupings that would share one repartition topic', () => {
    const t = testTopology();
    const clicks = t.stream<string, string>('clicks').groupByKey();
    assert.throws(() => clicks.cogroup<string>((_k, v, a) => a + v).cogroup(clicks, (_k, v, a) => a + v), TopologyError);
    const rekeyed = (topic: string) =>
      t
        .stream<string, string>(topic)
        .selectKey((_k, v) => v)
        .groupByKey();
    const both = rekeyed('a').cogroup<string>((_k, v, a) => a + v).cogroup(rekeyed('b'), (_k, v, a) => a + v);
    assert.throws(() => both.aggregate(() => ''), /2 cogrouped streams need a repartition topic .*: name their groupings/);
  });
});
