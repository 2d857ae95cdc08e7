import assert from 'node:assert/strict';
import { topologyForApplication } from '../../../processors/applicationTopology.ts';
import { TopologyTestDriver } from '../../../runtime/topologyTestDriver.ts';
import { testTopology } from './stringTopology.ts';

function wordCounts() {
  const t = testTopology('word-count');
  t.stream<string, string>('lines')
    .flatMapValues((line) => line.split(' '))
    .groupBy((_k, word) => word, { name: 'by-word' })
    .count({ store: 'counts' })
    .toStream()
    .to('counts');
  return t.build();
}

describe('topologyForApplication', () => {
  it('names internal topics after the application id, as Kafka Streams does, and leaves the user topics alone', () => {
    const topology = topologyForApplication(wordCounts(), 'word-count-blue');
    assert.equal(topology.name, 'word-count-blue');
    assert.deepEqual(topology.internalTopics.map((t) => t.name), ['word-count-blue-by-word-repartition']);
    const topics = topology.subtopologies.map((s) => [s.sourceTopics, s.sinkTopics]);
    assert.deepEqual(topics, [
      [['lines'], ['word-count-blue-by-word-repartition']],
      [['word-count-blue-by-word-repartition'], ['counts']],
    ]);
    for (const node of topology.nodes) {
      const named = node.kind === 'source' ? node.topics : node.kind === 'sink' ? [node.topic] : [];
      for (const topic of named) assert.ok(!topic.startsWith('word-count-by-word'), `${node.name} still names ${topic}`);
    }
  });

  it('runs the same as the topology it renames', () => {
    const run = (topology: ReturnType<typeof wordCounts>) => {
      const driver = new TopologyTestDriver(topology);
      driver.inputTopic<string, string>('lines').pipeAll([['a', 'to be or not to be'], ['b', 'be quick']]);
      return driver.outputTopic('counts').readKeyValues();
    };
    assert.deepEqual(run(topologyForApplication(wordCounts(), 'other')), run(wordCounts()));
  });

  it('is the topology itself when the application id is its name', () => {
    const topology = wordCounts();
    assert.equal(topologyForApplication(topology, 'word-count'), topology);
  });
});
