/**
 * What the instance store keeps per instance id. An ended instance is kept (with its last
 * state, queryable) until `retainEndedMs` has passed on the wall clock, so that late or
 * duplicate events for it are recognised and ignored; then it is forgotten.
 */
export type ProcessInstance<S> =
  | { readonly status: 'active'; readonly state: S; readonly deadline: number }
  | { readonly status: 'ended'; readonly state: S; readonly outcome: 'completed' | 'timed-out'; readonly endedAt: number };

/** What falls due for an instance: its timeout while active, being forgotten once ended. */
export type InstanceDeadline = 'timeout' | 'forget';
