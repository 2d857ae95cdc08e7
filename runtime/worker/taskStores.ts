import type { Subtopology, Topology } from '../../processors/topologyGraph.ts';
import type { StoreDefinition } from '../../state/storeDefinition.ts';

/** The per-task store of processor stream times and the task's own; `@` keeps it apart from user store names. */
export const PROCESSOR_TIMES_STORE = '@processor-times';

/** The stores one task of `subtopology` holds in Redis: its declared stores plus its stream times. */
export function taskStores(topology: Topology, subtopology: Subtopology): StoreDefinition[] {
  return [
    ...subtopology.stores.map((name) => topology.stores.get(name)!).filter((d) => !d.global),
    { name: PROCESSOR_TIMES_STORE, kind: 'keyValue', internal: true },
  ];
}
