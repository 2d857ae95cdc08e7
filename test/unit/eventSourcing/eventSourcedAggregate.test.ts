import assert from 'node:assert/strict';
import { describeTopology } from '../../../processors/describeTopology.ts';
import { reject, type AggregateDefinition } from '../../../processors/eventSourcing/aggregateDefinition.ts';
import type { HistoryEntry } from '../../../processors/eventSourcing/aggregateHistory.ts';
import { eventSourcedAggregate, type AggregateSnapshot, type CommandRejection } from '../../../processors/eventSourcing/eventSourcedAggregate.ts';
import { TopologyTestDriver } from '../../../runtime/topologyTestDriver.ts';
import { testTopology } from '../processors/stringTopology.ts';

/** A counter that may not go below zero: add n → Added(n) (nothing for 0), below zero → rejected. */
type CounterCommand = { readonly add: number };
type CounterEvent = { readonly added: number };
const counter: AggregateDefinition<CounterCommand, CounterEvent, number> = {
  initial: 0,
  decide: ({ add }, total) => (total + add < 0 ? reject(`cannot take ${-add} from ${total}`) : add === 0 ? [] : [{ added: add }]),
  evolve: (total, { added }) => total + added,
};

function counterApp(keyChanged = false) {
  const app = testTopology();
  const source = app.stream<string, CounterCommand>('commands');
  const commands = keyChanged ? source.selectKey((key) => key.toUpperCase()) : source;
  const aggregate = eventSourcedAggregate(commands, counter, { name: 'counter' });
  aggregate.events.to('events');
  aggregate.rejections.to('rejections');
  return { app, aggregate };
}

describe('eventSourcedAggregate', () => {
  it('forwards the events decided, keeps the state and the history per aggregate, and forwards rejections with their reason', () => {
    const { app, aggregate } = counterApp();
    const driver = new TopologyTestDriver(app);
    driver.inputTopic<string, CounterCommand>('commands').pipeAll([
      ['a', { add: 5 }, 10],
      ['b', { add: 1 }, 11],
      ['a', { add: -7 }, 12],
      ['a', { add: -2 }, 13],
    ]);
    assert.deepEqual(driver.outputTopic('events').readRecords().map((r) => [r.key, r.value, r.timestamp]), [
      ['a', { added: 5 }, 10],
      ['b', { added: 1 }, 11],
      ['a', { added: -2 }, 13],
    ]);
    assert.deepEqual(driver.outputTopic<string, CommandRejection<CounterCommand>>('rejections').readKeyValues(), [['a', { command: { add: -7 }, reason: 'cannot take 7 from 5', version: 1 }]]);
    assert.deepEqual(driver.keyValueStore<string, AggregateSnapshot<number>>(aggregate.stores.state).get('a'), { state: 3, version: 2 });
    assert.deepEqual(driver.keyValueStore<string, HistoryEntry<CounterEvent>[]>(aggregate.stores.history).get('a'), [
      { version: 1, timestamp: 10, event: { added: 5 } },
      { version: 2, timestamp: 13, event: { added: -2 } },
    ]);
  });

  it('stamps an event of an older command with the aggregate\'s latest event time, so history time never goes back', () => {
    const { app, aggregate } = counterApp();
    const driver = new TopologyTestDriver(app);
    driver.inputTopic<string, CounterCommand>('commands').pipeAll([
      ['a', { add: 1 }, 50],
      ['a', { add: 1 }, 20],
      ['b', { add: 1 }, 30],
    ]);
    assert.deepEqual(driver.outputTopic('events').readRecords().map((r) => [r.key, r.timestamp]), [['a', 50], ['a', 50], ['b', 30]]);
    assert.deepEqual(driver.keyValueStore<string, HistoryEntry<CounterEvent>[]>(aggregate.stores.history).get('a')!.map((e) => e.timestamp), [50, 50]);
  });

  it('accepts a command that decides no events without writing anything', () => {
    const { app, aggregate } = counterApp();
    const driver = new TopologyTestDriver(app);
    driver.inputTopic<string, CounterCommand>('commands').pipe('a', { add: 0 }, 1);
    assert.ok(driver.outputTopic('events').isEmpty());
    assert.ok(driver.outputTopic('rejections').isEmpty());
    assert.equal(driver.keyValueStore(aggregate.stores.state).get('a'), undefined);
    assert.equal(driver.keyValueStore(aggregate.stores.history).get('a'), undefined);
  });

  it('drops and counts commands with a null key or a null value', () => {
    const { app } = counterApp();
    const driver = new TopologyTestDriver(app);
    const input = driver.inputTopic<string | null, CounterCommand | null>('commands');
    input.pipe(null, { add: 1 }, 1);
    input.pipe('a', null, 2);
    assert.ok(driver.outputTopic('events').isEmpty());
    assert.deepEqual(driver.droppedRecords(), [
      { node: 'counter', reason: 'null-key' },
      { node: 'counter', reason: 'null-value' },
    ]);
  });

  it('repartitions commands whose keys may have changed, so that one task owns each aggregate', () => {
    const { app, aggregate } = counterApp(true);
    assert.match(describeTopology(app.build()), /Sink: .* \(topic: counter-commands-repartition\)/);
    const driver = new TopologyTestDriver(app);
    driver.inputTopic<string, CounterCommand>('commands').pipeAll([
      ['a', { add: 2 }, 1],
      ['A', { add: 3 }, 2],
    ]);
    assert.deepEqual(driver.keyValueStore<string, AggregateSnapshot<number>>(aggregate.stores.state).get('A'), { state: 5, version: 2 });
  });

  it('names its processor, branches and stores after the aggregate, and keeps the partitioning', () => {
    const { app } = counterApp();
    const description = describeTopology(app.build());
    for (const part of ['Processor: counter (stores: [counter-history, counter-state])', 'Processor: counter-events (stores: [])', 'Processor: counter-rejections (stores: [])']) {
      assert.ok(description.includes(part), `${part} in\n${description}`);
    }
    assert.doesNotMatch(description, /repartition/);
  });
});
