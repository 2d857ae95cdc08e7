import { Command } from 'commander';
import type { Admin } from 'kafkajs';
import { closeRedis, type RedisClient } from '../../../state/redis/redisConnection.ts';
import { connectRedisWithin } from '../connectRedisWithin.ts';
import { connectDeadLetterKafka } from '../../deadLetters/deadLetterKafka.ts';
import { ConfigError } from '../../errors.ts';
import { textTable } from '../../lag/textTable.ts';
import { topologyForApplication } from '../../../processors/applicationTopology.ts';
import { loadTopology } from '../../loadTopology.ts';
import { createLogger } from '../../logger.ts';
import { applyReplay } from '../../replay/applyReplay.ts';
import { followReplay } from '../../replay/followReplay.ts';
import { awaitEmptyGroup, describeGroupMembers } from '../../replay/groupMembers.ts';
import { GroupHasLiveMembersError, ShadowInProgressError } from '../../replay/replayErrors.ts';
import { planShadowReplay, runShadowReplay, type ShadowReplayOutcome, type ShadowReplayPlan } from '../../replay/shadowReplay.ts';
import { readNamespacePointer } from '../../../state/redis/namespacePointer.ts';
import { planReplay, type OffsetChange, type RecordsDeletion, type ReplayPlan } from '../../replay/replayPlan.ts';
import { replayProgressDisplay } from '../../replay/replayProgressDisplay.ts';
import { parseResetTarget, type ResetFlags } from '../../replay/resetTarget.ts';
import { loadWorkerConfig } from '../../worker/workerConfig.ts';

interface ReplayOptions extends ResetFlags {
  applicationId?: string;
  brokers?: string;
  redisUrl?: string;
  stateNamespace?: string;
  dryRun?: boolean;
  force?: boolean;
  follow?: boolean;
  json?: boolean;
  shadow?: boolean;
  cutoverLag?: string;
}

/** How long Redis may take to answer before the command gives up (a worker would wait forever). */
/** With --force, how long past the workers' session timeout their members may take to expire (a rebalance waiting on them). */
const REBALANCE_ALLOWANCE_MS = 60_000;
/** --shadow: how long the old namespace stays after the switch, for a query that read the pointer just before it (one GET later). */
const SWITCH_GRACE_MS = 5_000;

/**
 * `tributary replay <topology>`: rebuilds an application's state in place. With its workers
 * stopped, it moves the consumer group back on the source topics, deletes the repartition
 * topics' records and clears the state namespace in Redis; workers started afterwards rebuild
 * the state from the new offsets as on their first start.
 */
export function replayCommand(): Command {
  return new Command('replay')
    .summary("rebuild an application's state: reset its offsets, delete its repartition records, clear its Redis state")
    .description(
      "rebuild an application's state in place, with its workers stopped: moves its consumer group on the source topics (to the beginning by default), " +
        'deletes the records of its repartition topics and clears its state namespace in Redis (stores, watermarks, outboxes, epochs); ' +
        'workers started afterwards rebuild the state and write its outputs again. Refuses while the group has members.',
    )
    .argument('<topology>', 'a module whose default export is the topology (e.g. topologies/orderSaga.ts)')
    .option('--to-earliest', 'restart at the beginning of every source partition (the default)')
    .option('--to-datetime <datetime>', 'restart at the first record at or after this ISO 8601 time (2026-01-31T09:30:00Z; local time without an offset)')
    .option('--by-duration <duration>', 'restart this long ago, an ISO 8601 duration (PT1H, P1DT12H)')
    .option('--offsets <list>', 'restart at these offsets, topic:partition=offset,…; partitions not named restart at the beginning')
    .option('--dry-run', 'print what would change (offsets, records, Redis keys); change nothing')
    .option('--force', 'the group still lists members that are gone (killed workers whose sessions have not expired): wait for them to expire instead of refusing')
    .option('--follow', "then show the rebuild as the application's workers (started separately) go: records replayed per source partition, rate and ETA, until each is read to the end it had when replay started")
    .option('--shadow', 'rebuild while the application keeps running and serving: build a new state namespace under the group <app>.shadow, switch queries and live workers to it once caught up (docs/replay.md)')
    .option('--cutover-lag <records>', 'with --shadow: switch once the shadow is at most this many source records behind the live workers (default 1000)')
    .option('--json', 'print one JSON object for scripts')
    .option('--application-id <id>', 'the application (default: the topology name; env TRIBUTARY_APPLICATION_ID)')
    .option('--brokers <list>', 'Kafka bootstrap brokers, host:port,… (env KAFKA_BROKERS)')
    .option('--redis-url <url>', 'Redis URL; several hosts name a cluster (env REDIS_URL)')
    .option('--state-namespace <ns>', 'the state namespace to clear (env TRIBUTARY_STATE_NAMESPACE)')
    .action(async (file: string, options: ReplayOptions) => {
      const target = parseResetTarget(options, Date.now());
      if (options.dryRun && options.follow) throw new ConfigError('--follow watches a replay, and --dry-run makes none');
      if (options.shadow && options.follow) throw new ConfigError('--shadow reports its own progress and ends after the switch; --follow watches an in-place replay');
      if (options.cutoverLag !== undefined && !options.shadow) throw new ConfigError('--cutover-lag says when --shadow switches; pass --shadow too');
      const cutoverLag = parseCutoverLag(options.cutoverLag);
      const loaded = await loadTopology(file);
      const config = loadWorkerConfig(loaded.name, {
        applicationId: options.applicationId,
        brokers: options.brokers?.split(',').map((b) => b.trim()),
        redisUrl: options.redisUrl,
        stateNamespace: options.stateNamespace,
      });
      const logger = createLogger(process.env.TRIBUTARY_LOG_LEVEL ?? 'warn');
      const kafka = await connectDeadLetterKafka(config, logger);
      let redis: RedisClient | undefined;
      try {
        redis = await connectRedisWithin(config.redisUrl);
        if (options.shadow) {
          const context = { admin: kafka.admin, redis, topology: loaded, config, logger };
          const { plan, pointer } = await planShadowReplay(context, target, Boolean(options.force));
          const outcome = options.dryRun ? undefined : await runShadowWithProgress(context, plan, pointer, cutoverLag);
          print(options.json ? JSON.stringify({ ...plan, dryRun: Boolean(options.dryRun), ...outcome }, null, 2) : shadowPlanText(plan, cutoverLag, outcome));
          return;
        }
        const pointer = await readNamespacePointer(redis, { app: config.applicationId, prefix: config.redisKeyPrefix });
        if (pointer.shadow) throw new ShadowInProgressError(config.applicationId, pointer.shadow, true);
        // After a shadow replay the pointer names the namespace the workers build, with its own repartition topics.
        const namespace = pointer.active ?? config.stateNamespace;
        const topology = topologyForApplication(loaded, config.applicationId, namespace);
        const scope = { app: config.applicationId, namespace, prefix: config.redisKeyPrefix };
        if (options.dryRun) {
          // A dry run predicts the refusal too, but does not wait for gone members to expire.
          const group = await describeGroupMembers(kafka.admin, config.applicationId);
          if (group.members && !options.force) throw new GroupHasLiveMembersError(config.applicationId, group.members, group.state);
        } else {
          await awaitEmptyGroup(kafka.admin, config.applicationId, { force: Boolean(options.force), waitMs: config.sessionTimeoutMs + REBALANCE_ALLOWANCE_MS });
        }
        const plan = await planReplay(kafka.admin, redis, topology, scope, target);
        const deletedKeys = options.dryRun ? 0 : await applyReplay(kafka.admin, redis, plan, scope);
        print(options.json ? JSON.stringify({ ...plan, dryRun: Boolean(options.dryRun), deletedKeys }, null, 2) : planText(plan, Boolean(options.dryRun), deletedKeys));
        if (options.follow) await follow(kafka.admin, plan);
      } finally {
        await kafka.close();
        if (redis) await closeRedis(redis);
      }
    });
}

/** Shows the rebuild until every source partition is replayed, or SIGINT. */
async function follow(admin: Admin, plan: ReplayPlan): Promise<void> {
  const ranges = plan.sourceOffsets.map((c) => ({ topic: c.topic, partition: c.partition, from: c.newOffset, to: c.logEndOffset }));
  const display = replayProgressDisplay();
  const interrupted = new AbortController();
  const interrupt = () => interrupted.abort();
  process.once('SIGINT', interrupt);
  try {
    await followReplay(admin, plan.applicationId, ranges, (progress) => display.update(progress), { signal: interrupted.signal });
  } finally {
    process.off('SIGINT', interrupt);
    display.stop();
  }
}

/** Runs the shadow build with its stage lines and a progress bar per source partition on stderr. */
async function runShadowWithProgress(context: Parameters<typeof runShadowReplay>[0], plan: ShadowReplayPlan, pointer: Parameters<typeof runShadowReplay>[2], cutoverLag: number): Promise<ShadowReplayOutcome> {
  const display = replayProgressDisplay();
  try {
    return await runShadowReplay(context, plan, pointer, { cutoverLag, graceMs: SWITCH_GRACE_MS, report: (line) => process.stderr.write(`${line}\n`), progress: (p) => display.update(p) });
  } finally {
    display.stop();
  }
}

function planText(plan: ReplayPlan, dryRun: boolean, deletedKeys: number): string {
  const offsetRow = (c: OffsetChange) => [`  ${c.topic}`, String(c.partition), `${c.currentOffset ?? '-'} → ${c.newOffset}`];
  const lines = [
    `${dryRun ? 'would replay' : 'replayed'} ${plan.applicationId} in place${dryRun ? ' (dry run: nothing changed)' : ''}`,
    'source offsets of the consumer group:',
    ...textTable([['  TOPIC', 'PARTITION', 'CURRENT → NEW OFFSET'], ...plan.sourceOffsets.map(offsetRow)]),
  ];
  if (plan.repartitionTopics.length) {
    lines.push('repartition topics (records deleted; the group starts at the new log start):');
    const records = (d: RecordsDeletion) => `${counted(d.recordsDeleted, 'record')} ${dryRun ? 'to delete' : 'deleted'}`;
    lines.push(...textTable([['  TOPIC', 'PARTITION', 'CURRENT → NEW OFFSET', 'RECORDS'], ...plan.repartitionTopics.map((d) => [...offsetRow(d), records(d)])]));
  }
  const keys = dryRun ? `${counted(plan.state.keys, 'key')} to delete` : `${counted(deletedKeys, 'key')} deleted`;
  lines.push(`state namespace ${plan.state.namespace} in Redis (${plan.state.pattern}): ${keys}`);
  return lines.join('\n');
}

function shadowPlanText(plan: ShadowReplayPlan, cutoverLag: number, outcome: ShadowReplayOutcome | undefined): string {
  const lines = [
    outcome
      ? `rebuilt ${plan.applicationId} in state namespace ${plan.shadowNamespace} beside ${plan.activeNamespace}, and switched to it`
      : `would rebuild ${plan.applicationId} in state namespace ${plan.shadowNamespace} beside the active ${plan.activeNamespace}, with consumer group ${plan.shadowGroup}, and switch once it is within ${counted(cutoverLag, 'record')} of the live workers (dry run: nothing changed)`,
    `source offsets of ${plan.shadowGroup} (the live group keeps its own):`,
    ...textTable([['  TOPIC', 'PARTITION', 'START OFFSET', 'LOG END'], ...plan.sourceOffsets.map((c) => [`  ${c.topic}`, String(c.partition), String(c.newOffset), String(c.logEndOffset)])]),
  ];
  const leftover = outcome ? `${counted(outcome.deletedKeys, 'leftover key')} deleted` : `${counted(plan.state.keys, 'leftover key')} to delete`;
  lines.push(`state namespace ${plan.shadowNamespace} in Redis (${plan.state.pattern}): ${leftover}`);
  if (outcome) {
    lines.push(`cut at ${outcome.cut.map((c) => `${c.topic}[${c.partition}]@${c.offset}`).join(', ')}`);
    lines.push(`state namespace ${plan.activeNamespace}: ${counted(outcome.retiredKeys, 'key')} deleted after the switch`);
  }
  return lines.join('\n');
}

/** --cutover-lag: a count of records, 1000 when not given. */
function parseCutoverLag(value: string | undefined): number {
  if (value === undefined) return 1000;
  if (!/^\d+$/.test(value)) throw new ConfigError(`--cutover-lag takes a number of records, not '${value}'`);
  return Number(value);
}

function counted(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function print(text: string): void {
  process.stdout.write(`${text}\n`);
}
