import type { Admin } from 'kafkajs';
import { GroupHasLiveMembersError, GroupStillActiveError } from './replayErrors.ts';

/** A consumer group's members as its coordinator sees them now. */
export interface GroupMembers {
  readonly members: number;
  /** Stable, PreparingRebalance, CompletingRebalance, Empty, Dead (a group that never existed). */
  readonly state: string;
}

export async function describeGroupMembers(admin: Admin, groupId: string): Promise<GroupMembers> {
  const { groups } = await admin.describeGroups([groupId]);
  const group = groups.find((g) => g.groupId === groupId);
  return { members: group?.members.length ?? 0, state: group?.state ?? 'Dead' };
}

/**
 * Throws GroupHasLiveMembersError when the group has members, unless `force`: then the members
 * are taken for workers that are gone (killed) but whose sessions have not expired yet, and
 * this waits up to `waitMs` for the coordinator to expire them, since Kafka changes a group's
 * offsets only while it is empty. Members still there after that are alive: GroupStillActiveError.
 */
export async function awaitEmptyGroup(admin: Admin, groupId: string, options: { force: boolean; waitMs: number; pollMs?: number }): Promise<void> {
  const started = Date.now();
  let group = await describeGroupMembers(admin, groupId);
  if (!group.members) return;
  if (!options.force) throw new GroupHasLiveMembersError(groupId, group.members, group.state);
  while (group.members) {
    if (Date.now() - started > options.waitMs) throw new GroupStillActiveError(groupId, group.members, Date.now() - started);
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 500));
    group = await describeGroupMembers(admin, groupId);
  }
}
