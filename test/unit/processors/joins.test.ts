import assert from 'node:assert/strict';
import fc from 'fast-check';
import { tap } from 'rxjs';
import { describeTopology } from '../../../processors/describeTopology.ts';
import type { ValueAndTimestamp } from '../../../processors/record.ts';
import { TopologyError } from '../../../processors/topologyError.ts';
import { JoinWindows } from '../../../processors/windows/joinWindows.ts';
import { TopologyTestDriver } from '../../../runtime/topologyTestDriver.ts';
import { testTopology } from './stringTopology.ts';

type Row = [key: unknown, value: unknown, timestamp: number];

function rows(driver: TopologyTestDriver, topic: string): Row[] {
  return driver
    .outputTopic(topic)
    .readRecords()
    .map((r) => [r.key, r.value, r.timestamp]);
}

const pair = (left: string | null, right: string | null) => `${left}+${right}`;

/** Two string streams, `left` and `right`, joined into `out` by `join`. */
function streams(build: (left: ReturnType<typeof leftOf>, right: ReturnType<typeof leftOf>) => void) {
  const t = testTopology('joins');
  build(leftOf(t, 'left'), leftOf(t, 'right'));
  const driver = new TopologyTestDriver(t);
  return {
    driver,
    topology: driver.topology,
    left: driver.inputTopic<string | null, string | null>('left'),
    right: driver.inputTopic<string | null, string | null>('right'),
    out: () => rows(driver, 'out'),
  };
}

function leftOf(t: ReturnType<typeof testTopology>, topic: string) {
  return t.stream<string, string>(topic);
}

describe('JoinWindows', () => {
  it('looks the same time difference both ways, and before/after change one side', () => {
    const w = JoinWindows.ofTimeDifferenceAndGrace(10, 5);
    assert.deepEqual([w.beforeMs, w.afterMs, w.graceMs, w.sizeMs, w.retentionMs()], [10, 10, 5, 20, 25]);
    const shifted = JoinWindows.ofTimeDifferenceWithNoGrace(10).before(0).after(30);
    assert.deepEqual([shifted.beforeMs, shifted.afterMs, shifted.graceMs, shifted.retentionMs()], [0, 30, 0, 30]);
    assert.equal(JoinWindows.ofTimeDifferenceWithNoGrace(10).before(-5).sizeMs, 5);
  });

  it('rejects a negative time difference, a negative interval and a negative grace', () => {
    assert.throws(() => JoinWindows.ofTimeDifferenceWithNoGrace(-1), TopologyError);
    assert.throws(() => JoinWindows.ofTimeDifferenceWithNoGrace(10).before(-11), /before \+ after\) must not be negative/);
    assert.throws(() => JoinWindows.ofTimeDifferenceAndGrace(10, -1), /grace must not be negative/);
  });
});

describe('stream-stream inner join', () => {
  it('pairs each record with the other side’s records of the same key in the window, stamped with the later timestamp', () => {
    const { left, right, out } = streams((l, r) => l.join(r, pair, JoinWindows.ofTimeDifferenceWithNoGrace(10)).to('out'));
    left.pipe('a', 'L1', 0);
    right.pipe('a', 'R1', 5); // left L1@0 is within [5-10, 5+10]
    left.pipe('a', 'L2', 12); // R1@5 is within [2, 22]
    right.pipe('b', 'R2', 13); // another key: nothing
    right.pipe('a', 'R3', 30);
    left.pipe('a', 'L3', 25); // R3@30 within [15, 35]; R1@5 is not
    assert.deepEqual(out(), [
      ['a', 'L1+R1', 5],
      ['a', 'L2+R1', 12],
      ['a', 'L3+R3', 30],
    ]);
  });

  it('a left record looks back `before` and forward `after`; a right record looks the other way', () => {
    // before 0, after 10: a left record at t meets right records in [t, t + 10], a right one left records in [t - 10, t].
    const { left, right, out } = streams((l, r) => l.join(r, pair, JoinWindows.ofTimeDifferenceAndGrace(0, 100).after(10)).to('out'));
    right.pipe('k', 'R1', 10);
    left.pipe('k', 'L1', 0); // [0, 10] holds R1 (bounds inclusive)
    left.pipe('k', 'L2', 5);
    left.pipe('k', 'L3', 11); // [11, 21]: R1 is before it
    right.pipe('k', 'R2', 3); // [0, 3] (clamped at 0): only L1
    assert.deepEqual(out(), [
      ['k', 'L1+R1', 10],
      ['k', 'L2+R1', 10],
      ['k', 'L1+R2', 3],
    ]);
  });

  it('keeps every record with the same key and timestamp, and joins each of them', () => {
    const { left, right, out } = streams((l, r) => l.join(r, pair, JoinWindows.ofTimeDifferenceWithNoGrace(1)).to('out'));
    left.pipe('k', 'A', 5);
    left.pipe('k', 'B', 5);
    right.pipe('k', 'X', 5);
    right.pipe('k', 'Y', 6);
    assert.deepEqual(out(), [
      ['k', 'A+X', 5],
      ['k', 'B+X', 5],
      ['k', 'A+Y', 6],
      ['k', 'B+Y', 6],
    ]);
  });

  it('passes the key to the joiner and calls it with the left value first from either side', () => {
    const { left, right, out } = streams((l, r) => l.join(r, (lv, rv, key) => `${key}:${lv}/${rv}`, JoinWindows.ofTimeDifferenceWithNoGrace(5)).to('out'));
    right.pipe('k', 'R', 1);
    left.pipe('k', 'L', 2);
    right.pipe('k', 'R2', 3);
    assert.deepEqual(out().map(([, v]) => v), ['k:L/R', 'k:L/R2']);
  });

  it('drops and counts records with a null key or a null value, on either side', () => {
    const { left, right, out, driver } = streams((l, r) => l.join(r, pair, JoinWindows.ofTimeDifferenceWithNoGrace(5), { name: 'pay' }).to('out'));
    left.pipe(null, 'v', 1);
    left.pipe('k', null, 1);
    right.pipe(null, 'v', 1);
    right.pipe('k', 'R', 1);
    assert.deepEqual(out(), []);
    assert.deepEqual(driver.droppedRecords(), [
      { node: 'pay-this-join', reason: 'null-key' },
      { node: 'pay-this-join', reason: 'null-value' },
      { node: 'pay-other-join', reason: 'null-key' },
    ]);
  });

  it('a late record still joins what the other side keeps, but is kept itself only within its side’s retention', () => {
    // retention = before + after + grace = 25, measured on each side's own largest timestamp.
    const { left, right, out, driver } = streams((l, r) => l.join(r, pair, JoinWindows.ofTimeDifferenceAndGrace(10, 5), { name: 'j' }).to('out'));
    left.pipe('k', 'L1', 100);
    right.pipe('k', 'R1', 100);
    right.pipe('k', 'R2', 80); // 20 late: kept (80 > 100 - 25)
    left.pipe('k', 'L2', 85); // joins R2
    right.pipe('k', 'R3', 70); // 70 <= 75: not kept; and no left record in [76, 80]
    left.pipe('k', 'L3', 74); // not kept either, yet it joins R2@80, which the right side still keeps
    right.pipe('k', 'R4', 76); // sees L2@85; L3@74 was never kept
    assert.deepEqual(out(), [
      ['k', 'L1+R1', 100],
      ['k', 'L2+R2', 85],
      ['k', 'L3+R2', 80],
      ['k', 'L2+R4', 85],
    ]);
    assert.deepEqual(driver.droppedRecords(), [
      { node: 'j-other-windowed', reason: 'expired-window' },
      { node: 'j-this-windowed', reason: 'expired-window' },
    ]);
  });

  it('a stream joined with itself meets each of its records, including itself, as Kafka Streams does', () => {
    const { left, out } = streams((l) => l.join(l, pair, JoinWindows.ofTimeDifferenceWithNoGrace(5)).to('out'));
    left.pipe('k', 'A', 1);
    left.pipe('k', 'B', 2);
    // The left side joins before the record is kept on its side; the right side then sees it there.
    assert.deepEqual(out(), [
      ['k', 'A+A', 1],
      ['k', 'B+A', 2],
      ['k', 'A+B', 2],
      ['k', 'B+B', 2],
    ]);
  });
});

describe('stream-stream left join', () => {
  it('emits an unmatched left record joined with null only once stream time passes t + after + grace', () => {
    const { left, right, out } = streams((l, r) => l.leftJoin(r, pair, JoinWindows.ofTimeDifferenceAndGrace(10, 5)).to('out'));
    left.pipe('k', 'L1', 0); // its window [−10, 10] closes after 10 + 5
    right.pipe('x', 'R1', 14);
    right.pipe('x', 'R2', 15); // stream time 15: 0 + 10 + 5 is not before it yet
    assert.deepEqual(out(), []);
    right.pipe('x', 'R3', 16);
    assert.deepEqual(out(), [['k', 'L1+null', 0]]);
  });

  it('never emits with null a left record that found a partner, even one that came later', () => {
    const { left, right, out } = streams((l, r) => l.leftJoin(r, pair, JoinWindows.ofTimeDifferenceWithNoGrace(10)).to('out'));
    left.pipe('k', 'L1', 0);
    right.pipe('k', 'R1', 8);
    left.pipe('z', 'L2', 100);
    assert.deepEqual(out(), [['k', 'L1+R1', 8]]);
  });

  it('emits a left record whose window had already ended when it arrived at once, even within grace', () => {
    const { left, out } = streams((l, r) => l.leftJoin(r, pair, JoinWindows.ofTimeDifferenceAndGrace(10, 30)).to('out'));
    left.pipe('k', 'L1', 50);
    left.pipe('k', 'L2', 30); // 30 + 10 < 50: cannot wait for a partner that would already be in the store
    left.pipe('k', 'L3', 45); // 45 + 10 >= 50: waits
    assert.deepEqual(out(), [['k', 'L2+null', 30]]);
  });

  it('never emits unmatched right records', () => {
    const { left, right, out } = streams((l, r) => l.leftJoin(r, pair, JoinWindows.ofTimeDifferenceWithNoGrace(1)).to('out'));
    right.pipe('k', 'R1', 0);
    left.pipe('z', 'L1', 100);
    left.pipe('z', 'L2', 200);
    assert.deepEqual(out(), [['z', 'L1+null', 100]]);
  });

  it('emits the records its window closes before the results of the record that closed it, with their own timestamps and the closing record’s headers', () => {
    const t = testTopology();
    t.stream<string, string>('left').leftJoin(t.stream<string, string>('right'), pair, JoinWindows.ofTimeDifferenceWithNoGrace(5)).to('out');
    const driver = new TopologyTestDriver(t);
    driver.inputTopic<string, string>('right').pipe('b', 'R1', 20);
    driver.inputTopic<string, string>('left').pipe('a', 'L1', 1);
    driver.inputTopic<string, string>('left').pipe('b', 'L2', 21, { trace: 't-2' });
    assert.deepEqual(driver.outputTopic('out').readRecords(), [
      { key: 'a', value: 'L1+null', timestamp: 1, headers: {} }, // L1 came late: emitted at once
      { key: 'b', value: 'L2+R1', timestamp: 21, headers: { trace: 't-2' } },
    ]);
    driver.inputTopic<string, string>('left').pipe('c', 'L3', 22);
    driver.inputTopic<string, string>('left').pipe('d', 'L4', 30, { trace: 't-4' }); // closes L3 (22 + 5 < 30)
    assert.deepEqual(driver.outputTopic('out').readRecords(), [{ key: 'c', value: 'L3+null', timestamp: 22, headers: { trace: 't-4' } }]);
  });

  it('forwards a left record with a null key at once, joined with null, with its own timestamp (KIP-962)', () => {
    const { left, right, out, driver } = streams((l, r) => l.leftJoin(r, pair, JoinWindows.ofTimeDifferenceWithNoGrace(5), { name: 'pay' }).to('out'));
    left.pipe('k', 'L1', 10); // waits for a partner until 15
    left.pipe(null, 'L2', 20); // advances stream time but closes nothing itself
    assert.deepEqual(out(), [[null, 'L2+null', 20]]);
    right.pipe(null, 'R1', 20); // the right side of a left join drops a null key
    left.pipe(null, null, 21); // and a null value is dropped on either side
    left.pipe('z', 'L3', 22); // closes L1
    assert.deepEqual(out(), [['k', 'L1+null', 10]]);
    assert.deepEqual(driver.droppedRecords(), [
      { node: 'pay-outer-other-join', reason: 'null-key' },
      { node: 'pay-this-join', reason: 'null-key' },
    ]);
    // Null keys are not kept; nor is k (at 10, and the store keeps before + after = 10 ms back from 22).
    assert.deepEqual(driver.windowStore('KSTREAM-JOINTHIS-0000000002-store').fetchAll(0, 100).map(([k]) => k), ['z']);
  });

  it('keeps unmatched records in a shared store named as Kafka Streams names it', () => {
    const { driver, left } = streams((l, r) => l.leftJoin(r, pair, JoinWindows.ofTimeDifferenceWithNoGrace(5)).to('out'));
    left.pipe('k', 'L1', 3);
    assert.deepEqual(driver.windowStore('KSTREAM-OUTERSHARED-0000000004-store').fetchAll(0, 10), [['k', 3, { left: ['L1'], right: [] }]]);
    assert.deepEqual(driver.windowStore('KSTREAM-JOINTHIS-0000000004-store').fetchAll(0, 10), [['k', 3, ['L1']]]);
  });
});

describe('stream-stream outer join', () => {
  it('emits unmatched records of both sides when their windows close (left ones after `after`, right ones after `before`), looking only when the earliest waiting one may have closed by the look-ahead of the side processing, as Kafka Streams does', () => {
    // before 10, after 0: a left record's window closes at once, a right record's 10 later.
    const { left, right, out } = streams((l, r) => l.outerJoin(r, pair, JoinWindows.ofTimeDifferenceWithNoGrace(10).after(0)).to('out'));
    left.pipe('a', 'L1', 0);
    right.pipe('b', 'R1', 1); // L1 is closed (0 + 0 < 1), but a right record looks ahead `before`: 0 + 10 ≥ 1, no look
    assert.deepEqual(out(), []);
    left.pipe('c', 'L2', 11); // a left record looks ahead `after`: 0 + 0 < 11, so it looks; R1 needs 1 + 10 < stream time
    assert.deepEqual(out(), [['a', 'L1+null', 0]]);
    left.pipe('d', 'L3', 12);
    assert.deepEqual(out(), [
      ['b', 'null+R1', 1],
      ['c', 'L2+null', 11],
    ]);
  });

  it('joins matching records as the inner join does and then never emits them with null', () => {
    const { left, right, out } = streams((l, r) => l.outerJoin(r, pair, JoinWindows.ofTimeDifferenceWithNoGrace(5)).to('out'));
    right.pipe('k', 'R1', 1);
    left.pipe('k', 'L1', 3);
    left.pipe('k', 'L2', 4);
    right.pipe('z', 'R9', 100);
    assert.deepEqual(out(), [
      ['k', 'L1+R1', 3],
      ['k', 'L2+R1', 4],
    ]);
  });

  it('emits records closing together by timestamp, right side first at equal timestamps', () => {
    const { left, right, out } = streams((l, r) => l.outerJoin(r, pair, JoinWindows.ofTimeDifferenceWithNoGrace(1)).to('out'));
    left.pipe('j', 'L1', 5);
    right.pipe('k', 'R1', 5);
    left.pipe('i', 'L0', 4);
    left.pipe('z', 'L9', 7);
    assert.deepEqual(out(), [
      ['i', 'L0+null', 4],
      ['k', 'null+R1', 5],
      ['j', 'L1+null', 5],
    ]);
  });
});

describe('stream-stream outer join with null keys', () => {
  it('forwards a null-key record of either side at once, joined with null (KIP-962)', () => {
    const { left, right, out, driver } = streams((l, r) => l.outerJoin(r, pair, JoinWindows.ofTimeDifferenceWithNoGrace(5)).to('out'));
    left.pipe(null, 'L1', 3);
    right.pipe(null, 'R1', 4);
    right.pipe(null, null, 5);
    assert.deepEqual(out(), [
      [null, 'L1+null', 3],
      [null, 'null+R1', 4],
    ]);
    assert.equal(driver.droppedRecords().length, 1);
  });
});

describe('stream-stream join topology', () => {
  it('describes windowed, join and merge nodes with their stores, as Kafka Streams does', () => {
    const { topology } = streams((l, r) => l.join(r, pair, JoinWindows.ofTimeDifferenceWithNoGrace(5)).to('out'));
    assert.equal(
      describeTopology(topology),
      `Topologies:
   Sub-topology: 0
    Source: KSTREAM-SOURCE-0000000000 (topics: [left])
      --> KSTREAM-WINDOWED-0000000002
    Source: KSTREAM-SOURCE-0000000001 (topics: [right])
      --> KSTREAM-WINDOWED-0000000003
    Processor: KSTREAM-WINDOWED-0000000002 (stores: [KSTREAM-JOINTHIS-0000000004-store])
      --> KSTREAM-JOINTHIS-0000000004
      <-- KSTREAM-SOURCE-0000000000
    Processor: KSTREAM-WINDOWED-0000000003 (stores: [KSTREAM-JOINOTHER-0000000005-store])
      --> KSTREAM-JOINOTHER-0000000005
      <-- KSTREAM-SOURCE-0000000001
    Processor: KSTREAM-JOINOTHER-0000000005 (stores: [KSTREAM-JOINTHIS-0000000004-store])
      --> KSTREAM-MERGE-0000000006
      <-- KSTREAM-WINDOWED-0000000003
    Processor: KSTREAM-JOINTHIS-0000000004 (stores: [KSTREAM-JOINOTHER-0000000005-store])
      --> KSTREAM-MERGE-0000000006
      <-- KSTREAM-WINDOWED-0000000002
    Processor: KSTREAM-MERGE-0000000006 (stores: [])
      --> KSTREAM-SINK-0000000007
      <-- KSTREAM-JOINTHIS-0000000004, KSTREAM-JOINOTHER-0000000005
    Sink: KSTREAM-SINK-0000000007 (topic: out)
      <-- KSTREAM-MERGE-0000000006

`,
    );
    const store = topology.stores.get('KSTREAM-JOINTHIS-0000000004-store');
    assert.deepEqual(store, { name: 'KSTREAM-JOINTHIS-0000000004-store', kind: 'window', retentionMs: 10, readHorizonMs: 10, internal: true });
    assert.deepEqual(topology.coPartitionGroups, [['left', 'right']]);
  });

  it('names the outer join’s nodes OUTERTHIS/OUTEROTHER and its shared store after the this-side node', () => {
    const { topology } = streams((l, r) => l.outerJoin(r, pair, JoinWindows.ofTimeDifferenceWithNoGrace(5)).to('out'));
    const processors = topology.nodes.filter((n) => n.kind === 'processor').map((n) => [n.name, n.kind === 'processor' ? n.stores : []]);
    assert.deepEqual(processors, [
      ['KSTREAM-WINDOWED-0000000002', ['KSTREAM-OUTERTHIS-0000000004-store']],
      ['KSTREAM-WINDOWED-0000000003', ['KSTREAM-OUTEROTHER-0000000005-store']],
      ['KSTREAM-OUTERTHIS-0000000004', ['KSTREAM-OUTEROTHER-0000000005-store', 'KSTREAM-OUTERSHARED-0000000004-store']],
      ['KSTREAM-OUTEROTHER-0000000005', ['KSTREAM-OUTERTHIS-0000000004-store', 'KSTREAM-OUTERSHARED-0000000004-store']],
      ['KSTREAM-MERGE-0000000006', []],
    ]);
  });

  it('names nodes after StreamJoined’s name and stores after its store name', () => {
    const { topology } = streams((l, r) => l.leftJoin(r, pair, JoinWindows.ofTimeDifferenceWithNoGrace(5), { name: 'pay', storeName: 'payments' }).to('out'));
    const processors = topology.nodes.filter((n) => n.kind === 'processor').map((n) => [n.name, n.kind === 'processor' ? n.stores : []]);
    assert.deepEqual(processors, [
      ['pay-this-windowed', ['payments-this-join-store']],
      ['pay-other-windowed', ['payments-outer-other-join-store']],
      ['pay-this-join', ['payments-outer-other-join-store', 'payments-left-shared-join-store']],
      ['pay-outer-other-join', ['payments-this-join-store', 'payments-left-shared-join-store']],
      ['pay-merge', []],
    ]);
  });

  it('repartitions a key-changed input first, named after the node that changed the key, and co-partitions the repartition topic', () => {
    const t = testTopology('shop');
    const orders = t.stream<string, { customer: string }>('orders').selectKey((_k, o) => o.customer);
    const visits = t.stream<string, string>('visits');
    orders.join(visits, (o, v) => `${o.customer}:${v}`, JoinWindows.ofTimeDifferenceWithNoGrace(10)).to('out');
    const topology = t.build();
    assert.deepEqual(topology.internalTopics.map((i) => i.name), ['shop-KSTREAM-KEY-SELECT-0000000001-repartition']);
    assert.deepEqual(topology.coPartitionGroups, [['shop-KSTREAM-KEY-SELECT-0000000001-repartition', 'visits']]);
    assert.equal(topology.subtopologies.length, 2);
    const driver = new TopologyTestDriver(topology);
    driver.inputTopic<string, { customer: string }>('orders').pipe('o1', { customer: 'ann' }, 1);
    driver.inputTopic<string, string>('visits').pipe('ann', 'home', 2);
    assert.deepEqual(rows(driver, 'out'), [['ann', 'ann:home', 2]]);
  });

  it('repartitions a key-changed stream once however often it is joined; StreamJoined names the topics -left and -right', () => {
    const t = testTopology('shop');
    const byCustomer = t.stream<string, string>('orders').selectKey((_k, v) => v);
    const visits = t.stream<string, string>('visits');
    byCustomer.join(visits, pair, JoinWindows.ofTimeDifferenceWithNoGrace(10)).to('a');
    byCustomer.leftJoin(visits, pair, JoinWindows.ofTimeDifferenceWithNoGrace(10)).to('b');
    visits.join(byCustomer, pair, JoinWindows.ofTimeDifferenceWithNoGrace(10), { name: 'v' }).to('c');
    assert.deepEqual(t.build().internalTopics.map((i) => i.name), ['shop-KSTREAM-KEY-SELECT-0000000001-repartition', 'shop-v-right-repartition']);
  });

  it('rejects a stream-stream join without JoinWindows and a join across topologies', () => {
    const t = testTopology();
    const s = t.stream<string, string>('a');
    const other = t.stream<string, string>('b');
    assert.throws(() => (s.join as (...args: unknown[]) => unknown)(other, pair), /needs JoinWindows/);
    const elsewhere = testTopology('other').stream<string, string>('c');
    assert.throws(() => s.join(elsewhere, pair, JoinWindows.ofTimeDifferenceWithNoGrace(1)), /cannot join across topologies/);
  });
});

describe('stream-table join', () => {
  function shop(join: 'join' | 'leftJoin') {
    const t = testTopology('shop');
    const prices = t.table<string | null, number>('prices', { store: 'prices' });
    const orders = t.stream<string | null, number | null>('orders');
    if (join === 'join') orders.join(prices, (qty, price) => `${qty}x${price}`, { name: 'priced' }).to('out');
    else orders.leftJoin(prices, (qty, price) => `${qty}x${price}`, { name: 'priced' }).to('out');
    const driver = new TopologyTestDriver(t);
    return { t, driver, orders: driver.inputTopic<string | null, number | null>('orders'), prices: driver.inputTopic<string, number | null>('prices') };
  }

  it('joins each stream record with the table’s current value for its key, stamped with the stream record’s timestamp', () => {
    const { driver, orders, prices } = shop('join');
    orders.pipe('apple', 2, 10); // no price yet: nothing
    prices.pipe('apple', 3, 50);
    orders.pipe('apple', 2, 7); // current value, whatever its timestamp
    prices.pipe('apple', 4, 20);
    orders.pipe('apple', 1, 8);
    assert.deepEqual(rows(driver, 'out'), [
      ['apple', '2x3', 7],
      ['apple', '1x4', 8],
    ]);
  });

  it('emits nothing on table updates', () => {
    const { driver, orders, prices } = shop('join');
    orders.pipe('apple', 2, 1);
    prices.pipe('apple', 3, 2);
    prices.pipe('apple', 5, 3);
    assert.deepEqual(rows(driver, 'out'), []);
  });

  it('a left join calls the joiner with null when the table has no value, also after a tombstone', () => {
    const { driver, orders, prices } = shop('leftJoin');
    orders.pipe('pear', 1, 1);
    prices.pipe('apple', 3, 2);
    orders.pipe('apple', 2, 3);
    prices.pipe('apple', null, 4);
    orders.pipe('apple', 5, 5);
    assert.deepEqual(rows(driver, 'out'), [
      ['pear', '1xnull', 1],
      ['apple', '2x3', 3],
      ['apple', '5xnull', 5],
    ]);
  });

  it('an inner join drops and counts stream records with a null key or null value', () => {
    const { driver, orders, prices } = shop('join');
    prices.pipe('apple', 3, 1);
    orders.pipe(null, 1, 2);
    orders.pipe('apple', null, 3);
    assert.deepEqual(rows(driver, 'out'), []);
    assert.deepEqual(driver.droppedRecords(), [
      { node: 'priced', reason: 'null-key' },
      { node: 'priced', reason: 'null-value' },
    ]);
  });

  it('a left join forwards a null-key record joined with null (KIP-962) and drops a null value', () => {
    const { driver, orders, prices } = shop('leftJoin');
    prices.pipe('apple', 3, 1);
    orders.pipe(null, 1, 2);
    orders.pipe('apple', null, 3);
    assert.deepEqual(rows(driver, 'out'), [[null, '1xnull', 2]]);
    assert.deepEqual(driver.droppedRecords(), [{ node: 'priced', reason: 'null-value' }]);
  });

  it('runs in the table’s subtopology, reading its store, and co-partitions stream and table', () => {
    const { t } = shop('join');
    const topology = t.build();
    assert.equal(topology.subtopologies.length, 1);
    assert.deepEqual(topology.coPartitionGroups, [['orders', 'prices']]);
    const join = topology.nodes.find((n) => n.name === 'priced');
    assert.deepEqual(join?.kind === 'processor' && join.stores, ['prices']);
  });

  it('repartitions a key-changed stream through <app>-<joined name>-repartition before the join', () => {
    const t = testTopology('shop');
    const prices = t.table<string, number>('prices');
    t.stream<string, { product: string; qty: number }>('orders')
      .selectKey((_k, o) => o.product)
      .mapValues((o) => o.qty)
      .join(prices, (qty, price) => qty * price, { name: 'orders-by-product' })
      .to('totals');
    const topology = t.build();
    assert.deepEqual(topology.internalTopics.map((i) => i.name), ['shop-orders-by-product-repartition']);
    assert.deepEqual(topology.coPartitionGroups, [['shop-orders-by-product-repartition', 'prices']]);
    assert.equal(topology.subtopologies.length, 2);
    const driver = new TopologyTestDriver(topology);
    driver.inputTopic<string, number>('prices').pipe('apple', 3);
    driver.inputTopic<string, { product: string; qty: number }>('orders').pipe('o1', { product: 'apple', qty: 2 }, 9);
    assert.deepEqual(rows(driver, 'totals'), [['apple', 6, 9]]);
  });

  it('looks up a derived table through its value getter', () => {
    const t = testTopology();
    const cents = t.table<string, number>('prices').mapValues((p) => p * 100).filter((_k, c) => c < 1000);
    t.stream<string, number>('orders').leftJoin(cents, (qty, c) => (c === null ? 'n/a' : qty * c)).to('out');
    const driver = new TopologyTestDriver(t);
    driver.inputTopic<string, number>('prices').pipeAll([['apple', 3], ['gold', 50]]);
    driver.inputTopic<string, number>('orders').pipeAll([['apple', 2], ['gold', 1]]);
    assert.deepEqual(driver.outputTopic('out').readKeyValues(), [['apple', 600], ['gold', 'n/a']]);
  });
});

describe('stream-globalTable join', () => {
  function shop(join: 'join' | 'leftJoin') {
    const t = testTopology('shop');
    const customers = t.globalTable<string, { name: string }>('customers', { store: 'customers' });
    const orders = t.stream<string, { customer: string | null }>('orders').selectKey((k) => k.toUpperCase());
    const joiner = (o: { customer: string | null }, c: { name: string } | null) => `${o.customer}:${c ? c.name : '?'}`;
    if (join === 'join') orders.join(customers, (_k, o) => o.customer, joiner).to('out');
    else orders.leftJoin(customers, (_k, o) => o.customer, joiner, { name: 'with-customer' }).to('out');
    const driver = new TopologyTestDriver(t);
    return { t, driver, orders: driver.inputTopic<string, { customer: string | null }>('orders'), customers: driver.inputTopic<string, { name: string } | null>('customers') };
  }

  it('joins by the key the selector computes, keeping the stream record’s key and timestamp, without repartitioning', () => {
    const { t, driver, orders, customers } = shop('join');
    customers.pipe('c1', { name: 'Ann' }, 100);
    orders.pipe('o1', { customer: 'c1' }, 5);
    orders.pipe('o2', { customer: 'c2' }, 6); // no such customer: nothing
    customers.pipe('c2', { name: 'Bob' }, 7); // a table update: nothing
    assert.deepEqual(rows(driver, 'out'), [['O1', 'c1:Ann', 5]]);
    const topology = t.build();
    assert.deepEqual(topology.internalTopics, []);
    assert.deepEqual(topology.coPartitionGroups, []);
  });

  it('a left join calls the joiner with null for a missing value, and for a record whose selected key is null (KIP-962)', () => {
    const { driver, orders } = shop('leftJoin');
    orders.pipe('o1', { customer: 'c9' }, 1);
    orders.pipe('o2', { customer: null }, 2);
    assert.deepEqual(rows(driver, 'out'), [
      ['O1', 'c9:?', 1],
      ['O2', 'null:?', 2],
    ]);
    assert.deepEqual(driver.droppedRecords(), []);
  });

  it('an inner join drops and counts a record whose selected key is null', () => {
    const { driver, orders, customers } = shop('join');
    customers.pipe('c1', { name: 'Ann' }, 1);
    orders.pipe('o2', { customer: null }, 2);
    assert.deepEqual(rows(driver, 'out'), []);
    assert.deepEqual(driver.droppedRecords().map((d) => d.reason), ['null-key']);
  });

  it('describes the join in the stream’s subtopology, with no store connected', () => {
    const { t } = shop('join');
    assert.equal(
      describeTopology(t.build()),
      `Topologies:
   Sub-topology: 0 for global store (will not generate tasks)
    Source: KSTREAM-SOURCE-0000000000 (topics: [customers])
      --> KTABLE-SOURCE-0000000001
    Processor: KTABLE-SOURCE-0000000001 (stores: [customers])
      --> none
      <-- KSTREAM-SOURCE-0000000000

  Sub-topology: 1
    Source: KSTREAM-SOURCE-0000000002 (topics: [orders])
      --> KSTREAM-KEY-SELECT-0000000003
    Processor: KSTREAM-KEY-SELECT-0000000003 (stores: [])
      --> KSTREAM-JOIN-0000000004
      <-- KSTREAM-SOURCE-0000000002
    Processor: KSTREAM-JOIN-0000000004 (stores: [])
      --> KSTREAM-SINK-0000000005
      <-- KSTREAM-KEY-SELECT-0000000003
    Sink: KSTREAM-SINK-0000000005 (topic: out)
      <-- KSTREAM-JOIN-0000000004

`,
    );
  });
});

describe('table-table join', () => {
  function tables(build: (l: ReturnType<typeof tableOf>, r: ReturnType<typeof tableOf>) => void) {
    const t = testTopology('tt');
    build(tableOf(t, 'l'), tableOf(t, 'r'));
    const driver = new TopologyTestDriver(t);
    return {
      t,
      driver,
      l: driver.inputTopic<string, string | null>('l'),
      r: driver.inputTopic<string, string | null>('r'),
      out: () => rows(driver, 'out'),
    };
  }
  function tableOf(t: ReturnType<typeof testTopology>, topic: string) {
    return t.table<string, string>(topic, { store: `${topic}-store` });
  }

  it('an inner join updates on either side while both have a value, stamped with the later timestamp', () => {
    const { l, r, out } = tables((lt, rt) => lt.join(rt, pair).toStream().to('out'));
    l.pipe('k', 'A', 10); // no right value: nothing
    r.pipe('k', 'X', 5);
    l.pipe('k', 'B', 3);
    r.pipe('k', null, 20); // the result is deleted
    l.pipe('k', null, 21); // nothing left to delete
    assert.deepEqual(out(), [
      ['k', 'A+X', 10],
      ['k', 'B+X', 5],
      ['k', null, 20],
    ]);
  });

  it('a left join keeps the left table’s keys, joined with null without a partner', () => {
    const { l, r, out } = tables((lt, rt) => lt.leftJoin(rt, pair).toStream().to('out'));
    l.pipe('k', 'A', 10);
    r.pipe('k', 'X', 5);
    r.pipe('k', null, 20);
    l.pipe('k', null, 21);
    r.pipe('k', 'Y', 22); // no left value: nothing
    assert.deepEqual(out(), [
      ['k', 'A+null', 10],
      ['k', 'A+X', 10],
      ['k', 'A+null', 20],
      ['k', null, 21],
    ]);
  });

  it('an outer join keeps the keys of both tables until both are deleted', () => {
    const { l, r, out } = tables((lt, rt) => lt.outerJoin(rt, pair).toStream().to('out'));
    r.pipe('k', 'X', 5);
    l.pipe('k', 'A', 10);
    l.pipe('k', null, 11);
    r.pipe('k', null, 12);
    assert.deepEqual(out(), [
      ['k', 'null+X', 5],
      ['k', 'A+X', 10],
      ['k', 'null+X', 11],
      ['k', null, 12],
    ]);
  });

  it('forwards each change with the old join result, and materializes the result when given a store', () => {
    const t = testTopology();
    const joined = t.table<string, number>('l').join(t.table<string, number>('r'), (a, b) => a + b, { store: 'sums', name: 'sum' });
    const changes: unknown[] = [];
    t.addProcessor('CAPTURE', [joined.node], [], (_ctx, [input]) => input!.pipe(tap((r) => changes.push(r.value))), 'capture');
    joined.toStream().to('out');
    const driver = new TopologyTestDriver(t);
    driver.inputTopic<string, number>('l').pipe('k', 1, 1);
    driver.inputTopic<string, number>('r').pipe('k', 10, 2);
    driver.inputTopic<string, number>('l').pipe('k', 2, 3);
    assert.deepEqual(rows(driver, 'out'), [
      ['k', 11, 2],
      ['k', 12, 3],
    ]);
    assert.deepEqual(driver.keyValueStore<string, ValueAndTimestamp<number>>('sums').get('k'), { value: 12, timestamp: 3 });
    assert.deepEqual(changes, [
      { newValue: 11, oldValue: null },
      { newValue: 12, oldValue: 11 },
    ]);
    const names = driver.topology.nodes.map((n) => n.name);
    assert.ok(names.includes('sum') && names.includes('sum-join-this') && names.includes('sum-join-other'));
  });

  it('names its nodes KTABLE-JOINTHIS, KTABLE-JOINOTHER and KTABLE-MERGE, each side reading the other’s store', () => {
    const { t } = tables((lt, rt) => lt.join(rt, pair).toStream().to('out'));
    const topology = t.build();
    const processors = topology.nodes.filter((n) => n.kind === 'processor').map((n) => [n.name, n.kind === 'processor' ? n.parents : [], n.kind === 'processor' ? n.stores : []]);
    assert.deepEqual(processors.slice(2, 5), [
      ['KTABLE-JOINTHIS-0000000005', ['KTABLE-SOURCE-0000000001'], ['r-store']],
      ['KTABLE-JOINOTHER-0000000006', ['KTABLE-SOURCE-0000000003'], ['l-store']],
      ['KTABLE-MERGE-0000000004', ['KTABLE-JOINTHIS-0000000005', 'KTABLE-JOINOTHER-0000000006'], []],
    ]);
    assert.equal(topology.subtopologies.length, 1);
    assert.deepEqual(topology.coPartitionGroups, [['l', 'r']]);
  });

  it('an unmaterialized join result can be looked up by a stream: it joins both tables’ current values', () => {
    const t = testTopology();
    const both = t.table<string, string>('l').leftJoin(t.table<string, string>('r'), pair);
    t.stream<string, string>('q').join(both, (q, v) => `${q}=${v}`).to('out');
    const driver = new TopologyTestDriver(t);
    driver.inputTopic<string, string>('l').pipe('k', 'A', 1);
    driver.inputTopic<string, string>('q').pipe('k', 'q1', 2);
    driver.inputTopic<string, string>('r').pipe('k', 'X', 3);
    driver.inputTopic<string, string>('q').pipe('k', 'q2', 4);
    driver.inputTopic<string, string>('q').pipe('z', 'q3', 5);
    assert.deepEqual(rows(driver, 'out'), [
      ['k', 'q1=A+null', 2],
      ['k', 'q2=A+X', 4],
    ]);
    assert.deepEqual(driver.topology.coPartitionGroups, [['l', 'r'], ['q', 'l', 'r']]);
  });
});

interface JoinEvent {
  readonly side: 'L' | 'R';
  readonly key: string;
  readonly ts: number;
}

/**
 * Kafka Streams' stream-stream join written as plainly as possible: lists instead of
 * stores, every rule spelled out. Values are `<side><index>`; outputs are `key value/ts`.
 */
function modelStreamJoin(events: readonly JoinEvent[], before: number, after: number, grace: number, leftOuter: boolean, rightOuter: boolean) {
  const retention = before + after + grace;
  type Kept = { key: string; ts: number; value: string };
  const kept: Record<'L' | 'R', Kept[]> = { L: [], R: [] };
  const observed: Record<'L' | 'R', number> = { L: -1, R: -1 };
  let waiting: Array<Kept & { side: 'L' | 'R' }> = [];
  let earliest: number | undefined; // Kafka Streams' minTime: undefined for its Long.MAX_VALUE
  let streamTime = -1;
  const out: string[] = [];
  let expired = 0;
  const show = (key: string, l: string | null, r: string | null, ts: number) => out.push(`${key} ${l}+${r}/${ts}`);
  events.forEach((e, i) => {
    const value = `${e.side}${i}`;
    const other = e.side === 'L' ? 'R' : 'L';
    streamTime = Math.max(streamTime, e.ts);
    // Kafka Streams 4.1's emitNonJoinedOuterRecords (its wall-clock throttle aside). A left record's
    // window closes after `after + grace`, a right one's after `before + grace`; the side processing
    // looks only when the earliest waiting time plus its own look-ahead is behind stream time, and
    // leaves the earliest waiting time at the last record it walked.
    if (leftOuter && e.ts === streamTime && !(earliest !== undefined && earliest + (e.side === 'L' ? after : before) + grace >= streamTime)) {
      earliest = undefined;
      const walk = [...waiting].sort((a, b) => a.ts - b.ts || (a.side === b.side ? 0 : a.side === 'R' ? -1 : 1) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
      const open = { L: false, R: false };
      for (const w of walk) {
        if (open.L && open.R) break;
        earliest = w.ts;
        if (w.ts + (w.side === 'L' ? after : before) + grace >= streamTime) {
          open[w.side] = true;
          continue;
        }
        show(w.key, w.side === 'L' ? w.value : null, w.side === 'R' ? w.value : null, w.ts);
        waiting = waiting.filter((x) => x !== w);
      }
    }
    const from = Math.max(0, e.ts - (e.side === 'L' ? before : after), observed[other] - retention + 1);
    const to = Math.max(0, e.ts + (e.side === 'L' ? after : before));
    const partners = kept[other].filter((k) => k.key === e.key && k.ts >= from && k.ts <= to);
    partners.sort((a, b) => a.ts - b.ts);
    for (const p of partners) {
      waiting = waiting.filter((w) => !(w.side === other && w.key === e.key && w.ts === p.ts));
      if (e.side === 'L') show(e.key, value, p.value, Math.max(e.ts, p.ts));
      else show(e.key, p.value, value, Math.max(e.ts, p.ts));
    }
    const outer = e.side === 'L' ? leftOuter : rightOuter;
    if (outer && partners.length === 0) {
      if (to < streamTime) show(e.key, e.side === 'L' ? value : null, e.side === 'R' ? value : null, e.ts);
      else {
        earliest = earliest === undefined ? e.ts : Math.min(earliest, e.ts);
        waiting.push({ side: e.side, key: e.key, ts: e.ts, value });
      }
    }
    observed[e.side] = Math.max(observed[e.side], e.ts);
    if (e.ts > observed[e.side] - retention) kept[e.side].push({ key: e.key, ts: e.ts, value });
    else expired++;
  });
  return { out, expired };
}

describe('stream-stream joins against a reference model', () => {
  const events = fc.array(fc.record({ side: fc.constantFrom<'L' | 'R'>('L', 'R'), key: fc.constantFrom('a', 'b', 'c'), ts: fc.integer({ min: 0, max: 80 }) }), { maxLength: 50 });
  // `before` may be negative as long as the window keeps a non-negative width.
  const windows = fc
    .record({ after: fc.integer({ min: 0, max: 20 }), before: fc.integer({ min: -5, max: 20 }), grace: fc.integer({ min: 0, max: 15 }) })
    .filter((w) => w.before + w.after >= 0);

  function run(kind: 'join' | 'leftJoin' | 'outerJoin', input: readonly JoinEvent[], w: { before: number; after: number; grace: number }) {
    const t = testTopology();
    const joinWindows = JoinWindows.ofTimeDifferenceAndGrace(0, w.grace).after(w.after).before(w.before);
    const left = t.stream<string, string>('left');
    const right = t.stream<string, string>('right');
    const joiner = (l: string | null, r: string | null) => `${l}+${r}`;
    (kind === 'join' ? left.join(right, joiner, joinWindows) : kind === 'leftJoin' ? left.leftJoin(right, joiner, joinWindows) : left.outerJoin(right, joiner, joinWindows)).to('out');
    const driver = new TopologyTestDriver(t);
    input.forEach((e, i) => driver.inputTopic<string, string>(e.side === 'L' ? 'left' : 'right').pipe(e.key, `${e.side}${i}`, e.ts));
    return {
      out: driver.outputTopic<string, string>('out').readRecords().map((r) => `${r.key} ${r.value}/${r.timestamp}`),
      expired: driver.droppedRecords().filter((d) => d.reason === 'expired-window').length,
    };
  }

  it('the inner join equals the naive model for random records and windows', () => {
    fc.assert(
      fc.property(events, windows, (input, w) => {
        assert.deepEqual(run('join', input, w), modelStreamJoin(input, w.before, w.after, w.grace, false, false));
      }),
      { numRuns: 400 },
    );
  });

  it('left and outer joins equal the naive model, emit-on-close included', () => {
    fc.assert(
      fc.property(events, windows, fc.boolean(), (input, w, outer) => {
        assert.deepEqual(run(outer ? 'outerJoin' : 'leftJoin', input, w), modelStreamJoin(input, w.before, w.after, w.grace, true, outer));
      }),
      { numRuns: 400 },
    );
  });
});
