import type { AggregateDefinition } from './aggregateDefinition.ts';
import { rebuild } from './rebuild.ts';

/**
 * One event in an aggregate's history, as the history store keeps it. Versions count the
 * aggregate's events from 1 with no gaps; timestamps never decrease along the versions.
 */
export interface HistoryEntry<E> {
  readonly version: number;
  /** The event's record timestamp (epoch milliseconds). */
  readonly timestamp: number;
  readonly event: E;
}

/** A point in an aggregate's history: after a given version, or at a given time (inclusive). */
export type HistoryPosition = { readonly version: number } | { readonly timestamp: number };

/**
 * The temporal query: the aggregate's state as of `position`, folded from the entries of
 * `history` at or before it: `{ version: v }` applies versions 1..v (0 is the initial
 * state; past the last version, the latest state), `{ timestamp: t }` applies every event
 * stamped at or before t. `history` is an aggregate's entries in version order, as the
 * history store of `eventSourcedAggregate` holds them.
 */
export function stateAsOf<E, S>(definition: Pick<AggregateDefinition<unknown, E, S>, 'initial' | 'evolve'>, history: readonly HistoryEntry<E>[], position: HistoryPosition): S {
  return rebuild(definition, entriesUntil(history, position).map((entry) => entry.event));
}

/** The entries of `history` at or before `position`: a prefix, as timestamps never decrease along versions. */
function entriesUntil<E>(history: readonly HistoryEntry<E>[], position: HistoryPosition): readonly HistoryEntry<E>[] {
  const within = 'version' in position ? (entry: HistoryEntry<E>) => entry.version <= position.version : (entry: HistoryEntry<E>) => entry.timestamp <= position.timestamp;
  const end = history.findIndex((entry) => !within(entry));
  return end === -1 ? history : history.slice(0, end);
}
