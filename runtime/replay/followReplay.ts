import type { Admin } from 'kafkajs';

/** A source partition being replayed: from the offset replay moved the group to, up to the log end it had then. */
export interface ReplayRange {
  readonly topic: string;
  readonly partition: number;
  readonly from: number;
  readonly to: number;
}

/** How far the workers have replayed a partition. */
export interface ReplayProgress extends ReplayRange {
  /** The group's committed offset, within [from, to]: records before it are replayed. */
  readonly position: number;
  /** When it was read (ms since the epoch). */
  readonly at: number;
}

/**
 * Reads the group's committed offsets every `pollMs` and reports each range's progress, until
 * every range has been replayed up to its `to` (records appended since replay started are the
 * workers' ordinary work, not the replay's) or `signal` aborts. Workers commit as each unit
 * ends, so the position moves in steps of up to a unit.
 */
export async function followReplay(admin: Admin, groupId: string, ranges: readonly ReplayRange[], onProgress: (progress: readonly ReplayProgress[]) => void, options: { pollMs?: number; signal?: AbortSignal } = {}): Promise<void> {
  const topics = [...new Set(ranges.map((r) => r.topic))];
  while (!options.signal?.aborted) {
    const committed = new Map<string, number>();
    for (const { topic, partitions } of await admin.fetchOffsets({ groupId, topics })) {
      for (const { partition, offset } of partitions) committed.set(`${topic}:${partition}`, Number(offset));
    }
    const at = Date.now();
    // No committed offset yet (-1) is the start of the range.
    const progress = ranges.map((r) => ({ ...r, position: Math.min(Math.max(committed.get(`${r.topic}:${r.partition}`) ?? r.from, r.from), r.to), at }));
    onProgress(progress);
    if (progress.every((p) => p.position >= p.to)) return;
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 1000));
  }
}
