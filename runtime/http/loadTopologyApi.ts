import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError } from '../errors.ts';
import type { TopologyApi } from './topologyApi.ts';

/**
 * The `api` export of a topology module (`export const api = defineApi(…)` next to the
 * default export), or undefined when it has none. Imports the module as loadTopology does,
 * so it is the same module instance.
 */
export async function loadTopologyApi(file: string): Promise<TopologyApi | undefined> {
  const module = (await import(pathToFileURL(path.resolve(file)).href)) as { api?: unknown };
  if (module.api === undefined) return undefined;
  if (!isTopologyApi(module.api)) throw new ConfigError(`${file} exports an 'api' that is not a topology API (export const api = defineApi({ mediator, serdesOf }))`);
  return module.api;
}

function isTopologyApi(value: unknown): value is TopologyApi {
  return typeof value === 'object' && value !== null && 'mediator' in value && typeof value.mediator === 'function' && 'serdesOf' in value && typeof value.serdesOf === 'function';
}
