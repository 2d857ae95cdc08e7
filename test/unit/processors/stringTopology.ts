import { jsonSerde } from '../../../schemas/jsonSerde.ts';
import { topology, type TopologyBuilder } from '../../../processors/topologyBuilder.ts';

/** A topology with JSON serdes by default, so tests only say what they test. */
export function testTopology(name = 'test-app'): TopologyBuilder {
  return topology(name, { serdes: { key: jsonSerde(), value: jsonSerde() } });
}
