import { UnknownComponentError } from './stackErrors.ts';

/** The components `stack up` starts when none is named, in start order (the registry is independent of Kafka here). */
export const COMPONENT_NAMES = ['kafka', 'registry', 'redis'] as const;
export type ComponentName = (typeof COMPONENT_NAMES)[number];

/** Components that start only when named (`stack up redis-cluster`): most work does not need them, and they cost memory. */
export const OPTIONAL_COMPONENT_NAMES = ['redis-cluster'] as const;
export type OptionalComponentName = (typeof OPTIONAL_COMPONENT_NAMES)[number];

/** Every component the local stack can run: the default ones, then the optional ones. */
export const STACK_COMPONENT_NAMES = [...COMPONENT_NAMES, ...OPTIONAL_COMPONENT_NAMES] as const;
export type StackComponentName = ComponentName | OptionalComponentName;

/** True for the components `stack up` starts when none is named. */
export function isDefaultComponent(name: StackComponentName): name is ComponentName {
  return (COMPONENT_NAMES as readonly string[]).includes(name);
}

/**
 * Turns user input into component names in stack order; duplicates collapse; an unknown name throws
 * UnknownComponentError. An empty list gives undefined: the command's own default (`up` starts the
 * default components, `down` stops whatever runs).
 */
export function parseComponentNames(names: readonly string[]): StackComponentName[] | undefined {
  if (names.length === 0) return undefined;
  for (const name of names) {
    // The message lists the default components only; `--help` names the optional ones.
    if (!(STACK_COMPONENT_NAMES as readonly string[]).includes(name)) throw new UnknownComponentError(name, COMPONENT_NAMES);
  }
  return STACK_COMPONENT_NAMES.filter((known) => names.includes(known));
}
