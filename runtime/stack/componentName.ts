import { UnknownComponentError } from './stackErrors.ts';

/** The three components of the local stack, in the order they start (the registry is independent of Kafka here). */
export const COMPONENT_NAMES = ['kafka', 'registry', 'redis'] as const;
export type ComponentName = (typeof COMPONENT_NAMES)[number];

/**
 * Turns user input into component names: an empty list means all of them, in start order;
 * duplicates collapse; an unknown name throws UnknownComponentError.
 */
export function parseComponentNames(names: readonly string[]): ComponentName[] {
  if (names.length === 0) return [...COMPONENT_NAMES];
  for (const name of names) {
    if (!(COMPONENT_NAMES as readonly string[]).includes(name)) throw new UnknownComponentError(name, COMPONENT_NAMES);
  }
  return COMPONENT_NAMES.filter((known) => names.includes(known));
}
