import type { Topology } from '../../processors/topologyGraph.ts';
import { createRegistryClient } from '../../schemas/registryClient.ts';
import type { Serde, SerdeContext } from '../../schemas/serde.ts';
import type { WorkerConfig } from './workerConfig.ts';

/** What a worker's serdes are bound to: one registry client from its settings, shared by all of them. */
export function serdeContext(config: Pick<WorkerConfig, 'registryUrl' | 'registryAuth'>): SerdeContext {
  return { registry: createRegistryClient({ url: config.registryUrl, ...(config.registryAuth ? { auth: config.registryAuth } : {}) }) };
}

/**
 * Calls `configure` once on every distinct serde (key and value) of the topology's sources
 * and sinks, repartition topics included, before the worker reads a record. Serdes without
 * `configure` need nothing. A serde that refuses (SerdeConfigError: bound to another
 * registry) stops the worker at start rather than dead-lettering every record later.
 */
export function configureSerdes(topology: Topology, context: SerdeContext): void {
  const serdes = new Set<Serde<unknown>>();
  for (const node of topology.nodes) {
    if (node.kind === 'processor') continue;
    serdes.add(node.serdes.key);
    serdes.add(node.serdes.value);
  }
  for (const serde of serdes) serde.configure?.(context);
}
