import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { OrderFlow } from '../../topologies/orders/aggregate.ts';

const REPO = fileURLToPath(new URL('../..', import.meta.url));

/** The services, which both flows run: they cannot tell which flow sends their commands. */
const SERVICE_TOPOLOGIES = [
  'topologies/orders/services/paymentService.ts',
  'topologies/orders/services/inventoryService.ts',
  'topologies/orders/services/shippingService.ts',
  'topologies/orders/services/notificationService.ts',
] as const;

/**
 * Every topology of the order system per flow, as `tributary run` takes them; both run the
 * services and the group checkout. The two flows are alternatives, never run beside each
 * other on one run's topics. `orchestrated`: the order saga, the Order aggregate applying
 * the saga's cancellations, the cancellation notices, the projections (and the order API)
 * and the guest checkouts reading the saga's ends. `choreographed`: the five policies
 * (`choreography/*Policy.ts`; the notification policy sends the shipment notices too), the
 * Order aggregate applying every cancellation, and the projections (and the order API) and
 * the guest checkouts reading its events.
 */
export const ORDER_FLOW_TOPOLOGIES: Readonly<Record<OrderFlow, readonly string[]>> = {
  orchestrated: [
    'topologies/orders/orderSaga.ts',
    ...SERVICE_TOPOLOGIES,
    'topologies/orders/aggregate.ts',
    'topologies/orders/cancellationNotices.ts',
    'topologies/orders/orderProjections.ts',
    'topologies/orders/groupCheckout.ts',
    'topologies/orders/guestCheckouts.ts',
  ],
  choreographed: [
    'topologies/orders/choreography/paymentPolicy.ts',
    'topologies/orders/choreography/inventoryPolicy.ts',
    'topologies/orders/choreography/shippingPolicy.ts',
    'topologies/orders/choreography/notificationPolicy.ts',
    'topologies/orders/choreography/orderPolicy.ts',
    ...SERVICE_TOPOLOGIES,
    'topologies/orders/choreography/orderAggregate.ts',
    'topologies/orders/choreography/orderProjections.ts',
    'topologies/orders/groupCheckout.ts',
    'topologies/orders/choreography/guestCheckouts.ts',
  ],
};

/** Every topology of the orchestrated order system (the default flow). */
export const ORDER_TOPOLOGIES = ORDER_FLOW_TOPOLOGIES.orchestrated;

export interface OrderWorkersOptions {
  /** Topology files to run; all of the orchestrated order system's unless told (`ORDER_FLOW_TOPOLOGIES`). */
  readonly topologies?: readonly string[];
  /** How many worker processes, each running every topology (the groups share the partitions). */
  readonly processes: number;
  /** Environment of the workers on top of this process's: ORDER_TOPIC_PREFIX, ORDER_<SERVICE>_FAILURE_RATE, … */
  readonly env: Readonly<Record<string, string>>;
  /** Passed to `tributary run --guarantee`. */
  readonly guarantee: 'at_least_once' | 'exactly_once';
  /**
   * Runs the workers in a process group of their own, so that a terminal's Ctrl-C reaches
   * only this process, which then drains the orders in flight before it stops them.
   */
  readonly detached?: boolean;
}

interface WorkerChild {
  readonly child: ChildProcess;
  readonly exit: Promise<number | null>;
  readonly logs: string[];
  readonly partial: () => string;
}

/** How often `ready()` starts again a worker that exited before it was ready. */
const START_ATTEMPTS = 3;

/** How long a worker may take to drain on SIGTERM before it is killed. */
const STOP_GRACE_MS = 45_000;

/**
 * The order system's workers as real processes (`node bin/tributary.js run <topologies>`),
 * their pino lines kept (the last ones are shown when one dies). `stop()` sends SIGTERM,
 * as an orchestrator would, and waits for them to drain.
 */
export class OrderWorkers {
  private readonly children: WorkerChild[] = [];

  constructor(private readonly options: OrderWorkersOptions) {}

  start(): this {
    for (let i = 0; i < this.options.processes; i++) this.children.push(this.spawn());
    return this;
  }

  private spawn(): WorkerChild {
    const topologies = this.options.topologies ?? ORDER_TOPOLOGIES;
    const child = spawn('node', ['bin/tributary.js', 'run', ...topologies, '--guarantee', this.options.guarantee], {
      cwd: REPO,
      env: { ...process.env, TRIBUTARY_LOG_LEVEL: process.env.TRIBUTARY_LOG_LEVEL ?? 'info', ...this.options.env },
      stdio: ['ignore', 'ignore', 'pipe'],
      detached: this.options.detached ?? false,
    });
    // Detached workers would outlive a crash of this process: take them down with it.
    const killOnExit = () => child.kill('SIGKILL');
    process.once('exit', killOnExit);
    child.once('exit', () => process.off('exit', killOnExit));
    const logs: string[] = [];
    let partial = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop()!;
      logs.push(...lines);
      if (logs.length > 2_000) logs.splice(0, logs.length - 1_000);
    });
    // 'close', not 'exit': it comes once stderr is drained, so the tail holds the worker's last words.
    return { child, exit: once(child, 'close').then(([code]) => code as number | null), logs, partial: () => partial };
  }

  /** Resolves with the first worker process that exits (its index and code): a worker must not stop on its own. */
  firstExit(): Promise<{ index: number; code: number | null }> {
    return Promise.race(this.children.map(({ exit }, index) => exit.then((code) => ({ index, code }))));
  }

  /**
   * Resolves once every worker answers `/readyz` with 200 (each logs the port it picked). A
   * worker that exits before it is ready is started again, as a supervisor would, up to
   * START_ATTEMPTS times: a worker that has just created its internal topics can find a
   * broker not serving them yet and exit.
   */
  async ready(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (const index of this.children.keys()) {
      for (let attempt = 1; ; ) {
        const { logs, child } = this.children[index]!;
        if (child.exitCode !== null || child.signalCode !== null) {
          if (attempt >= START_ATTEMPTS) {
            await this.children[index]!.exit;
            throw new Error(`order worker ${index} exited (${child.exitCode ?? child.signalCode}) ${attempt} times before it was ready:\n${this.tail(index)}`);
          }
          attempt++;
          this.children[index] = this.spawn();
          continue;
        }
        const port = logs.map((l) => /http endpoints listening on port (\d+)/.exec(l)?.[1]).find(Boolean);
        if (port && (await fetch(`http://localhost:${port}/readyz`).then((r) => r.ok, () => false))) break;
        if (Date.now() > deadline) throw new Error(`order worker ${index} was not ready within ${timeoutMs} ms:\n${this.tail(index)}`);
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  }

  /** SIGTERM to every worker; resolves with their exit codes once all are gone (SIGKILL after a grace period). */
  async stop(): Promise<(number | null)[]> {
    return Promise.all(
      this.children.map(async ({ child, exit }) => {
        if (child.exitCode !== null || child.signalCode !== null) return exit;
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
        try {
          return await exit;
        } finally {
          clearTimeout(timer);
        }
      }),
    );
  }

  /** SIGKILL to one worker process, e.g. a service a test wants gone. */
  async kill(index: number): Promise<void> {
    const { child, exit } = this.children[index]!;
    child.kill('SIGKILL');
    await exit;
  }

  /** The last log lines of one worker. */
  tail(index: number, lines = 20): string {
    const { logs, partial } = this.children[index]!;
    return [...logs.slice(-lines), partial()].join('\n').trimEnd();
  }
}
