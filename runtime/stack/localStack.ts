import fs from 'node:fs';
import type { StackConfig } from '../config.ts';
import type { Logger } from '../logger.ts';
import { COMPONENT_NAMES, type ComponentName } from './componentName.ts';
import { KafkaBroker } from './kafkaBroker.ts';
import { ensurePrerequisites } from './prerequisites.ts';
import { silentProgress, type ProgressReporter } from './progressReporter.ts';
import { RedisServer } from './redisServer.ts';
import { SchemaRegistry } from './schemaRegistry.ts';
import type { StackComponent } from './stackComponent.ts';
import { ComponentStartError, PortInUseError } from './stackErrors.ts';
import { isPortInUse } from './tcpProbe.ts';
import { waitFor } from './waitFor.ts';

/** What `status` knows about one component. */
export interface ComponentStatus {
  name: ComponentName;
  address: string;
  /** Pid of the process this stack started, if it runs. */
  pid: number | undefined;
  /** `up`: ours and answers; `unresponsive`: ours runs but does not answer (starting, stopped, hung); `external`: something else answers; `down`: nothing. */
  state: 'up' | 'unresponsive' | 'external' | 'down';
  healthy: boolean;
}

/** What `up` did for one component. */
export interface UpOutcome {
  name: ComponentName;
  address: string;
  action: 'started' | 'already-running';
  pid: number | undefined;
  elapsedMs: number;
}

export interface LocalStackOptions {
  logger: Logger;
  progress?: ProgressReporter;
}

/**
 * The local stack (Kafka, schema registry, Redis) as detached processes with pid files and logs
 * under `config.dir`. Every method reads the pid files afresh, so a stack started by one process
 * (the CLI) can be inspected, faulted and stopped by another (a test).
 */
export class LocalStack {
  private readonly components: Record<ComponentName, StackComponent>;
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
    };
  }

  /** The component object (address, ports, process, health check). */
  component(name: ComponentName): StackComponent {
    return this.components[name];
  }

  /**
   * Starts the named components (all by default) and resolves once each answers. A component that
   * already answers is left alone (so `up` is idempotent); one of ours that runs but does not answer
   * is restarted. Installs prerequisites and downloads jars first, once.
   */
  async up(names: readonly ComponentName[] = COMPONENT_NAMES): Promise<UpOutcome[]> {
    const chosen = names.map((name) => this.components[name]);
    const before = await Promise.all(chosen.map(async (c) => ({ component: c, healthy: await c.isHealthy() })));
    const toStart = before.filter((b) => !b.healthy).map((b) => b.component);
    if (toStart.length > 0) {
      ensurePrerequisites(toStart.flatMap((c) => c.prerequisites()), this.progress, this.logger);
      fs.mkdirSync(this.config.dir, { recursive: true });
      // One after another: downloads share the network and their progress lines read better in sequence.
      for (const component of toStart) await component.prepare(this.progress);
    }
    return Promise.all(
      before.map(async ({ component, healthy }): Promise<UpOutcome> => {
        if (healthy) return { name: component.name, address: component.address, action: 'already-running', pid: component.process.pid(), elapsedMs: 0 };
        const started = Date.now();
        const pid = await this.start(component);
        return { name: component.name, address: component.address, action: 'started', pid, elapsedMs: Date.now() - started };
      }),
    );
  }

  /** Stops the named components this stack started (SIGTERM, then SIGKILL after a grace period); returns the ones it stopped. */
  async down(names: readonly ComponentName[] = COMPONENT_NAMES): Promise<ComponentName[]> {
    const stopped = await Promise.all(
      names.map(async (name) => {
        const component = this.components[name];
        const pid = component.process.pid();
        if (pid === undefined) return undefined;
        this.logger.info({ name, pid }, 'stopping');
        await component.process.stop(component.stopGraceMs);
        return name;
      }),
    );
    return stopped.filter((name): name is ComponentName => name !== undefined);
  }

  /** Each named component's address, pid and whether it answers. */
  async status(names: readonly ComponentName[] = COMPONENT_NAMES): Promise<ComponentStatus[]> {
    return Promise.all(
      names.map(async (name): Promise<ComponentStatus> => {
        const component = this.components[name];
        const [pid, healthy] = [component.process.pid(), await component.isHealthy()];
        const state = healthy ? (pid === undefined ? 'external' : 'up') : pid === undefined ? 'down' : 'unresponsive';
        return { name, address: component.address, pid, state, healthy };
      }),
    );
  }

  /**
   * Sends `signal` to a component's process without waiting (fault injection: SIGKILL to crash it,
   * SIGSTOP to freeze it, SIGCONT to thaw it). Returns false when none of ours runs.
   */
  kill(name: ComponentName, signal: NodeJS.Signals = 'SIGKILL'): boolean {
    return this.components[name].process.signal(signal);
  }

  /** Stops one component (gracefully, or after a kill) and starts it again; Kafka keeps its data, Redis its AOF. */
  async restart(name: ComponentName): Promise<UpOutcome> {
    await this.down([name]);
    const [outcome] = await this.up([name]);
    return outcome!;
  }

  /** Starts one component that does not answer and waits until it does. */
  private async start(component: StackComponent): Promise<number> {
    if (component.process.pid() !== undefined) {
      this.logger.warn({ name: component.name }, 'running but not answering; restarting it');
      await component.process.stop(component.stopGraceMs);
    }
    for (const port of component.ports) {
      if (await isPortInUse(port)) throw new PortInUseError(component.name, port);
    }
    const pid = component.process.start(component.processSpec());
    this.logger.info({ name: component.name, pid }, 'started; waiting until it answers');
    const phase = this.progress.phase(`starting ${component.name} on ${component.address}`);
    const result = await waitFor(() => component.isReady(), {
      timeoutMs: component.startTimeoutMs,
      intervalMs: 300,
      abortIf: () => (component.process.pid() === undefined ? 'the process exited' : undefined),
    });
    if (!result.ok) {
      phase.fail();
      const tail = component.process.tail(5).replace(/\s*\n\s*/g, ' | ');
      await component.process.stop(component.stopGraceMs);
      throw new ComponentStartError(component.name, `${result.reason} (see ${component.process.logFile}: ${tail})`);
    }
    phase.done(`${(result.elapsedMs / 1000).toFixed(1)} s`);
    return pid;
  }
}
