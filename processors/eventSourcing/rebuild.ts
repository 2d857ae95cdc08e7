import type { AggregateDefinition } from './aggregateDefinition.ts';

/** An aggregate's state from its events: the fold of `evolve` over them, from `initial`. */
export function rebuild<E, S>(definition: Pick<AggregateDefinition<unknown, E, S>, 'initial' | 'evolve'>, events: Iterable<E>): S {
  let state = definition.initial;
  for (const event of events) state = definition.evolve(state, event);
  return state;
}
