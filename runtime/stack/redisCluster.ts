import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { StackConfig } from '../config.ts';
import type { Logger } from '../logger.ts';
import { redisAnswers, redisClusterAnswers, redisClusterInfo } from './componentProbes.ts';
import { ManagedProcess, type ProcessSpec } from './managedProcess.ts';
import { REDIS_CLI, REDIS_SERVER, type Prerequisite } from './prerequisites.ts';
import { redisServerSpec } from './redisServer.ts';
import type { StackComponent } from './stackComponent.ts';
import { ComponentStartError } from './stackErrors.ts';
import { waitFor } from './waitFor.ts';

const NODES = 3;
/** Redis Cluster's fixed offset from a node's client port to its cluster bus port. */
const CLUSTER_BUS_OFFSET = 10_000;

/**
 * An optional three-node Redis Cluster, for code that must work against a sharded Redis (MOVED
 * redirects, hash tags, cross-slot errors). Node i is Debian's redis-server with `--cluster-enabled
 * yes` on `redisClusterPort + i` (its cluster bus on that + 10000); three masters, no replicas, so
 * node 0 serves slots 0–5460, node 1 5461–10922, node 2 10923–16383. Node i's pid and log are
 * `redis-cluster-<i>.pid` / `.log`, its data `<dir>/redis-cluster/<port>/`.
 *
 * The cluster is formed once, with `redis-cli --cluster create`, when all three nodes start empty.
 * Each node keeps its view of the cluster in `nodes.conf` and its keys in an append-only file beside
 * it, so after `down` (or a kill) the same nodes rejoin the same cluster with their keys; a
 * restarted master reports `cluster_state:ok` only after two seconds. Data folders are per port, so
 * a new TRIBUTARY_REDIS_CLUSTER_PORT forms a new cluster instead of chasing the old ports.
 */
export class RedisCluster implements StackComponent {
  readonly name = 'redis-cluster' as const;
  readonly address: string;
  readonly ports: readonly number[];
  readonly processes: readonly ManagedProcess[];
  readonly startTimeoutMs = 30_000;
  readonly stopGraceMs = 10_000;
  /** Where `stack down redis-cluster` plus removing this folder gives a fresh cluster. */
  readonly home: string;
  private readonly nodePorts: readonly number[];

  constructor(
    config: StackConfig,
    private readonly logger: Logger,
  ) {
    this.nodePorts = Array.from({ length: NODES }, (_, i) => config.redisClusterPort + i);
    this.address = `redis://${this.nodePorts.map((port) => `127.0.0.1:${port}`).join(',')}`;
    this.ports = [...this.nodePorts, ...this.nodePorts.map((port) => port + CLUSTER_BUS_OFFSET)];
    this.processes = this.nodePorts.map((_, i) => new ManagedProcess(`redis-cluster-${i}`, config.dir));
    this.home = path.join(config.dir, 'redis-cluster');
  }

  prerequisites(): Prerequisite[] {
    return [REDIS_SERVER, REDIS_CLI];
  }

  async prepare(): Promise<void> {
    for (const port of this.nodePorts) fs.mkdirSync(this.dataDir(port), { recursive: true });
  }

  processSpecs(): ProcessSpec[] {
    return this.nodePorts.map((port) =>
      redisServerSpec(port, this.dataDir(port), [
        '--cluster-enabled', 'yes',
        '--cluster-config-file', 'nodes.conf',
        // A killed or frozen node counts as failed (and the cluster as down) after 5 s, not 15:
        // fault tests see the outage while they still wait for it.
        '--cluster-node-timeout', '5000',
        // Small: three of these share a 2-core dev machine with Kafka. noeviction (the default) makes
        // a full node refuse writes instead of dropping operator state silently.
        '--maxmemory', '64mb',
        '--maxmemory-policy', 'noeviction',
      ]),
    );
  }

  /** Every node reports `cluster_state:ok` with all 16384 slots assigned. */
  isHealthy(): Promise<boolean> {
    return redisClusterAnswers(this.address);
  }

  isReady(): Promise<boolean> {
    return this.isHealthy();
  }

  /**
   * Waits until every node answers PING, then forms the cluster when all three are empty and alone
   * (a first start). Nodes that already know each other (a restart) are left to rejoin on their own;
   * anything in between (a node whose data was removed, an interrupted `--cluster create`) throws,
   * naming the folder to remove (`up` stops the nodes after a failed start).
   */
  async initialise(): Promise<void> {
    const answering = await waitFor(async () => (await Promise.all(this.nodePorts.map((port) => redisAnswers(`redis://127.0.0.1:${port}`)))).every(Boolean), {
      timeoutMs: this.startTimeoutMs,
      intervalMs: 100,
      abortIf: () => {
        const exited = this.processes.find((p) => p.pid() === undefined);
        return exited ? `node ${exited.name} exited (${exited.logHint()})` : undefined;
      },
    });
    if (!answering.ok) throw new ComponentStartError(this.name, `${answering.reason} (${this.processes[0]!.logHint()})`);

    const infos = await Promise.all(this.nodePorts.map((port) => redisClusterInfo('127.0.0.1', port)));
    const views = infos.map((info) => ({ knownNodes: Number(info?.cluster_known_nodes), slots: Number(info?.cluster_slots_assigned) }));
    if (views.every((v) => v.knownNodes === 1 && v.slots === 0)) return this.form();
    if (views.every((v) => v.knownNodes === NODES && v.slots === 16384)) return;
    const described = views.map((v, i) => `${this.nodePorts[i]} knows ${v.knownNodes} node(s) and ${v.slots} slots`).join(', ');
    throw new ComponentStartError(
      this.name,
      `its nodes do not form one cluster (${described}); remove ${this.home} and start it again to form a new, empty one`,
    );
  }

  /** `redis-cli --cluster create`: splits the slots in three ranges, one per node, and joins the nodes. */
  private async form(): Promise<void> {
    const args = ['--cluster', 'create', ...this.nodePorts.map((port) => `127.0.0.1:${port}`), '--cluster-replicas', '0', '--cluster-yes'];
    const output = await new Promise<{ ok: boolean; text: string }>((resolve) => {
      execFile('redis-cli', args, { timeout: this.startTimeoutMs }, (error, stdout, stderr) => {
        // redis-cli colours its cluster manager output even when it is not a terminal.
        resolve({ ok: !error, text: `${stdout}${stderr}`.replace(/\x1b\[[0-9;]*m/g, '').trim() });
      });
    });
    if (!output.ok) {
      const lastLine = output.text.split('\n').pop() ?? '';
      throw new ComponentStartError(this.name, `redis-cli ${args.join(' ')} failed: ${lastLine}`);
    }
    this.logger.info({ output: output.text }, 'formed the cluster');
  }

  private dataDir(port: number): string {
    return path.join(this.home, String(port));
  }
}
