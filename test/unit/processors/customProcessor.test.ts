import assert from 'node:assert/strict';
import type { KeyValueStore } from '../../../state/keyValueStore.ts';
import { TopologyTestDriver } from '../../../runtime/topologyTestDriver.ts';
import { testTopology } from './stringTopology.ts';

describe('custom processors (Processor API)', () => {
  it('read and write their declared stores and forward records', () => {
    const t = testTopology();
    t.addStore({ name: 'last-seen', kind: 'keyValue' });
    t.stream<string, number>('in')
      .process<string, string>(
        (ctx) => {
          const store = ctx.store<KeyValueStore<string, number>>('last-seen');
          return {
            process(record) {
              const previous = store.get(record.key);
              store.put(record.key, record.value);
              ctx.forward(record.key, previous === undefined ? 'first' : `changed by ${record.value - previous}`);
            },
          };
        },
        { stores: ['last-seen'] },
      )
      .to('out');
    const driver = new TopologyTestDriver(t);
    driver.inputTopic<string, number>('in').pipeAll([['a', 1, 5], ['a', 4, 6]]);
    assert.deepEqual(driver.outputTopic('out').readRecords().map((r) => [r.key, r.value, r.timestamp]), [['a', 'first', 5], ['a', 'changed by 3', 6]]);
    assert.equal(driver.keyValueStore('last-seen').get('a'), 4);
  });

  it('stream-time punctuation is aligned to 0: it fires on the first record, then when stream time crosses each multiple of the interval', () => {
    const t = testTopology();
    const fired: number[] = [];
    t.stream<string, string>('in').process<string, string>((ctx) => {
      ctx.schedule(10, 'stream-time', (time) => fired.push(time));
      return { process() {} };
    });
    const driver = new TopologyTestDriver(t);
    const input = driver.inputTopic<string, string>('in');
    for (const ts of [3, 5, 12, 13, 14, 40]) input.pipe('k', 'v', ts);
    assert.deepEqual(fired, [3, 12, 40]);
  });

  it('wall-clock punctuation fires only when the driver advances the wall clock past the interval', () => {
    const t = testTopology();
    t.stream<string, string>('in')
      .process<string, string>((ctx) => {
        ctx.schedule(1000, 'wall-clock', (now) => ctx.forward('tick', String(now)));
        return { process() {} };
      })
      .to('ticks');
    const driver = new TopologyTestDriver(t, { wallClockTimeMs: 0 });
    driver.advanceWallClockTime(999);
    assert.deepEqual(driver.outputTopic('ticks').readValues(), []);
    driver.advanceWallClockTime(1);
    driver.advanceWallClockTime(2500);
    assert.deepEqual(driver.outputTopic('ticks').readValues(), ['1000', '3500']);
  });

  it("forwards from a punctuation with the punctuation's time and no headers, and from a record with the record's", () => {
    const t = testTopology();
    t.stream<string, string>('in')
      .process<string, string>((ctx) => {
        ctx.schedule(1000, 'wall-clock', () => ctx.forward('tick', 'tick'));
        return { process: (record) => ctx.forward(record.key, record.value) };
      })
      .to('out');
    const driver = new TopologyTestDriver(t, { wallClockTimeMs: 0 });
    driver.inputTopic<string, string>('in').pipe('k', 'v', 42, { trace: 'abc' });
    driver.advanceWallClockTime(1000);
    assert.deepEqual(
      driver.outputTopic<string, string>('out').readRecords().map((r) => [r.key, r.timestamp, r.headers]),
      [['k', 42, { trace: 'abc' }], ['tick', 1000, {}]],
    );
  });

  it('processValues keeps each record\'s key, so a groupByKey after it needs no repartition, unlike after process', () => {
    const build = (fixedKey: boolean) => {
      const t = testTopology('fixed');
      const input = t.stream<string, number>('in');
      const doubled = fixedKey
        ? input.processValues<number>((ctx) => ({ process: ({ value, timestamp }) => ctx.forward(value * 2, { timestamp: timestamp + 1 }) }))
        : input.process<string, number>((ctx) => ({ process: ({ key, value }) => ctx.forward(key, value * 2) }));
      doubled.groupByKey({ name: 'g' }).count({ store: 'counts' }).toStream().to('out');
      return t;
    };
    assert.deepEqual(build(false).build().internalTopics.map((i) => i.name), ['fixed-g-repartition']);
    const t = build(true);
    assert.deepEqual(t.build().internalTopics, []);
    const driver = new TopologyTestDriver(t);
    driver.inputTopic<string, number>('in').pipeAll([['a', 1, 5], ['b', 2, 6], ['a', 3, 7]]);
    assert.deepEqual(driver.outputTopic('out').readRecords().map((r) => [r.key, r.value, r.timestamp]), [['a', 1, 6], ['b', 1, 7], ['a', 2, 8]]);
  });

  it('processValues refuses a forward from a punctuation, which has no record whose key it could keep', () => {
    const t = testTopology();
    t.stream<string, string>('in')
      .processValues<string>((ctx) => {
        ctx.schedule(1000, 'wall-clock', () => ctx.forward('tick'));
        return { process() {} };
      })
      .to('ticks');
    const driver = new TopologyTestDriver(t, { wallClockTimeMs: 0 });
    assert.throws(() => driver.advanceWallClockTime(1000), /forwards only while it processes a record/);
  });
});
