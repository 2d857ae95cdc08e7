import type { Catalogue, CatalogueEntry } from './catalogue.ts';
import { CatalogueError } from './errors.ts';
import type { RegistryClient } from './registryClient.ts';

/** What `registerEntry` did (or, in a dry run, would do) for one subject. */
export interface RegistrationResult {
  readonly topic: string;
  readonly subject: string;
  readonly compatibility: string;
  /** `registered`: a new version; `unchanged`: this exact schema was already there; `would-register`: dry run. */
  readonly action: 'registered' | 'unchanged' | 'would-register';
  readonly id?: number;
}

/**
 * Makes the registry hold the entry's schema under its subject with the entry's compatibility
 * rule. The rule is set first, so the registry judges the new version by it (Apicurio
 * enforces nothing on a subject without a rule; its global default is NONE). An incompatible
 * schema is refused with RegistryRequestError (409). With `dryRun` nothing is written.
 */
export async function registerEntry(registry: RegistryClient, entry: CatalogueEntry, dryRun = false): Promise<RegistrationResult> {
  const base = { topic: entry.topic, subject: entry.subject, compatibility: entry.compatibility };
  const existing = await registry.idForSchema(entry.subject, entry.schema);
  if (dryRun) return existing === undefined ? { ...base, action: 'would-register' } : { ...base, action: 'unchanged', id: existing };
  if ((await registry.compatibility(entry.subject)) !== entry.compatibility) {
    await registry.setCompatibility(entry.subject, entry.compatibility);
  }
  if (existing !== undefined) return { ...base, action: 'unchanged', id: existing };
  const id = await registry.register(entry.subject, entry.schema, entry.compatibility);
  return { ...base, action: 'registered', id };
}

/** The entries whose subject or topic is in `only` (all when `only` is empty); throws naming any that match nothing. */
export function selectEntries(catalogue: Catalogue, only: readonly string[] = []): CatalogueEntry[] {
  if (only.length === 0) return [...catalogue.entries];
  const unknown = only.filter((name) => !catalogue.entries.some((e) => e.subject === name || e.topic === name));
  if (unknown.length) throw new CatalogueError(`not in the catalogue: ${unknown.join(', ')}`);
  return catalogue.entries.filter((e) => only.includes(e.subject) || only.includes(e.topic));
}
