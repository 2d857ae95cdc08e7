import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { TopologyBuilder } from '../processors/topologyBuilder.ts';
import type { Topology } from '../processors/topologyGraph.ts';
import { ConfigError } from './errors.ts';

/**
 * Loads a topology module (a file whose default export is a topology or its builder,
 * as every file in topologies/ is) and returns the built topology.
 */
export async function loadTopology(file: string): Promise<Topology> {
  const resolved = path.resolve(file);
  let module: { default?: unknown };
  try {
    module = (await import(pathToFileURL(resolved).href)) as { default?: unknown };
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' && String((error as Error).message).includes(resolved)) {
      throw new ConfigError(`no topology module at ${file}`);
    }
    throw error;
  }
  const exported = module.default;
  // Duck-typed: a module loaded twice (CommonJS and ESM under tsx) has two TopologyBuilder classes.
  if (exported instanceof TopologyBuilder || isBuilder(exported)) return exported.build();
  if (isTopology(exported)) return exported;
  throw new ConfigError(`${file} must export a topology as its default export (export default topology('app')…)`);
}

function isBuilder(value: unknown): value is Pick<TopologyBuilder, 'build'> {
  return typeof value === 'object' && value !== null && 'build' in value && typeof value.build === 'function';
}

function isTopology(value: unknown): value is Topology {
  return typeof value === 'object' && value !== null && 'subtopologies' in value && 'nodes' in value;
}
