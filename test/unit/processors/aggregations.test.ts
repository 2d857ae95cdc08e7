import assert from 'node:assert/strict';
import { TopologyTestDriver } from '../../../runtime/topologyTestDriver.ts';
import type { ValueAndTimestamp } from '../../../processors/record.ts';
import { testTopology } from './stringTopology.ts';

describe('grouped aggregations', () => {
  it('count emits the running count per key with the largest timestamp so far', () => {
    const t = testTopology('counts');
    t.stream<string, string>('in').groupByKey().count({ store: 'counts' }).toStream().to('out');
    const driver = new TopologyTestDriver(t);
    const input = driver.inputTopic<string, string>('in');
    input.pipe('a', 'x', 10);
    input.pipe('b', 'x', 20);
    input.pipe('a', 'y', 5);
    assert.deepEqual(
      driver.outputTopic('out').readRecords().map((r) => [r.key, r.value, r.timestamp]),
      [['a', 1, 10], ['b', 1, 20], ['a', 2, 10]],
    );
    assert.deepEqual(driver.keyValueStore<string, ValueAndTimestamp<number>>('counts').get('a'), { value: 2, timestamp: 10 });
  });

  it('reduce starts from the first value and aggregate from the initializer', () => {
    const t = testTopology();
    const grouped = t.stream<string, number>('in').groupByKey();
    grouped.reduce((sum, v) => sum + v).toStream().to('sums');
    grouped.aggregate(() => [] as number[], (_k, v, list) => [...list, v]).toStream().to('lists');
    const driver = new TopologyTestDriver(t);
    driver.inputTopic<string, number>('in').pipeAll([['a', 3], ['a', 4], ['b', 1]]);
    assert.deepEqual(driver.outputTopic('sums').readKeyValues(), [['a', 3], ['a', 7], ['b', 1]]);
    assert.deepEqual(driver.outputTopic('lists').readKeyValues(), [['a', [3]], ['a', [3, 4]], ['b', [1]]]);
  });

  it('drops and counts records with a null key or a null value', () => {
    const t = testTopology();
    t.stream<string | null, string | null>('in').groupByKey().count({ name: 'counter' }).toStream().to('out');
    const driver = new TopologyTestDriver(t);
    const input = driver.inputTopic<string | null, string | null>('in');
    input.pipe(null, 'v');
    input.pipe('a', null);
    input.pipe('a', 'v');
    assert.deepEqual(driver.outputTopic('out').readKeyValues(), [['a', 1]]);
    assert.deepEqual(driver.droppedRecords(), [
      { node: 'counter', reason: 'null-key' },
      { node: 'counter', reason: 'null-value' },
    ]);
  });

  it('groupBy repartitions through <app>-<name>-repartition before counting', () => {
    const t = testTopology('shop');
    t.stream<string, { customer: string }>('orders')
      .groupBy((_k, v) => v.customer, { name: 'by-customer' })
      .count()
      .toStream()
      .to('per-customer');
    const topology = t.build();
    assert.deepEqual(topology.internalTopics.map((i) => i.name), ['shop-by-customer-repartition']);
    assert.equal(topology.subtopologies.length, 2);
    const driver = new TopologyTestDriver(topology);
    driver.inputTopic<string, { customer: string }>('orders').pipeAll([['o1', { customer: 'ann' }], ['o2', { customer: 'bob' }], ['o3', { customer: 'ann' }]]);
    assert.deepEqual(driver.outputTopic('per-customer').readKeyValues(), [['ann', 1], ['bob', 1], ['ann', 2]]);
    assert.deepEqual(driver.outputTopic('shop-by-customer-repartition').readKeyValues().map(([k]) => k), ['ann', 'bob', 'ann']);
  });

  it('a named grouping repartitions once for all its aggregations, an unnamed one once per aggregation, as Kafka Streams does', () => {
    const named = testTopology('shop');
    const byCustomer = named.stream<string, { customer: string; total: number }>('orders').groupBy((_k, v) => v.customer, { name: 'by-customer' });
    byCustomer.count().toStream().to('counts');
    byCustomer.aggregate(() => 0, (_k, v, sum) => sum + v.total).toStream().to('sums');
    const byRegion = named.table<string, string>('customers').groupBy((_k, region) => [region, region], { name: 'by-region' });
    byRegion.count().toStream().to('per-region');
    byRegion.reduce((a) => a, (a) => a).toStream().to('regions');
    assert.deepEqual(named.build().internalTopics.map((i) => i.name), ['shop-by-customer-repartition', 'shop-by-region-repartition']);
    const driver = new TopologyTestDriver(named);
    driver.inputTopic<string, { customer: string; total: number }>('orders').pipeAll([['o1', { customer: 'ann', total: 5 }], ['o2', { customer: 'ann', total: 7 }]]);
    assert.deepEqual(driver.outputTopic('counts').readKeyValues(), [['ann', 1], ['ann', 2]]);
    assert.deepEqual(driver.outputTopic('sums').readKeyValues(), [['ann', 5], ['ann', 12]]);

    const unnamed = testTopology('shop');
    const grouped = unnamed.stream<string, { customer: string }>('orders').groupBy((_k, v) => v.customer);
    grouped.count({ store: 'counts' });
    grouped.count({ store: 'again' });
    assert.deepEqual(unnamed.build().internalTopics.map((i) => i.name), ['shop-counts-repartition', 'shop-again-repartition']);
  });

  it('groupByKey after a key change repartitions, after mapValues it does not', () => {
    const keyed = testTopology('a');
    keyed.stream<string, number>('in').selectKey((_k, v) => String(v)).groupByKey().count({ store: 'c' });
    assert.deepEqual(keyed.build().internalTopics.map((i) => i.name), ['a-c-repartition']);
    const valued = testTopology('b');
    valued.stream<string, number>('in').mapValues((v) => v * 2).groupByKey().count({ store: 'c' });
    assert.deepEqual(valued.build().internalTopics, []);
  });

  it('a table read from a topic upserts, deletes on tombstones and forwards each change', () => {
    const t = testTopology();
    t.table<string, number>('prices', { store: 'prices' }).toStream().to('changes');
    const driver = new TopologyTestDriver(t);
    const input = driver.inputTopic<string, number | null>('prices');
    input.pipe('apple', 3);
    input.pipe('apple', 4);
    input.pipe('apple', null);
    assert.deepEqual(driver.outputTopic('changes').readKeyValues(), [['apple', 3], ['apple', 4], ['apple', null]]);
    assert.equal(driver.keyValueStore('prices').get('apple'), undefined);
  });

  it('table mapValues and filter transform updates; a filtered-out update becomes a deletion', () => {
    const t = testTopology();
    t.table<string, number>('prices')
      .mapValues((v) => v * 100)
      .filter((_k, v) => v >= 300)
      .toStream()
      .to('expensive');
    const driver = new TopologyTestDriver(t);
    driver.inputTopic<string, number>('prices').pipeAll([['a', 5], ['b', 1], ['a', 2]]);
    assert.deepEqual(driver.outputTopic('expensive').readKeyValues(), [['a', 500], ['b', null], ['a', null]]);
  });
});
