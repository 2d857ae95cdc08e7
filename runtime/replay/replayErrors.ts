import { redactRedisUrl } from '../../state/redis/redisConnection.ts';
import { TributaryError } from '../errors.ts';

/** Replay refuses to touch an application whose workers may still be running. */
export class GroupHasLiveMembersError extends TributaryError {
  constructor(readonly groupId: string, readonly members: number, state: string) {
    super(
      'REPLAY_GROUP_ACTIVE',
      `consumer group ${groupId} has ${members} live member${members === 1 ? '' : 's'} (${state}): stop the application's workers first, or pass --force if they are gone and only their sessions have not expired`,
    );
  }
}

/** `--force` waited for the group's members to expire, and they did not: they are alive. */
export class GroupStillActiveError extends TributaryError {
  constructor(readonly groupId: string, members: number, waitedMs: number) {
    super('REPLAY_GROUP_STILL_ACTIVE', `consumer group ${groupId} still has ${members} member${members === 1 ? '' : 's'} after ${Math.round(waitedMs / 1000)} s, so they are running: stop them and replay again`);
  }
}

/** Redis did not answer, so the state namespace can be neither counted nor cleared. */
export class RedisUnreachableError extends TributaryError {
  constructor(url: string, waitedMs: number) {
    super('REDIS_UNREACHABLE', `cannot reach Redis at ${redactRedisUrl(url)} within ${Math.round(waitedMs / 1000)} s (set --redis-url or REDIS_URL, or start the local stack with \`tributary stack up\`)`);
  }
}

/** The namespace pointer names a shadow build already: two would build the same namespace. */
export class ShadowInProgressError extends TributaryError {
  constructor(app: string, namespace: string, live: boolean) {
    super(
      'REPLAY_SHADOW_IN_PROGRESS',
      live
        ? `a shadow replay of ${app} is building state namespace ${namespace} and its workers are running: wait for it to switch`
        : `a shadow replay of ${app} was building state namespace ${namespace} and is gone: pass --force to start over`,
    );
  }
}

/** The live workers did not leave their group when the switch asked them to, so the switch is called off. */
export class LiveWorkersDidNotStopError extends TributaryError {
  constructor(groupId: string, members: number, waitedMs: number) {
    super(
      'REPLAY_SWITCH_REFUSED',
      `consumer group ${groupId} still has ${members} member${members === 1 ? '' : 's'} ${Math.round(waitedMs / 1000)} s after the switch began: workers that do not follow the namespace pointer (not started by tributary run?) keep the old namespace; the switch was called off and the old namespace stays active`,
    );
  }
}
