import assert from 'node:assert/strict';
import { TopologyTestDriver } from '../../../runtime/topologyTestDriver.ts';
import { KAFKA_STREAMS_TOPOLOGIES, readCases, shownOutput } from './kafkaStreamsBehaviour/kafkaStreamsCases.ts';

/**
 * Kafka Streams is the reference: random inputs were run through its own TopologyTestDriver
 * (kafkaStreamsBehaviour/KafkaStreamsBehaviour.java, Kafka Streams 4.1.1, record cache off,
 * in-memory window and session stores) and every output recorded. The same topologies in
 * tributary's DSL must give the same records, in the same order, per output topic.
 */
describe('the stateful operators against Kafka Streams itself', () => {
  const cases = readCases();

  it('has the cases Kafka Streams ran: 40 of each topology', () => {
    const kinds = new Map<string, number>();
    for (const c of cases) kinds.set(c.kind, (kinds.get(c.kind) ?? 0) + 1);
    assert.deepEqual(Object.fromEntries(kinds), Object.fromEntries(Object.keys(KAFKA_STREAMS_TOPOLOGIES).map((k) => [k, 40])));
  });

  for (const kind of Object.keys(KAFKA_STREAMS_TOPOLOGIES)) {
    it(`${kind}: every output record as Kafka Streams', for each of its cases`, () => {
      const topology = KAFKA_STREAMS_TOPOLOGIES[kind]!;
      for (const c of cases.filter((c) => c.kind === kind)) {
        const driver = new TopologyTestDriver(topology.build(c.params));
        for (const input of c.inputs) driver.pipe(input.topic, { key: input.key, value: input.value, timestamp: input.timestamp, headers: {} });
        for (const topic of topology.outputs) {
          const actual = driver.outputTopic<string, unknown>(topic).readRecords().map(shownOutput);
          assert.deepEqual(actual, c.outputs.get(topic) ?? [], `${topic} of ${c.line}, inputs ${c.inputs.map((i) => `${i.topic}:${i.key}@${i.timestamp}`).join(' ')}`);
        }
      }
    });
  }
});
