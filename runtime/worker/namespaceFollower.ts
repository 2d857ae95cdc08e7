import type { Topology } from '../../processors/topologyGraph.ts';
import { readNamespacePointer, type NamespacePointer } from '../../state/redis/namespacePointer.ts';
import { closeRedis, connectRedis, type RedisClient } from '../../state/redis/redisConnection.ts';
import type { Readiness } from '../http/readiness.ts';
import type { Logger } from '../logger.ts';
import type { WorkerMetrics } from '../metrics/workerMetrics.ts';
import { Worker } from './worker.ts';
import type { WorkerConfig } from './workerConfig.ts';

/**
 * A live worker that follows its application's namespace pointer (docs/replay.md, `--shadow`):
 * it runs a Worker in the active namespace; when a shadow replay starts its switch, it stops
 * that Worker (the units in flight commit and send, the member leaves the group) and runs
 * none while the switch lasts; once the pointer names the new namespace, it starts a Worker
 * there. The process, its HTTP endpoints and queries stay up throughout. The pointer is read
 * at start and every commit interval (one HMGET).
 *
 * `done` settles when `stop` has stopped it, or rejects when a Worker failed.
 */
export class NamespaceFollower {
  private worker: Worker | undefined;
  private namespace: string | undefined;
  /** The last change of Worker (stop, start) in flight; changes run one after the other. */
  private changing: Promise<void> = Promise.resolve();
  private poller: NodeJS.Timeout | undefined;
  private stopped = false;
  private failure: { readonly error: unknown } | undefined;
  private settle!: { resolve: () => void; reject: (error: unknown) => void };
  readonly done: Promise<void>;

  private constructor(
    private readonly topology: Topology,
    private readonly config: WorkerConfig,
    private readonly logger: Logger,
    private readonly metrics: WorkerMetrics,
    private readonly redis: RedisClient,
  ) {
    this.done = new Promise((resolve, reject) => (this.settle = { resolve, reject }));
    this.done.catch(() => undefined);
  }

  static async start(topology: Topology, config: WorkerConfig, logger: Logger, metrics: WorkerMetrics): Promise<NamespaceFollower> {
    const redis = connectRedis(config.redisUrl, { connectionName: `${config.applicationId}-namespace`, logger });
    const follower = new NamespaceFollower(topology, config, logger.child({ app: config.applicationId, component: 'namespace' }), metrics, redis);
    try {
      await follower.follow(await readNamespacePointer(redis, follower.scope()));
    } catch (error) {
      await closeRedis(redis).catch(() => undefined);
      throw error;
    }
    follower.poller = setInterval(() => void follower.poll(), config.commitIntervalMs);
    return follower;
  }

  readiness(): Readiness {
    if (this.worker) return this.worker.readiness();
    return { ready: false, reason: this.stopped ? 'stopping' : 'switching to a rebuilt state namespace' };
  }

  /** Stops the Worker as `Worker.stop` does, and stops following. */
  stop(): Promise<void> {
    if (this.stopped) return this.done;
    this.stopped = true;
    clearInterval(this.poller);
    const stopping = this.changing.then(() => this.worker?.stop());
    void stopping
      .finally(() => closeRedis(this.redis).catch(() => undefined))
      .then(
        () => (this.failure ? this.settle.reject(this.failure.error) : this.settle.resolve()),
        (error: unknown) => this.settle.reject(this.failure?.error ?? error),
      );
    return this.done;
  }

  private scope() {
    return { app: this.config.applicationId, prefix: this.config.redisKeyPrefix };
  }

  private async poll(): Promise<void> {
    try {
      const pointer = await readNamespacePointer(this.redis, this.scope());
      this.changing = this.changing.then(() => this.follow(pointer));
      await this.changing;
    } catch (error) {
      // A Redis outage only delays following; a Worker that cannot start stops the process.
      if (this.worker || this.stopped) this.logger.warn({ err: error }, 'reading the namespace pointer failed');
      else this.fail(error);
    }
  }

  /** Runs the Worker the pointer asks for: none while switching, else one in the active namespace. */
  private async follow(pointer: NamespacePointer): Promise<void> {
    if (this.stopped) return;
    const wanted = pointer.phase === 'switching' ? undefined : (pointer.active ?? this.config.stateNamespace);
    if (wanted === this.namespace) return;
    if (this.worker) {
      this.logger.info({ from: this.namespace, to: wanted ?? '(switching)' }, 'state namespace switching: stopping the worker');
      const worker = this.worker;
      this.worker = undefined;
      await worker.stop();
    }
    this.namespace = undefined;
    if (wanted === undefined) return;
    const worker = await Worker.start(this.topology, { ...this.config, stateNamespace: wanted }, this.logger, this.metrics);
    this.worker = worker;
    this.namespace = wanted;
    this.logger.info({ namespace: wanted }, 'worker running in the active state namespace');
    worker.done.catch((error: unknown) => this.fail(error));
  }

  private fail(error: unknown): void {
    if (this.stopped) return;
    this.logger.error({ err: error }, 'worker failed; stopping');
    this.failure = { error };
    void this.stop();
  }
}
