import avro from 'avsc';
import type { CatalogueEntry } from './catalogue.ts';
import type { CompatibilityLevel } from './compatibilityLevel.ts';
import { incompatibilities } from './incompatibilities.ts';
import type { RegistryClient } from './registryClient.ts';

/** The verdict on one catalogue schema against what the registry holds. */
export interface CheckResult {
  readonly topic: string;
  readonly subject: string;
  /** The rule judged by: the catalogue's, which `schemas register` will set. */
  readonly compatibility: CompatibilityLevel;
  /** `new`: the subject has no version yet; `unchanged`: this exact schema is registered. */
  readonly status: 'compatible' | 'incompatible' | 'new' | 'unchanged';
  /** Who decided: the registry's compatibility endpoint, or avsc here when the registry's rule differs from the catalogue's. */
  readonly judgedBy: 'registry' | 'local';
  /** One line per problem naming the field; empty unless incompatible. */
  readonly reasons: readonly string[];
}

/**
 * Tests `entry` as the next version of its subject under the catalogue's rule. When the
 * registry already applies that rule to the subject, its compatibility endpoint decides and
 * avsc explains; otherwise (rule not yet set, or being changed) avsc decides against the
 * versions the rule covers. Writes nothing.
 */
export async function checkEntry(registry: RegistryClient, entry: CatalogueEntry): Promise<CheckResult> {
  const base = { topic: entry.topic, subject: entry.subject, compatibility: entry.compatibility };
  const versions = await registry.versions(entry.subject);
  if (versions.length === 0) return { ...base, status: 'new', judgedBy: 'local', reasons: [] };
  if ((await registry.idForSchema(entry.subject, entry.schema)) !== undefined) {
    return { ...base, status: 'unchanged', judgedBy: 'registry', reasons: [] };
  }
  const covered = entry.compatibility.endsWith('_TRANSITIVE') ? versions : versions.slice(-1);
  const previous = await Promise.all(
    covered.map(async (version) => {
      const stored = await registry.version(entry.subject, version);
      return { version, type: avro.Type.forSchema(JSON.parse(stored.schema) as avro.Schema) };
    }),
  );
  const reasons = incompatibilities(entry.type, previous, entry.compatibility);
  const registryRule = await registry.compatibility(entry.subject);
  if (registryRule !== entry.compatibility) {
    return { ...base, status: reasons.length ? 'incompatible' : 'compatible', judgedBy: 'local', reasons };
  }
  const compatible = await registry.isCompatible(entry.subject, entry.schema);
  if (compatible) return { ...base, status: 'compatible', judgedBy: 'registry', reasons: [] };
  return {
    ...base,
    status: 'incompatible',
    judgedBy: 'registry',
    reasons: reasons.length ? reasons : ['the registry reports it incompatible and gave no field-level reason'],
  };
}
