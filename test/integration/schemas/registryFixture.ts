import { loadConnectionConfig } from '../../../runtime/config.ts';
import { createRegistryClient } from '../../../schemas/registryClient.ts';

/** The registry the integration tests talk to: SCHEMA_REGISTRY_URL, else the local stack. */
export const registryUrl = loadConnectionConfig().registryUrl;
export const registry = createRegistryClient({ url: registryUrl });

/** A topic prefix unique to this test run, so reruns against the same registry never collide. */
export const runPrefix = `it-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}.`;
