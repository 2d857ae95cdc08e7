import { AssignerProtocol, type GroupMember, type PartitionAssigner } from 'kafkajs';

/** Which task reads a topic-partition, and what this member owns now (for stickiness). */
export interface TaskLayout {
  taskOf(topic: string, partition: number): string;
  ownedTasks(): readonly string[];
}

const NAME = 'TributaryTaskAssigner';

/**
 * Assigns tasks, not partitions: every topic-partition of a task (partition p of each
 * co-partitioned topic) goes to the same member, as joins need. Balanced (task counts
 * differ by at most one) and sticky: a member keeps the tasks it owned while it has room,
 * so adding or removing a worker moves only the tasks that must move. Members announce
 * what they own in the join metadata.
 */
export function taskAssigner(layout: TaskLayout): PartitionAssigner {
  return ({ cluster }) => ({
    name: NAME,
    version: 1,
    async assign({ members, topics }: { members: GroupMember[]; topics: string[] }) {
      const tasks = new Map<string, Array<{ topic: string; partition: number }>>();
      for (const topic of topics) {
        for (const { partitionId } of cluster.findTopicPartitionMetadata(topic)) {
          const id = layout.taskOf(topic, partitionId);
          tasks.set(id, [...(tasks.get(id) ?? []), { topic, partition: partitionId }]);
        }
      }
      const owners = assignTasks(
        [...tasks.keys()],
        members.map((m) => ({ id: m.memberId, owned: ownedIn(m.memberMetadata) })),
      );
      return members.map(({ memberId }) => {
        const assignment: Record<string, number[]> = {};
        for (const task of owners.get(memberId) ?? []) {
          for (const { topic, partition } of tasks.get(task)!) (assignment[topic] ??= []).push(partition);
        }
        return { memberId, memberAssignment: AssignerProtocol.MemberAssignment.encode({ version: 1, assignment, userData: Buffer.alloc(0) }) };
      });
    },
    protocol({ topics }: { topics: string[] }) {
      const userData = Buffer.from(JSON.stringify(layout.ownedTasks()));
      return { name: NAME, metadata: AssignerProtocol.MemberMetadata.encode({ version: 1, topics, userData }) };
    },
  });
}

function ownedIn(metadata: Buffer): string[] {
  try {
    const decoded = AssignerProtocol.MemberMetadata.decode(metadata);
    const owned: unknown = decoded?.userData.length ? JSON.parse(decoded.userData.toString()) : [];
    return Array.isArray(owned) ? owned.filter((t): t is string => typeof t === 'string') : [];
  } catch {
    return [];
  }
}

/**
 * The sticky balanced assignment: members sorted by id; each may hold ⌈tasks/members⌉
 * (only the first `tasks mod members` members that many, the rest ⌊tasks/members⌋);
 * previous owners keep tasks within that quota. Each other task goes to the member with
 * room that holds the fewest tasks of its subtopology (then the fewest tasks), so each
 * subtopology's tasks spread over the members as Kafka Streams spreads them: a worker
 * never gets one subtopology's every task while another gets the next one's.
 */
export function assignTasks(tasks: readonly string[], members: ReadonlyArray<{ id: string; owned: readonly string[] }>): Map<string, string[]> {
  const sorted = [...members].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const result = new Map<string, string[]>(sorted.map((m) => [m.id, []]));
  if (sorted.length === 0) return result;
  const base = Math.floor(tasks.length / sorted.length);
  let extra = tasks.length % sorted.length;
  const quota = new Map<string, number>();
  const remaining = new Set([...tasks].sort(compareTasks));
  // Members that already own the most keep their extra slot, so stickiness wins over id order.
  const byOwned = [...sorted].sort((a, b) => b.owned.filter((t) => remaining.has(t)).length - a.owned.filter((t) => remaining.has(t)).length);
  for (const member of byOwned) quota.set(member.id, base + (extra-- > 0 ? 1 : 0));
  for (const member of sorted) {
    for (const task of [...member.owned].sort(compareTasks)) {
      const mine = result.get(member.id)!;
      if (mine.length < quota.get(member.id)! && remaining.delete(task)) mine.push(task);
    }
  }
  const load = (id: string, subtopology: string) => result.get(id)!.filter((t) => subtopologyOf(t) === subtopology).length;
  for (const task of remaining) {
    const subtopology = subtopologyOf(task);
    let best: string | undefined;
    for (const { id } of sorted) {
      if (result.get(id)!.length >= quota.get(id)!) continue;
      if (best === undefined || load(id, subtopology) < load(best, subtopology) || (load(id, subtopology) === load(best, subtopology) && result.get(id)!.length < result.get(best)!.length)) best = id;
    }
    result.get(best!)!.push(task);
  }
  return result;
}

function subtopologyOf(task: string): string {
  return task.slice(0, task.indexOf('_'));
}

/** Task ids `<subtopology>_<partition>` in numeric order. */
function compareTasks(a: string, b: string): number {
  const [sa = 0, pa = 0] = a.split('_').map(Number);
  const [sb = 0, pb = 0] = b.split('_').map(Number);
  return sa - sb || pa - pb;
}
