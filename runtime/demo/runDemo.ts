import type { ConnectionConfig } from '../config.ts';
import { TributaryError } from '../errors.ts';
import { connectKafka } from '../kafka/kafkaConnection.ts';
import type { Logger } from '../logger.ts';
import { OrderGenerator, type PlannedBatch } from '../../topologies/orders/load/orderGenerator.ts';
import { OutcomeTracker } from '../../topologies/orders/load/outcomeTracker.ts';
import type { DemoOptions } from './demoOptions.ts';
import { liveSummaryLines, totalsLines } from './demoSummary.ts';
import { orderCatalogue } from './orderCatalogue.ts';
import { cancellationRecord, OrderProducer } from './orderProducer.ts';
import { followOutcomes } from './outcomeFollower.ts';
import { prepareOrderTopics } from './orderTopicSetup.ts';
import { ORDER_FLOW_TOPOLOGIES, OrderWorkers } from './orderWorkers.ts';

/** The run's totals do not reconcile: orders lost, ended twice, or ended otherwise than planned. */
export class DemoReconciliationError extends TributaryError {
  constructor(problems: readonly string[]) {
    super('DEMO_RECONCILIATION', `the run does not reconcile: ${problems.join('; ')}`);
  }
}

/** Where the demo writes: its live summary (redrawn in place on a terminal) and plain lines. */
export interface DemoOutput {
  line(text: string): void;
  /** Replaces the previous live summary with these lines. */
  live(lines: readonly string[]): void;
}

/** A group checkout waits this long for its guests' orders. */
const GROUP_DEADLINE_MS = 120_000;
const TICK_MS = 100;
const SUMMARY_MS = 1_000;

/**
 * The demo's main job: makes the run's topics and registers the schemas, starts the order
 * system's workers (exactly once) for `--flow` (the saga, or the choreography's policies),
 * produces generated orders at `options.rate` until `--orders`, `--duration` or `stop`
 * (Ctrl-C), follows the orders' outcomes (the saga's transitions, or the Order aggregate's
 * events) with a live summary every second, then stops producing, waits (at most
 * `--drain-timeout`) for the orders in flight, stops the workers with SIGTERM and prints
 * totals. Throws DemoReconciliationError when an order was lost, ended twice or ended
 * otherwise than its data asked, or a group checkout did not end as planned.
 */
export async function runDemo(options: DemoOptions, connection: ConnectionConfig, logger: Logger, out: DemoOutput, stop: AbortSignal): Promise<void> {
  const orders = orderCatalogue(options.topicPrefix, connection.registryUrl);
  // kafkajs logs its own retried errors (a leader not elected yet on a new topic); the demo fails on what is not retried.
  const kafka = connectKafka({ brokers: connection.brokers, kafkaSsl: false }, 'tributary-demo', logger.child({}, { level: 'fatal' }));
  const admin = kafka.admin();
  await admin.connect();
  try {
    const prepared = await prepareOrderTopics(admin, orders, connection.registryUrl, options.partitions);
    out.line(`topics ${options.topicPrefix}* (${options.partitions} partitions): ${prepared.created} created; ${prepared.registered} schema(s) registered`);
  } finally {
    await admin.disconnect();
  }

  const tracker = new OutcomeTracker();
  const follower = await followOutcomes(kafka, orders, tracker, options.flow);
  const workers = new OrderWorkers({
    topologies: ORDER_FLOW_TOPOLOGIES[options.flow],
    processes: options.workers,
    guarantee: 'exactly_once',
    detached: true,
    env: {
      ORDER_TOPIC_PREFIX: options.topicPrefix,
      ORDER_PAYMENT_FAILURE_RATE: String(options.paymentFailureRate),
      ORDER_INVENTORY_FAILURE_RATE: String(options.inventoryFailureRate),
      ORDER_SHIPPING_FAILURE_RATE: String(options.shippingFailureRate),
      ...Object.fromEntries(['PAYMENT', 'INVENTORY', 'SHIPPING', 'NOTIFICATION'].map((s) => [`ORDER_${s}_LATENCY_MS`, String(options.serviceLatencyMs)])),
    },
  }).start();
  const producer = await OrderProducer.connect(kafka, orders);
  try {
    out.line(`starting ${options.workers} worker process(es) running every order topology of the ${options.flow} flow (exactly_once)…`);
    await workers.ready(180_000);
    const workerDied = workers.firstExit().then(({ index, code }) => {
      throw new TributaryError('DEMO_WORKER_EXITED', `order worker ${index} exited with ${code} while the demo ran:\n${workers.tail(index)}`);
    });
    workerDied.catch(() => undefined);
    const end = `${options.orders === undefined ? '' : `${options.orders} orders`}${options.orders !== undefined && options.duration !== undefined ? ' or ' : ''}${options.duration === undefined ? '' : `${options.duration} s`}`;
    out.line(`producing orders at ${options.rate}/s ${end ? `for ${end}` : 'until Ctrl-C'} (seed ${options.seed})`);
    await Promise.race([produce(options, producer, tracker, out, stop), workerDied]);
    out.line(`stopped producing; waiting up to ${options.drainTimeout} s for ${tracker.snapshot().inFlight} order(s) in flight…`);
    await Promise.race([settle(tracker, producer, options.drainTimeout * 1_000, out), workerDied]);
  } finally {
    await producer.disconnect();
    const codes = await workers.stop();
    await follower.stop();
    out.line(`workers stopped (exit ${codes.join(', ')})`);
  }
  for (const line of totalsLines(tracker.snapshot(), tracker.expectedCounts())) out.line(line);
  const problems = tracker.reconcile();
  if (problems.length) throw new DemoReconciliationError(problems);
  out.line('ok: every order produced ended exactly once, as its data asked; every group checkout ended as planned.');
}

/** Produces at the rate until the order count, the duration or the stop signal, redrawing the summary every second. */
async function produce(options: DemoOptions, producer: OrderProducer, tracker: OutcomeTracker, out: DemoOutput, stop: AbortSignal): Promise<void> {
  const generator = new OrderGenerator({
    mix: options,
    failureRates: { payment: options.paymentFailureRate, inventory: options.inventoryFailureRate, shipping: options.shippingFailureRate },
    seed: options.seed,
    groupDeadlineMs: GROUP_DEADLINE_MS,
  });
  const started = Date.now();
  let produced = 0;
  let lastSummary = { at: started, produced: 0 };
  const limit = options.orders ?? Infinity;
  const until = options.duration === undefined ? Infinity : started + options.duration * 1_000;
  while (!stop.aborted && produced < limit && Date.now() < until) {
    const now = Date.now();
    const due = Math.min(limit, Math.floor(((now - started) / 1_000) * options.rate));
    const batches: PlannedBatch[] = [];
    while (produced < due) {
      const batch = generator.next(now);
      batches.push(batch);
      produced += batch.orders.length;
    }
    // The tracker knows an order before its outcome can be read.
    for (const batch of batches) tracker.planned(batch);
    await producer.sendPlanned(batches);
    await producer.send(tracker.dueCancellations().map(cancellationRecord));
    if (now - lastSummary.at >= SUMMARY_MS) {
      const snapshot = tracker.snapshot();
      out.live(liveSummaryLines(snapshot, ((snapshot.produced - lastSummary.produced) * 1_000) / (now - lastSummary.at)));
      lastSummary = { at: now, produced: snapshot.produced };
    }
    await new Promise((r) => setTimeout(r, TICK_MS));
  }
}

/** Waits until the run settled (`OutcomeTracker.settled`), or the timeout, sending the cancellations that fall due and redrawing the summary every second. */
async function settle(tracker: OutcomeTracker, producer: OrderProducer, timeoutMs: number, out: DemoOutput): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!tracker.settled && Date.now() < deadline) {
    out.live(liveSummaryLines(tracker.snapshot(), 0));
    await producer.send(tracker.dueCancellations().map(cancellationRecord));
    await new Promise((r) => setTimeout(r, SUMMARY_MS));
  }
  out.live(liveSummaryLines(tracker.snapshot(), 0));
}
