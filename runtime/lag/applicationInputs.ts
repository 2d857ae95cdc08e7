import type { Topology } from '../../processors/topologyGraph.ts';
import { isGlobalSubtopology } from '../worker/globalTables.ts';

/** The topics an application's consumer group reads, and so commits offsets for. */
export interface ApplicationInputs {
  /** Topics the application reads but does not write, sorted. */
  readonly sources: readonly string[];
  /** Repartition topics: written and read by the application itself, sorted. */
  readonly repartition: readonly string[];
}

/**
 * What the group (group id = application id) consumes: every topic a subtopology reads,
 * except global tables' topics, which each worker reads on its own without committing.
 */
export function applicationInputs(topology: Topology): ApplicationInputs {
  const internal = new Set(topology.internalTopics.map((t) => t.name));
  const read = new Set(topology.subtopologies.filter((s) => !isGlobalSubtopology(topology, s)).flatMap((s) => s.sourceTopics));
  return {
    sources: [...read].filter((t) => !internal.has(t)).sort(),
    repartition: [...read].filter((t) => internal.has(t)).sort(),
  };
}
