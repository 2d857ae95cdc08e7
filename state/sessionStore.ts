import type { TimeWindow } from '../processors/record.ts';
import type { StateStore } from './stateStore.ts';

/** A store of sessions: a value per key and `[start, end]` session window. */
export interface SessionStore<K, V> extends StateStore {
  /** The sessions of a key that end at or after `earliestEnd` and start at or before `latestStart`, by start. */
  findSessions(key: K, earliestEnd: number, latestStart: number): Array<[TimeWindow, V]>;
  put(key: K, session: TimeWindow, value: V): void;
  remove(key: K, session: TimeWindow): void;
  /** Every session of this task's store ending in `[from, to]`. */
  fetchAll(from: number, to: number): Array<[K, TimeWindow, V]>;
}
