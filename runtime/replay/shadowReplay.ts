import type { Admin } from 'kafkajs';
import { topologyForApplication } from '../../processors/applicationTopology.ts';
import type { ReplayProgress } from './followReplay.ts';
import type { Topology } from '../../processors/topologyGraph.ts';
import { compareAndSetPointer, readNamespacePointer, type NamespacePointer } from '../../state/redis/namespacePointer.ts';
import type { RedisClient } from '../../state/redis/redisConnection.ts';
import { clearNamespace } from '../../state/redis/stateNamespace.ts';
import { ConfigError } from '../errors.ts';
import { applicationInputs } from '../lag/applicationInputs.ts';
import { readApplicationLag } from '../lag/applicationLag.ts';
import type { PartitionLag } from '../lag/partitionLag.ts';
import { readPartitionLags } from '../lag/readPartitionLags.ts';
import type { Logger } from '../logger.ts';
import { WorkerMetrics } from '../metrics/workerMetrics.ts';
import { Worker, type WorkerRole } from '../worker/worker.ts';
import type { WorkerConfig } from '../worker/workerConfig.ts';
import { applyReplay, byTopic, setOffsets } from './applyReplay.ts';
import { describeGroupMembers } from './groupMembers.ts';
import { LiveWorkersDidNotStopError, ShadowInProgressError } from './replayErrors.ts';
import { planReplay, type OffsetChange, type ReplayPlan } from './replayPlan.ts';
import type { ResetTarget } from './resetTarget.ts';

/** What a shadow replay will do, worked out before anything changes (what `--shadow --dry-run` prints). */
export interface ShadowReplayPlan extends ReplayPlan {
  /** The namespace the live workers build and queries read until the switch. */
  readonly activeNamespace: string;
  /** The namespace the shadow builds (`state` is its leftover keys, cleared first). */
  readonly shadowNamespace: string;
  /** The shadow's consumer group; `sourceOffsets` are its start offsets. */
  readonly shadowGroup: string;
}

/** Where each source partition was cut: both namespaces have applied exactly the records before `offset`. */
export interface CutOffset {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
}

export interface ShadowReplayOutcome {
  /** Leftover keys of the shadow namespace deleted before building. */
  readonly deletedKeys: number;
  readonly cut: readonly CutOffset[];
  /** Keys of the old namespace deleted after the grace period. */
  readonly retiredKeys: number;
}

/** What a shadow replay reads and runs. */
export interface ShadowContext {
  readonly admin: Admin;
  readonly redis: RedisClient;
  /** The topology as its module exports it (internal topics not yet named for the application). */
  readonly topology: Topology;
  readonly config: WorkerConfig;
  readonly logger: Logger;
}

export interface ShadowOptions {
  /** Switch once the shadow's source positions are at most this many records behind the live group's. */
  readonly cutoverLag: number;
  /** How long the old namespace stays after the switch, for queries that read the pointer just before it. */
  readonly graceMs: number;
  /** One line per stage and, while building, how far behind the shadow is. */
  readonly report: (line: string) => void;
  /** While building, per source partition: the shadow's position from its start offset towards the live group's. */
  readonly progress?: (progress: readonly ReplayProgress[]) => void;
  readonly pollMs?: number;
}

/** A shadow replay's consumer group: the application's stays the live one's, for dashboards and `tributary lag`. */
export function shadowGroupOf(applicationId: string): string {
  return `${applicationId}.shadow`;
}

/**
 * Works out a shadow replay of the application `context.config` names; changes nothing.
 * Refuses while the pointer names a shadow build, unless `force` and that build's workers
 * are gone (its group has no members): then it starts over.
 */
export async function planShadowReplay(context: ShadowContext, target: ResetTarget, force: boolean): Promise<{ plan: ShadowReplayPlan; pointer: NamespacePointer }> {
  const { admin, redis, topology, config } = context;
  const app = config.applicationId;
  const pointer = await readNamespacePointer(redis, { app, prefix: config.redisKeyPrefix });
  const shadowGroup = shadowGroupOf(app);
  if (pointer.shadow) {
    const running = (await describeGroupMembers(admin, shadowGroup)).members > 0;
    if (running || !force) throw new ShadowInProgressError(app, pointer.shadow, running);
  }
  const activeNamespace = pointer.active ?? config.stateNamespace;
  const shadowNamespace = nextNamespace(activeNamespace);
  const scope = { app, namespace: shadowNamespace, prefix: config.redisKeyPrefix };
  const plan = await planReplay(admin, redis, topologyForApplication(topology, app, shadowNamespace), scope, target, shadowGroup);
  return { plan: { ...plan, activeNamespace, shadowNamespace, shadowGroup }, pointer };
}

/** The namespace after `namespace`: generations are numbered. */
function nextNamespace(namespace: string): string {
  if (!/^\d+$/.test(namespace)) throw new ConfigError(`--shadow builds the namespace after the active one, so the active namespace must be a number, not '${namespace}'`);
  return String(Number(namespace) + 1);
}

/**
 * Builds the state again in the plan's shadow namespace while the live workers keep
 * processing and queries keep reading the active namespace, then switches (docs/replay.md):
 *
 * 1. The pointer names the shadow (`building`); its namespace and group start as an in-place
 *    replay would leave them; a Worker in this process builds it under the shadow group,
 *    sending only its own repartition records.
 * 2. Once within `cutoverLag`, the pointer says `switching`: live workers (NamespaceFollower)
 *    finish their units, send them and leave their group. Its empty group proves no live
 *    worker writes any more. The shadow Worker stops too.
 * 3. The cut: per source partition the later of the two groups' positions. Whichever namespace
 *    is behind is brought there with stop offsets: the live one by a Worker of the live group
 *    (its outputs are the ones the shadow dropped), the shadow by a shadow Worker; each also
 *    reads its repartition topics to the end. Both have now applied exactly the records before
 *    the cut, and every output of them was sent once.
 * 4. The live group takes the shadow's offsets on the new repartition topics, and the pointer
 *    names the new namespace: queries read it from their next request, live workers start in
 *    it, at the cut. 5. After `graceMs` the old namespace and the shadow group are deleted.
 *
 * A failure before the switch stops the Workers it started and points back to the old
 * namespace (live workers resume there); the shadow namespace is cleared by the next replay.
 */
export async function runShadowReplay(context: ShadowContext, plan: ShadowReplayPlan, pointer: NamespacePointer, options: ShadowOptions): Promise<ShadowReplayOutcome> {
  const { admin, redis, topology, config } = context;
  const app = config.applicationId;
  const scope = { app, prefix: config.redisKeyPrefix };
  const live = topologyForApplication(topology, app, plan.activeNamespace);
  const shadow = topologyForApplication(topology, app, plan.shadowNamespace);
  const sources = applicationInputs(live).sources;
  const shadowRole: WorkerRole = { groupId: plan.shadowGroup, internalOutputsOnly: true };
  const workers = new RunningWorkers(context);
  const pollMs = options.pollMs ?? 500;
  const back: NamespacePointer = pointer.active ? { active: pointer.active } : {};
  let current: NamespacePointer = { ...pointer.active && { active: pointer.active }, shadow: plan.shadowNamespace, phase: 'building' };
  if (!(await compareAndSetPointer(redis, scope, pointer, current))) throw new ConfigError(`the namespace pointer of ${app} changed while the replay was planned: run it again`);
  let deletedKeys: number;
  let cut: Map<string, number>;
  try {
    deletedKeys = await applyReplay(admin, redis, plan, { ...scope, namespace: plan.shadowNamespace }, plan.shadowGroup);
    const builder = await workers.start(plan.shadowNamespace, shadowRole);
    options.report(`shadow: building state namespace ${plan.shadowNamespace} in consumer group ${plan.shadowGroup}; queries read namespace ${plan.activeNamespace}`);
    let reported = 0;
    const starts = new Map(plan.sourceOffsets.map((c) => [keyOf(c), c.newOffset]));
    await workers.until(async () => {
      const [livePositions, shadowPositions] = [await readPartitionLags(admin, app, sources), await readPartitionLags(admin, plan.shadowGroup, sources)];
      const behind = recordsBehind(livePositions, shadowPositions);
      options.progress?.(
        livePositions.map((p, i) => {
          const from = starts.get(keyOf(p)) ?? p.logStartOffset;
          const to = Math.max(from, position(p));
          return { topic: p.topic, partition: p.partition, from, to, position: Math.min(Math.max(position(shadowPositions[i]!), from), to), at: Date.now() };
        }),
      );
      if (Date.now() - reported > 5_000) (options.report(`shadow: ${behind} records behind the live workers`), (reported = Date.now()));
      return behind <= options.cutoverLag;
    }, pollMs);

    const switching: NamespacePointer = { ...current, phase: 'switching' };
    if (!(await compareAndSetPointer(redis, scope, current, switching))) throw new ConfigError(`the namespace pointer of ${app} changed during the replay`);
    current = switching;
    options.report('shadow: caught up; switching: live workers stop');
    await awaitLiveWorkersGone(admin, app, config.sessionTimeoutMs + SWITCH_ALLOWANCE_MS, pollMs);
    await builder.stop();

    const readCut = async () => cutOffsets(await readPartitionLags(admin, app, sources), await readPartitionLags(admin, plan.shadowGroup, sources));
    // A group's committed offset can trail what its namespace applied (a commit skipped in a
    // rebalance); a Worker's claim commits the watermark's. So cut again until a round moves neither group past the cut.
    for (cut = await readCut(); ; ) {
      const stopOffsets = cut;
      const finishing: Promise<Worker>[] = [];
      if (!(await reached(admin, live, app, stopOffsets))) finishing.push(workers.start(plan.activeNamespace, { stopOffsets }));
      if (!(await reached(admin, shadow, plan.shadowGroup, stopOffsets))) finishing.push(workers.start(plan.shadowNamespace, { ...shadowRole, stopOffsets }));
      const finishers = await Promise.all(finishing);
      await workers.until(async () => (await reached(admin, live, app, stopOffsets)) && (await reached(admin, shadow, plan.shadowGroup, stopOffsets)), pollMs);
      for (const finisher of finishers) await finisher.stop();
      const again = await readCut();
      if ([...again].every(([key, offset]) => offset === stopOffsets.get(key))) break;
      cut = again;
    }
    options.report(`shadow: both namespaces applied the source records before ${[...cut].map(([key, offset]) => `${key}@${offset}`).join(', ')}`);

    await copyOffsets(admin, plan.shadowGroup, app, applicationInputs(shadow).repartition);
    const switched: NamespacePointer = { active: plan.shadowNamespace };
    if (!(await compareAndSetPointer(redis, scope, current, switched))) throw new ConfigError(`the namespace pointer of ${app} changed during the replay`);
    current = switched;
    options.report(`shadow: switched; queries and live workers use state namespace ${plan.shadowNamespace}`);
  } catch (error) {
    await workers.stopAll();
    if (current.shadow) await compareAndSetPointer(redis, scope, current, back).catch(() => undefined);
    throw error;
  }

  await new Promise((resolve) => setTimeout(resolve, options.graceMs));
  const retiredKeys = await clearNamespace(redis, { ...scope, namespace: plan.activeNamespace });
  await admin.deleteGroups([plan.shadowGroup]);
  // The old repartition topics stay: a kafkajs client that ever asked for a topic's metadata
  // fails every later metadata refresh once it is deleted (the live processes' query readers have).
  const oldTopics = live.internalTopics.map((t) => t.name).join(', ');
  options.report(`shadow: removed state namespace ${plan.activeNamespace} (${retiredKeys} keys) and group ${plan.shadowGroup}; the old repartition topics (${oldTopics}) are no longer read and can be deleted`);
  return { deletedKeys, cut: [...cut].map(([key, offset]) => ({ ...parseKey(key), offset })), retiredKeys };
}

/** Past the workers' session timeout, how long live workers may take to see the switch and leave (a poll, a unit, a rebalance). */
const SWITCH_ALLOWANCE_MS = 30_000;

/** The Workers a shadow replay runs in this process; any of them failing fails the replay. */
class RunningWorkers {
  private readonly started: Worker[] = [];
  private failure: { error: unknown } | undefined;

  constructor(private readonly context: ShadowContext) {}

  async start(namespace: string, role: WorkerRole): Promise<Worker> {
    const { topology, config, logger } = this.context;
    const worker = await Worker.start(topology, { ...config, stateNamespace: namespace }, logger, new WorkerMetrics(), role);
    this.started.push(worker);
    worker.done.catch((error: unknown) => (this.failure ??= { error }));
    return worker;
  }

  /** Polls `done` until it holds; throws the first Worker failure instead. */
  async until(done: () => Promise<boolean>, pollMs: number): Promise<void> {
    for (;;) {
      if (this.failure) throw this.failure.error;
      if (await done()) return;
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  }

  async stopAll(): Promise<void> {
    await Promise.allSettled(this.started.map((w) => w.stop()));
  }
}

async function awaitLiveWorkersGone(admin: Admin, groupId: string, waitMs: number, pollMs: number): Promise<void> {
  const started = Date.now();
  for (;;) {
    const { members } = await describeGroupMembers(admin, groupId);
    if (!members) return;
    if (Date.now() - started > waitMs) throw new LiveWorkersDidNotStopError(groupId, members, Date.now() - started);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

/** Where a group reads a partition next: its committed offset, or the log start a worker begins at without one. */
function position(p: PartitionLag): number {
  return p.committedOffset ?? p.logStartOffset;
}

function keyOf(p: { topic: string; partition: number }): string {
  return `${p.topic}:${p.partition}`;
}

function parseKey(key: string): { topic: string; partition: number } {
  const colon = key.lastIndexOf(':');
  return { topic: key.slice(0, colon), partition: Number(key.slice(colon + 1)) };
}

/** Source records the live group has applied and the shadow not yet. Both lists are of the same partitions, in the same order. */
function recordsBehind(live: readonly PartitionLag[], shadow: readonly PartitionLag[]): number {
  return live.reduce((sum, p, i) => sum + Math.max(0, position(p) - position(shadow[i]!)), 0);
}

/** Per source partition, the later of the two groups' positions: the one behind catches up to it. */
function cutOffsets(live: readonly PartitionLag[], shadow: readonly PartitionLag[]): Map<string, number> {
  return new Map(live.map((p, i) => [keyOf(p), Math.max(position(p), position(shadow[i]!))]));
}

/** The group has applied its source partitions up to the cut and its repartition topics to their end. */
async function reached(admin: Admin, topology: Topology, groupId: string, cut: ReadonlyMap<string, number>): Promise<boolean> {
  const { partitions } = await readApplicationLag(admin, topology, groupId);
  return partitions.every((p) => position(p) >= (cut.get(keyOf(p)) ?? p.logEndOffset));
}

/** The shadow group's committed offsets on the new repartition topics, for the live group: it starts where the shadow stopped. */
async function copyOffsets(admin: Admin, from: string, to: string, topics: readonly string[]): Promise<void> {
  const existing = new Set(await admin.listTopics());
  const committed = (await readPartitionLags(admin, from, topics.filter((t) => existing.has(t)))).filter((p) => p.committedOffset !== null);
  const changes: OffsetChange[] = committed.map((p) => ({ topic: p.topic, partition: p.partition, currentOffset: null, newOffset: p.committedOffset!, logEndOffset: p.logEndOffset }));
  for (const [topic, list] of byTopic(changes)) await setOffsets(admin, to, topic, list);
}
