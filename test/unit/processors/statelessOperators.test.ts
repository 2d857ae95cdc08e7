import assert from 'node:assert/strict';
import { map as rxMap, filter as rxFilter } from 'rxjs';
import { TopologyTestDriver } from '../../../runtime/topologyTestDriver.ts';
import type { StreamRecord } from '../../../processors/record.ts';
import { testTopology } from './stringTopology.ts';

describe('stateless operators', () => {
  it('filter keeps and filterNot drops the records that match, in input order', () => {
    const t = testTopology();
    const orders = t.stream<string, number>('in');
    orders.filter((_k, v) => v > 10).to('big');
    orders.filterNot((_k, v) => v > 10).to('small');
    const driver = new TopologyTestDriver(t);
    driver.inputTopic<string, number>('in').pipeAll([['a', 5], ['b', 50], ['c', 11], ['d', 10]]);
    assert.deepEqual(driver.outputTopic('big').readKeyValues(), [['b', 50], ['c', 11]]);
    assert.deepEqual(driver.outputTopic('small').readKeyValues(), [['a', 5], ['d', 10]]);
  });

  it('map, mapValues, selectKey and flatMap transform keys and values and keep the timestamp', () => {
    const t = testTopology();
    const s = t.stream<string, string>('in');
    s.map((k, v) => [v, k] as const).to('swapped');
    s.mapValues((v, k) => `${k}:${v.toUpperCase()}`).to('upper');
    s.selectKey((_k, v) => v.length).to('by-length');
    s.flatMap((k, v) => v.split('').map((c) => [`${k}${c}`, c] as const)).to('chars');
    s.flatMapValues((v) => [v, v]).to('twice');
    const driver = new TopologyTestDriver(t);
    driver.inputTopic<string, string>('in').pipe('k', 'ab', 42);
    assert.deepEqual(driver.outputTopic('swapped').readRecords().map((r) => [r.key, r.value, r.timestamp]), [['ab', 'k', 42]]);
    assert.deepEqual(driver.outputTopic('upper').readValues(), ['k:AB']);
    assert.deepEqual(driver.outputTopic('by-length').readKeyValues(), [[2, 'ab']]);
    assert.deepEqual(driver.outputTopic('chars').readKeyValues(), [['ka', 'a'], ['kb', 'b']]);
    assert.deepEqual(driver.outputTopic('twice').readValues(), ['ab', 'ab']);
  });

  it('peek sees every record and forwards it unchanged', () => {
    const seen: string[] = [];
    const t = testTopology();
    t.stream<string, string>('in').peek((k, v) => seen.push(`${k}=${v}`)).to('out');
    const driver = new TopologyTestDriver(t);
    driver.inputTopic<string, string>('in').pipeAll([['a', '1'], ['b', '2']]);
    assert.deepEqual(seen, ['a=1', 'b=2']);
    assert.deepEqual(driver.outputTopic('out').readKeyValues(), [['a', '1'], ['b', '2']]);
  });

  it('merge interleaves two streams in processing order', () => {
    const t = testTopology();
    t.stream<string, number>('left').merge(t.stream<string, number>('right')).to('out');
    const driver = new TopologyTestDriver(t);
    driver.inputTopic<string, number>('left').pipe('a', 1);
    driver.inputTopic<string, number>('right').pipe('b', 2);
    driver.inputTopic<string, number>('left').pipe('c', 3);
    assert.deepEqual(driver.outputTopic('out').readKeyValues(), [['a', 1], ['b', 2], ['c', 3]]);
  });

  it('split sends each record to the first matching branch, the rest to the default branch', () => {
    const t = testTopology();
    const branches = t
      .stream<string, number>('in')
      .split({ name: 'size-' })
      .branch((_k, v) => v > 100, { name: 'large' })
      .branch((_k, v) => v > 10, { name: 'medium' })
      .defaultBranch({ name: 'small' });
    assert.deepEqual(Object.keys(branches), ['size-large', 'size-medium', 'size-small']);
    branches['size-large']!.to('large');
    branches['size-medium']!.to('medium');
    branches['size-small']!.to('small');
    const driver = new TopologyTestDriver(t);
    driver.inputTopic<string, number>('in').pipeAll([['a', 500], ['b', 50], ['c', 5], ['d', 101]]);
    assert.deepEqual(driver.outputTopic('large').readValues(), [500, 101]);
    assert.deepEqual(driver.outputTopic('medium').readValues(), [50]);
    assert.deepEqual(driver.outputTopic('small').readValues(), [5]);
  });

  it('pipe drops plain RxJS operators into the pipeline', () => {
    const t = testTopology();
    t.stream<string, number>('in')
      .pipe<string, number>(
        rxFilter((r: StreamRecord<string, number>) => r.value % 2 === 0),
        rxMap((r: StreamRecord<string, number>) => ({ ...r, value: r.value * 10 })),
      )
      .to('out');
    const driver = new TopologyTestDriver(t);
    driver.inputTopic<string, number>('in').pipeAll([['a', 1], ['b', 2], ['c', 4]]);
    assert.deepEqual(driver.outputTopic('out').readKeyValues(), [['b', 20], ['c', 40]]);
  });

  it('records carry the headers and source context of the input that caused them', () => {
    const t = testTopology();
    t.stream<string, string>('in').mapValues((v) => v + '!').to('out');
    const driver = new TopologyTestDriver(t);
    driver.inputTopic<string, string>('in').pipe('k', 'v', 7, { 'trace-id': 't-1' });
    assert.deepEqual(driver.outputTopic('out').readRecords(), [{ key: 'k', value: 'v!', timestamp: 7, headers: { 'trace-id': 't-1' } }]);
  });

  it('a throwing user function fails with an error naming the node and the input record', () => {
    const t = testTopology();
    t.stream<string, number>('in').mapValues(() => {
      throw new Error('boom');
    }, { name: 'exploding-mapper' }).to('out');
    const driver = new TopologyTestDriver(t);
    assert.throws(() => driver.inputTopic<string, number>('in').pipe('k', 1), /processor 'exploding-mapper' failed on in\[0\]@0: boom/);
  });
});
