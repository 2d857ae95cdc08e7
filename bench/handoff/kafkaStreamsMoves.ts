import { firstEvent, type LogEvent } from '../support/workerLog.ts';
import type { MoveKind } from './handoffMoves.ts';

/**
 * One task's move between two Kafka Streams instances (HandoffStreams' log lines, all times
 * ms): the old owner closes it, the new owner restores its store from the changelog, then
 * processes its first record.
 */
export interface RestoreMove {
  readonly kind: MoveKind;
  readonly task: string;
  /** Changelog records the new owner restored (its `restore end`). */
  readonly restored: number;
  /** New owner's `restore start` → `restore end`. */
  readonly restoreMs: number;
  /** Old owner's `task closed` → new owner's `restore start`: the group protocol's share. */
  readonly closedToRestoreStart: number;
  /** Old owner's `task closed` → new owner's `first record since claim`: the whole handoff. */
  readonly closedToFirstRecord: number;
}

/** The restores a fresh instance made of `tasks` (its first `restore start`/`restore end` at or after `since`). */
export function restoresOf(events: readonly LogEvent[], tasks: readonly string[], since: number): Array<{ task: string; restored: number; restoreMs: number }> {
  return tasks.map((task) => {
    const start = firstEvent(events, 'restore start', since, task);
    const end = start && firstEvent(events, 'restore end', start.time, task);
    if (!start || !end) throw new Error(`task ${task}: no ${!start ? "'restore start'" : "'restore end'"} since ${since}`);
    return { task, restored: Number(end.fields.restored), restoreMs: end.time - start.time };
  });
}

/** The tasks the instance started restoring at or after `since`, in order. */
export function tasksRestoredSince(events: readonly LogEvent[], since: number): string[] {
  return [...new Set(events.filter((e) => e.msg === 'restore start' && e.time >= since && e.task !== undefined).map((e) => e.task!))];
}

/** The moves of `tasks` from `from` to `to` at or after `since`; throws naming the first log line that is missing. */
export function measureRestoreMoves(kind: MoveKind, tasks: readonly string[], from: readonly LogEvent[], to: readonly LogEvent[], since: number): RestoreMove[] {
  const restores = restoresOf(to, tasks, since);
  return restores.map(({ task, restored, restoreMs }) => {
    const closed = firstEvent(from, 'task closed', since, task);
    const start = firstEvent(to, 'restore start', since, task)!;
    const first = firstEvent(to, 'first record since claim', start.time, task);
    if (!closed || !first) throw new Error(`${kind}, task ${task}: missing ${!closed ? "the old owner's 'task closed'" : "the new owner's 'first record since claim'"}`);
    return { kind, task, restored, restoreMs, closedToRestoreStart: start.time - closed.time, closedToFirstRecord: first.time - closed.time };
  });
}
