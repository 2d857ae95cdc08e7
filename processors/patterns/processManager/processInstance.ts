/** An event that came before its instance's start, kept to be handled right after it. */
export interface EarlyEvent {
  readonly type: string;
  readonly event: unknown;
  readonly timestamp: number;
}

/**
 * What the instance store keeps per instance id. An ended instance is kept (with its last
 * state, queryable) until `retainEndedMs` has passed on the wall clock, so that late or
 * duplicate events for it are recognised and ignored; then it is forgotten. Events of an
 * instance not started yet wait for its start (`awaitStartMs`) until `forgetAt`.
 */
export type ProcessInstance<S> =
  | { readonly status: 'awaiting-start'; readonly early: readonly EarlyEvent[]; readonly forgetAt: number }
  | { readonly status: 'active'; readonly state: S; readonly deadline: number }
  | { readonly status: 'ended'; readonly state: S; readonly outcome: 'completed' | 'timed-out'; readonly endedAt: number };

/** What falls due for an instance: its timeout while active, being forgotten once ended. */
export type InstanceDeadline = 'timeout' | 'forget';
