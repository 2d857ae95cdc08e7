/** The kinds of store a topology can declare. */
export type StoreKind = 'keyValue' | 'window' | 'session';

/**
 * A store as declared in a topology: the runtime creates one instance per task
 * (Redis-backed), the test driver an in-memory one.
 */
export interface StoreDefinition {
  readonly name: string;
  readonly kind: StoreKind;
  /** How long window and session entries are kept after their window ends; their TTL in Redis. */
  readonly retentionMs?: number;
  /**
   * Window and session stores: how far back from the latest time written to it a processor of the
   * store ever reads (a windowed aggregate: window size + grace, as older windows are closed and
   * their late records dropped unread). A task then loads a key's entries from there, not the
   * whole history its retention keeps for queries. Absent: whole keys.
   */
  readonly readHorizonMs?: number;
  /** Created by the DSL (an aggregate's or join's store) rather than declared by the user. */
  readonly internal?: boolean;
  /** A global table's store: one copy for the whole application, not one per task. */
  readonly global?: boolean;
}
