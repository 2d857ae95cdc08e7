import assert from 'node:assert/strict';
import { changeSerdes } from '../../../processors/changeSerdes.ts';
import { describeTopology } from '../../../processors/describeTopology.ts';
import type { ValueAndTimestamp } from '../../../processors/record.ts';
import { TopologyTestDriver } from '../../../runtime/topologyTestDriver.ts';
import { jsonSerde } from '../../../schemas/jsonSerde.ts';
import { stringSerde } from '../../../schemas/stringSerde.ts';
import { topology } from '../../../processors/topologyBuilder.ts';
import { testTopology } from './stringTopology.ts';

interface User {
  readonly region: string | null;
  readonly spend: number;
}

type Row = [key: unknown, value: unknown, timestamp: number];

function rows(driver: TopologyTestDriver, topic: string): Row[] {
  return driver
    .outputTopic(topic)
    .readRecords()
    .map((r) => [r.key, r.value, r.timestamp]);
}

/** A users table grouped by region: `count` into `counts`, a spend sum (aggregate) into `spend`. */
function usersByRegion() {
  const t = testTopology('shop');
  const byRegion = t.table<string, User>('users', { store: 'users' }).groupBy((_id, user) => [user.region, user.spend] as const, { name: 'by-region' });
  byRegion.count({ store: 'region-counts' }).toStream().to('counts');
  const driver = new TopologyTestDriver(t);
  return { t, driver, users: driver.inputTopic<string, User | null>('users') };
}

describe('table groupBy', () => {
  it('a row that moves to another key is subtracted from the old key, then added to the new one', () => {
    const { driver, users } = usersByRegion();
    users.pipe('ann', { region: 'eu', spend: 5 }, 1);
    users.pipe('bob', { region: 'eu', spend: 3 }, 2);
    users.pipe('ann', { region: 'us', spend: 5 }, 3);
    assert.deepEqual(rows(driver, 'counts'), [
      ['eu', 1, 1],
      ['eu', 2, 2],
      ['eu', 1, 3], // ann leaves eu…
      ['us', 1, 3], // …and joins us
    ]);
    assert.deepEqual(driver.outputTopic('shop-by-region-repartition').readKeyValues(), [
      ['eu', { newValue: 5, oldValue: null }],
      ['eu', { newValue: 3, oldValue: null }],
      ['eu', { newValue: null, oldValue: 5 }],
      ['us', { newValue: 5, oldValue: null }],
    ]);
  });

  it('an update that keeps the key travels as one change, and the aggregate subtracts before it adds', () => {
    const t = testTopology('shop');
    t.table<string, User>('users')
      .groupBy((_id, user) => [user.region, user.spend] as const)
      .aggregate(
        () => ({ total: 0, steps: [] as string[] }),
        (_region, spend, agg) => ({ total: agg.total + spend, steps: [...agg.steps, `+${spend}`] }),
        (_region, spend, agg) => ({ total: agg.total - spend, steps: [...agg.steps, `-${spend}`] }),
        { store: 'spend' },
      )
      .toStream()
      .to('spend');
    const driver = new TopologyTestDriver(t);
    const users = driver.inputTopic<string, User>('users');
    users.pipe('ann', { region: 'eu', spend: 5 }, 10);
    users.pipe('ann', { region: 'eu', spend: 7 }, 4);
    assert.deepEqual(rows(driver, 'spend'), [
      ['eu', { total: 5, steps: ['+5'] }, 10],
      ['eu', { total: 7, steps: ['+5', '-5', '+7'] }, 10], // one update, stamped with the later timestamp
    ]);
  });

  it('a tombstone only subtracts; a count that reaches 0 stays 0', () => {
    const { driver, users } = usersByRegion();
    users.pipe('ann', { region: 'eu', spend: 5 }, 1);
    users.pipe('ann', null, 2);
    users.pipe('ghost', null, 3); // deleting a row that never was: nothing to subtract or add
    assert.deepEqual(rows(driver, 'counts'), [
      ['eu', 1, 1],
      ['eu', 0, 2],
    ]);
    assert.deepEqual(driver.keyValueStore<string, ValueAndTimestamp<number>>('region-counts').get('eu'), { value: 0, timestamp: 2 });
  });

  it('skips pairs whose selected key is null: a row entering a group is only added, one leaving it only subtracted', () => {
    const { driver, users } = usersByRegion();
    users.pipe('ann', { region: null, spend: 5 }, 1); // no group: skipped
    users.pipe('ann', { region: 'eu', spend: 5 }, 2); // the old pair has a null key: only an add
    users.pipe('ann', { region: null, spend: 5 }, 3); // only a subtract
    assert.deepEqual(rows(driver, 'counts'), [
      ['eu', 1, 2],
      ['eu', 0, 3],
    ]);
    assert.deepEqual(driver.droppedRecords(), []);
  });

  it('reduce adds with the adder and takes out with the subtractor', () => {
    const t = testTopology();
    t.table<string, User>('users')
      .groupBy((_id, user) => [user.region, user.spend] as const)
      .reduce((a, b) => a + b, (a, b) => a - b)
      .toStream()
      .to('sums');
    const driver = new TopologyTestDriver(t);
    const users = driver.inputTopic<string, User | null>('users');
    users.pipe('ann', { region: 'eu', spend: 5 });
    users.pipe('bob', { region: 'eu', spend: 3 });
    users.pipe('ann', { region: 'eu', spend: 1 });
    users.pipe('bob', null);
    assert.deepEqual(driver.outputTopic('sums').readKeyValues(), [
      ['eu', 5],
      ['eu', 8],
      ['eu', 4],
      ['eu', 1],
    ]);
  });

  it('groups a derived table and repartitions through <app>-<store>-repartition when the grouping has no name', () => {
    const t = testTopology('app');
    t.table<string, number>('scores')
      .filter((_k, v) => v > 0)
      .groupBy((k, v) => [k.slice(0, 1), v] as const)
      .count({ store: 'by-initial' });
    const topology = t.build();
    assert.deepEqual(topology.internalTopics.map((i) => i.name), ['app-by-initial-repartition']);
    const driver = new TopologyTestDriver(topology);
    driver.inputTopic<string, number>('scores').pipeAll([['ann', 1], ['amy', 2], ['ann', -1]]);
    assert.deepEqual(driver.keyValueStore<string, ValueAndTimestamp<number>>('by-initial').get('a')?.value, 1);
  });

  it('describe() shows the select node, the repartition topic and the aggregate with its store', () => {
    const { t } = usersByRegion();
    assert.equal(
      describeTopology(t.build()),
      `Topologies:
   Sub-topology: 0
    Source: KSTREAM-SOURCE-0000000000 (topics: [users])
      --> KTABLE-SOURCE-0000000001
    Processor: KTABLE-SOURCE-0000000001 (stores: [users])
      --> by-region
      <-- KSTREAM-SOURCE-0000000000
    Processor: by-region (stores: [])
      --> KSTREAM-SINK-0000000002
      <-- KTABLE-SOURCE-0000000001
    Sink: KSTREAM-SINK-0000000002 (topic: by-region-repartition)
      <-- by-region

  Sub-topology: 1
    Source: KSTREAM-SOURCE-0000000003 (topics: [by-region-repartition])
      --> KTABLE-AGGREGATE-0000000004
    Processor: KTABLE-AGGREGATE-0000000004 (stores: [region-counts])
      --> KTABLE-TOSTREAM-0000000005
      <-- KSTREAM-SOURCE-0000000003
    Processor: KTABLE-TOSTREAM-0000000005 (stores: [])
      --> KSTREAM-SINK-0000000006
      <-- KTABLE-AGGREGATE-0000000004
    Sink: KSTREAM-SINK-0000000006 (topic: counts)
      <-- KTABLE-TOSTREAM-0000000005

`,
    );
  });

  it('needs serdes for its repartition topic, and names the sink that lacks them', () => {
    const t = topology('bare'); // no default serdes
    const scores = t.table<string, number>('scores', { serdes: { key: stringSerde, value: jsonSerde() } });
    assert.throws(() => scores.groupBy((k, v) => [k, v] as const, { name: 'g' }).count(), /'KSTREAM-SINK-\d+' \(writing to 'bare-g-repartition'\) has no serdes/);
    scores.groupBy((k, v) => [k, v] as const, { name: 'h', serdes: { key: stringSerde, value: jsonSerde<number>() } }).count();
  });
});

describe('changeSerdes', () => {
  it('writes both sides of a change through the value serde and reads them back', async () => {
    const { key, value } = changeSerdes({ key: stringSerde, value: jsonSerde<{ n: number }>() });
    assert.equal(key, stringSerde);
    for (const change of [
      { newValue: { n: 1 }, oldValue: { n: 2 } },
      { newValue: { n: 1 }, oldValue: null },
      { newValue: null, oldValue: { n: 2 } },
    ]) {
      assert.deepEqual(await value.deserialize('t', await value.serialize('t', change)), change);
    }
  });

  it('rejects bytes that are not a change', async () => {
    const { value } = changeSerdes({ key: stringSerde, value: jsonSerde<number>() });
    await assert.rejects(value.deserialize('t', Buffer.from([1, 0])), /DECODE_FAILED|at least 5 bytes/);
    await assert.rejects(value.deserialize('t', Buffer.from([1, 0, 0, 0, 9, 1])), /claims 9 bytes/);
  });
});
