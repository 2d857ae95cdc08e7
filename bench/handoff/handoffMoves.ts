import { assignedTasks, firstEvent, type LogEvent } from '../support/workerLog.ts';

/** Why a task moved: a worker joined (scale-out), or its owner was stopped with SIGTERM (shutdown). */
export type MoveKind = 'scale-out' | 'shutdown';

/**
 * One task's move from its old owner to its new one, from both workers' logs (all times ms).
 * `closed` is the old owner's "task closed"; the new owner's "assigned", "task claimed" and
 * "first record since claim" are measured from it, so a negative figure means the new owner
 * got there before the old one let go (the old owner's in-flight unit is then fenced).
 */
export interface Move {
  readonly kind: MoveKind;
  readonly round: number;
  readonly task: string;
  /** Old owner's "task closed" → new owner's "task claimed". */
  readonly closedToClaimed: number;
  /** The new owner's claim, as it logged it (StreamTask.open: epoch bump, producer, committed offsets, outbox, processor times). */
  readonly claimMs: number;
  /** Old owner's "task closed" → new owner's "first record since claim" (absent: none seen). */
  readonly closedToFirstRecord: number | undefined;
  /** Old owner's "task closed" → new owner's "assigned" listing the task: the group protocol's share. */
  readonly closedToAssigned: number;
  /** New owner's "task claimed" → its first record: the fetch's share. */
  readonly claimedToFirstRecord: number | undefined;
  /** Shutdown only: SIGTERM → old owner's "task closed" (the drain). */
  readonly signalToClosed: number | undefined;
}

/**
 * The moves of `tasks` from `from` to `to` that happened at or after `since` (ms); throws
 * naming the first log line that is missing.
 */
export function measureMoves(
  kind: MoveKind,
  round: number,
  tasks: readonly string[],
  from: readonly LogEvent[],
  to: readonly LogEvent[],
  since: number,
): Move[] {
  return tasks.map((task) => {
    const closed = firstEvent(from, 'task closed', since, task);
    const claimed = firstEvent(to, 'task claimed', since, task);
    const assigned = to.find((e) => e.msg === 'assigned' && e.time >= since && assignedTasks(e).includes(task));
    if (!closed || !claimed || !assigned) {
      throw new Error(`${kind} round ${round}, task ${task}: missing ${!closed ? "the old owner's 'task closed'" : !claimed ? "the new owner's 'task claimed'" : "the new owner's 'assigned'"}`);
    }
    const first = firstEvent(to, 'first record since claim', claimed.time, task);
    return {
      kind,
      round,
      task,
      closedToClaimed: claimed.time - closed.time,
      claimMs: Number(claimed.fields.claimMs),
      closedToFirstRecord: first ? first.time - closed.time : undefined,
      closedToAssigned: assigned.time - closed.time,
      claimedToFirstRecord: first ? first.time - claimed.time : undefined,
      signalToClosed: kind === 'shutdown' ? closed.time - since : undefined,
    };
  });
}
