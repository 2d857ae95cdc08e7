import fs from 'node:fs';
import type { StackConfig } from '../config.ts';
import type { Logger } from '../logger.ts';
import { COMPONENT_NAMES, isDefaultComponent, STACK_COMPONENT_NAMES, type ComponentName, type StackComponentName } from './componentName.ts';
import { KafkaBroker } from './kafkaBroker.ts';
import { ensurePrerequisites } from './prerequisites.ts';
import { silentProgress, type ProgressReporter } from './progressReporter.ts';
import { RedisCluster } from './redisCluster.ts';
import { RedisServer } from './redisServer.ts';
import { SchemaRegistry } from './schemaRegistry.ts';
import type { StackComponent } from './stackComponent.ts';
import { ComponentStartError, PortInUseError, UnknownNodeError } from './stackErrors.ts';
import { isPortInUse } from './tcpProbe.ts';
import { waitFor } from './waitFor.ts';

/** What `status` knows about one component. */
export interface ComponentStatus {
  name: StackComponentName;
  address: string;
  /** Pid of the process this stack started, if it runs (of its first running node, for redis-cluster). */
  pid: number | undefined;
  /** Pids of every process of ours that runs, in node order (redis-cluster has three when all run). */
  pids: number[];
  /** `up`: ours and answers; `unresponsive`: ours runs but does not answer (starting, stopped, hung); `external`: something else answers; `down`: nothing. */
  state: 'up' | 'unresponsive' | 'external' | 'down';
  healthy: boolean;
}

/** What `up` did for one component. */
export interface UpOutcome<N extends StackComponentName = StackComponentName> {
  name: N;
  address: string;
  action: 'started' | 'already-running';
  pid: number | undefined;
  /** As in ComponentStatus. */
  pids: number[];
  elapsedMs: number;
}

export interface LocalStackOptions {
  logger: Logger;
  progress?: ProgressReporter;
}

/**
 * The local stack (Kafka, schema registry, Redis, and the optional Redis Cluster) as detached
 * processes with pid files and logs under `config.dir`. Every method reads the pid files afresh, so
 * a stack started by one process (the CLI) can be inspected, faulted and stopped by another (a test).
 */
export class LocalStack {
  private readonly components: Record<StackComponentName, StackComponent>;
  private readonly progress: ProgressReporter;
  private readonly logger: Logger;

  constructor(
    readonly config: StackConfig,
    options: LocalStackOptions,
  ) {
    this.logger = options.logger.child({ component: 'stack' });
    this.progress = options.progress ?? silentProgress;
    this.components = {
      kafka: new KafkaBroker(config, this.logger.child({ component: 'kafka' })),
      registry: new SchemaRegistry(config, this.logger.child({ component: 'registry' })),
      redis: new RedisServer(config),
      'redis-cluster': new RedisCluster(config, this.logger.child({ component: 'redis-cluster' })),
    };
  }

  /** The component object (address, ports, processes, health check). */
  component(name: StackComponentName): StackComponent {
    return this.components[name];
  }

  /**
   * Starts the named components (by default kafka, registry and redis; redis-cluster only when
   * named) and resolves once each answers. A component that already answers is left alone (so `up`
   * is idempotent); one of ours that runs but does not answer is stopped and started again, all its
   * processes. Installs prerequisites and downloads jars first, once.
   */
  up(): Promise<UpOutcome<ComponentName>[]>;
  up<N extends StackComponentName>(names: readonly N[] | undefined): Promise<UpOutcome<N>[]>;
  async up(names: readonly StackComponentName[] = COMPONENT_NAMES): Promise<UpOutcome[]> {
    const before = await Promise.all(names.map(async (name) => ({ name, component: this.components[name], healthy: await this.components[name].isHealthy() })));
    const toStart = before.filter((b) => !b.healthy).map((b) => b.component);
    if (toStart.length > 0) {
      ensurePrerequisites(toStart.flatMap((c) => c.prerequisites()), this.progress, this.logger);
      fs.mkdirSync(this.config.dir, { recursive: true });
      // One after another: downloads share the network and their progress lines read better in sequence.
      for (const component of toStart) await component.prepare(this.progress);
    }
    return Promise.all(
      before.map(async ({ name, component, healthy }): Promise<UpOutcome> => {
        if (healthy) {
          const pids = runningPids(component);
          return { name, address: component.address, action: 'already-running', pid: pids[0], pids, elapsedMs: 0 };
        }
        const started = Date.now();
        const pids = await this.start(component);
        return { name, address: component.address, action: 'started', pid: pids[0], pids, elapsedMs: Date.now() - started };
      }),
    );
  }

  /**
   * Stops the named components (by default every one, redis-cluster included) that this stack
   * started: SIGTERM, then SIGKILL after a grace period. Returns the ones it stopped.
   */
  async down(names: readonly StackComponentName[] = STACK_COMPONENT_NAMES): Promise<StackComponentName[]> {
    const stopped = await Promise.all(
      names.map(async (name) => {
        const component = this.components[name];
        const pids = runningPids(component);
        if (pids.length === 0) return undefined;
        this.logger.info({ name, pids }, 'stopping');
        await stopProcesses(component);
        return name;
      }),
    );
    return stopped.filter((name) => name !== undefined);
  }

  /**
   * Each named component's address, pids and whether it answers. By default kafka, registry and
   * redis, plus redis-cluster when one of its nodes runs or it answers.
   */
  async status(names?: readonly StackComponentName[]): Promise<ComponentStatus[]> {
    const statuses = await Promise.all(
      (names ?? STACK_COMPONENT_NAMES).map(async (name): Promise<ComponentStatus> => {
        const component = this.components[name];
        const [pids, healthy] = [runningPids(component), await component.isHealthy()];
        const state = healthy ? (pids.length === 0 ? 'external' : 'up') : pids.length === 0 ? 'down' : 'unresponsive';
        return { name, address: component.address, pid: pids[0], pids, state, healthy };
      }),
    );
    return names ? statuses : statuses.filter((s) => isDefaultComponent(s.name) || s.state !== 'down');
  }

  /**
   * Sends `signal` to a component's processes without waiting (fault injection: SIGKILL to crash it,
   * SIGSTOP to freeze it, SIGCONT to thaw it). `node` picks one process of a component that has
   * several (redis-cluster: node i listens on TRIBUTARY_REDIS_CLUSTER_PORT + i); without it every
   * process of the component gets the signal. Returns false when none of ours runs (the chosen
   * node's, with `node`); throws UnknownNodeError for a node the component does not have.
   */
  kill(name: StackComponentName, signal: NodeJS.Signals = 'SIGKILL', node?: number): boolean {
    const { processes } = this.components[name];
    if (node === undefined) return processes.map((p) => p.signal(signal)).some(Boolean);
    const target = processes[node];
    if (!target || !Number.isInteger(node)) throw new UnknownNodeError(name, node, processes.length);
    return target.signal(signal);
  }

  /**
   * Stops one component (gracefully, or after a kill) and starts it again; Kafka keeps its data, Redis
   * its AOF, the Redis Cluster its AOFs and cluster membership.
   */
  async restart<N extends StackComponentName>(name: N): Promise<UpOutcome<N>> {
    await this.down([name]);
    const [outcome] = await this.up([name]);
    return outcome!;
  }

  /** Starts one component that does not answer and waits until it does; returns its pids. */
  private async start(component: StackComponent): Promise<number[]> {
    if (runningPids(component).length > 0) {
      this.logger.warn({ name: component.name }, 'running but not answering; restarting it');
      await stopProcesses(component);
    }
    for (const port of component.ports) {
      if (await isPortInUse(port)) throw new PortInUseError(component.name, port);
    }
    const specs = component.processSpecs();
    const pids = component.processes.map((p, i) => p.start(specs[i]!));
    this.logger.info({ name: component.name, pids }, 'started; waiting until it answers');
    const phase = this.progress.phase(`starting ${component.name} on ${component.address}`);
    const started = Date.now();
    try {
      await component.initialise?.();
      const exited = () => component.processes.find((p) => p.pid() === undefined);
      const result = await waitFor(() => component.isReady(), {
        timeoutMs: component.startTimeoutMs,
        intervalMs: 300,
        abortIf: () => {
          const gone = exited();
          if (!gone) return undefined;
          return component.processes.length === 1 ? 'the process exited' : `node ${gone.name} exited`;
        },
      });
      if (!result.ok) throw new ComponentStartError(component.name, `${result.reason} (${(exited() ?? component.processes[0]!).logHint()})`);
    } catch (error) {
      phase.fail();
      await stopProcesses(component);
      throw error;
    }
    phase.done(`${((Date.now() - started) / 1000).toFixed(1)} s`);
    return pids;
  }
}

/** Pids of the component's processes that run, in node order. */
function runningPids(component: StackComponent): number[] {
  return component.processes.map((p) => p.pid()).filter((pid): pid is number => pid !== undefined);
}

/** Stops every process of the component at once, each with the component's grace period. */
async function stopProcesses(component: StackComponent): Promise<void> {
  await Promise.all(component.processes.map((p) => p.stop(component.stopGraceMs)));
}
