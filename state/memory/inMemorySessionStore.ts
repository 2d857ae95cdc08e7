import type { TimeWindow } from '../../processors/record.ts';
import type { SessionStore } from '../sessionStore.ts';
import { keyId } from '../stateStore.ts';
import { StoreRetention } from './storeRetention.ts';

/**
 * A session store held in process memory: for the test driver and users' unit tests. It keeps
 * sessions for its retention, counted on session ends, as Kafka Streams' in-memory session
 * store does (see StoreRetention).
 */
export class InMemorySessionStore<K, V> implements SessionStore<K, V> {
  private readonly byKey = new Map<string, { key: K; sessions: Map<string, [TimeWindow, V]> }>();
  private readonly retention: StoreRetention;

  constructor(
    readonly name: string,
    retentionMs?: number,
  ) {
    this.retention = new StoreRetention(retentionMs);
  }

  findSessions(key: K, earliestEnd: number, latestStart: number): Array<[TimeWindow, V]> {
    const sessions = this.byKey.get(keyId(key))?.sessions;
    if (!sessions) return [];
    const earliest = Math.max(earliestEnd, this.retention.minLiveTime);
    return [...sessions.values()]
      .filter(([w]) => w.end >= earliest && w.start <= latestStart)
      .sort(([a], [b]) => a.start - b.start || a.end - b.end);
  }

  put(key: K, session: TimeWindow, value: V): void {
    if (!this.retention.accepts(session.end)) return;
    const id = keyId(key);
    let entry = this.byKey.get(id);
    if (!entry) this.byKey.set(id, (entry = { key, sessions: new Map() }));
    entry.sessions.set(sessionId(session), [session, value]);
    if (this.retention.dueForPruning()) this.prune();
  }

  remove(key: K, session: TimeWindow): void {
    if (!this.retention.accepts(session.end)) return;
    const id = keyId(key);
    const entry = this.byKey.get(id);
    entry?.sessions.delete(sessionId(session));
    if (entry && entry.sessions.size === 0) this.byKey.delete(id);
  }

  /** By end, then start, then keyId: the Redis store's order, so both answer alike whatever the insertion order. */
  fetchAll(from: number, to: number): Array<[K, TimeWindow, V]> {
    const earliest = Math.max(from, this.retention.minLiveTime);
    const found: Array<[string, K, TimeWindow, V]> = [];
    for (const [id, { key, sessions }] of this.byKey) {
      for (const [w, value] of sessions.values()) if (w.end >= earliest && w.end <= to) found.push([id, key, w, value]);
    }
    return found
      .sort((a, b) => a[2].end - b[2].end || a[2].start - b[2].start || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .map(([, key, w, value]) => [key, w, value]);
  }

  private prune(): void {
    for (const [id, { sessions }] of this.byKey) {
      for (const [sid, [w]] of sessions) if (this.retention.expired(w.end)) sessions.delete(sid);
      if (sessions.size === 0) this.byKey.delete(id);
    }
  }
}

function sessionId(session: TimeWindow): string {
  return `${session.start}:${session.end}`;
}
