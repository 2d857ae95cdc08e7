import { z } from 'zod';

/** The registry's compatibility rules, as Confluent names them. */
export const compatibilityLevels = [
  'NONE',
  'BACKWARD',
  'BACKWARD_TRANSITIVE',
  'FORWARD',
  'FORWARD_TRANSITIVE',
  'FULL',
  'FULL_TRANSITIVE',
] as const;

export const compatibilityLevelSchema = z.enum(compatibilityLevels);

/**
 * BACKWARD: the new schema reads data written with the previous one (upgrade consumers first).
 * FORWARD: the previous schema reads data written with the new one (upgrade producers first).
 * FULL: both. `_TRANSITIVE`: against every earlier version, not just the latest.
 */
export type CompatibilityLevel = z.infer<typeof compatibilityLevelSchema>;
