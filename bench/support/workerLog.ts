/** One pino line of a worker: `time` is epoch ms, `level` pino's number (40 warn, 50 error). */
export interface LogEvent {
  readonly time: number;
  readonly level: number;
  readonly msg: string;
  readonly task: string | undefined;
  readonly fields: Readonly<Record<string, unknown>>;
}

/** The JSON log lines of a worker, in order; anything else it printed (a stack trace, a tsx warning) is in `other`. */
export function parseLog(lines: readonly string[]): { events: LogEvent[]; other: string[] } {
  const events: LogEvent[] = [];
  const other: string[] = [];
  for (const line of lines) {
    if (!line.trim()) continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      other.push(line);
      continue;
    }
    if (typeof parsed !== 'object' || parsed === null) {
      other.push(line);
      continue;
    }
    const fields = parsed as Record<string, unknown>;
    events.push({
      time: Number(fields.time),
      level: Number(fields.level),
      msg: String(fields.msg ?? ''),
      task: typeof fields.task === 'string' ? fields.task : undefined,
      fields,
    });
  }
  return { events, other };
}

/** The first event with this message (and task, when given) at or after `since`. */
export function firstEvent(events: readonly LogEvent[], msg: string, since: number, task?: string): LogEvent | undefined {
  return events.find((e) => e.msg === msg && e.time >= since && (task === undefined || e.task === task));
}

/** The tasks an `assigned` event lists. */
export function assignedTasks(event: LogEvent): string[] {
  const tasks = event.fields.tasks;
  return Array.isArray(tasks) ? tasks.filter((t): t is string => typeof t === 'string') : [];
}

/**
 * True once `applications` applications (the `app` of a worker's lines) have each been
 * assigned tasks and have claimed every task of their latest assignment: a process running
 * that many topologies owns all it was given and reads.
 */
export function claimedAll(events: readonly LogEvent[], applications: number): boolean {
  const assigned = new Map<string, string[]>();
  const claimed = new Set<string>();
  for (const event of events) {
    const app = String(event.fields.app);
    if (event.msg === 'assigned') assigned.set(app, assignedTasks(event));
    else if (event.msg === 'task claimed') claimed.add(`${app}/${event.task}`);
  }
  return assigned.size >= applications && [...assigned].every(([app, tasks]) => tasks.length > 0 && tasks.every((task) => claimed.has(`${app}/${task}`)));
}
