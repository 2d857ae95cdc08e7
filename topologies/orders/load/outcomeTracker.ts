import type { CancelOrder, OrderCancelled, SagaTransitioned } from '../../../index.ts';
import type { OrderEvent } from '../aggregate.ts';
import type { PlannedBatch } from './orderGenerator.ts';
import { isSagaEnd, orderEventOutcome, outcomeOf, type OrderOutcome } from './orderOutcome.ts';

/** Where a run stands: what was produced, how the orders ended, and how long they took. */
export interface OutcomeSnapshot {
  readonly produced: number;
  /** Orders ended, by outcome (`completed`, `payment failed`, `cancelled`, …). */
  readonly ended: Readonly<Record<OrderOutcome, number>>;
  readonly inFlight: number;
  /** Group checkouts started, and ended by outcome (`completed`, `failed`, `timed-out`). */
  readonly groupsStarted: number;
  readonly groupsEnded: Readonly<Record<string, number>>;
  /**
   * Customers' cancellations sent, those the order service accepted (announced on
   * `orders.order.cancelled`) and, of those, the ones the order's flow did not take (the
   * saga had moved past cancelling: the order service and the saga disagree on the order).
   */
  readonly cancellationsSent: number;
  readonly cancellationsAccepted: number;
  readonly cancellationsTooLate: number;
  /** End-to-end latency (order created → its end seen), milliseconds; null before the first end. */
  readonly p50Ms: number | null;
  readonly p99Ms: number | null;
}

/** What is wrong with a run, one line per kind of problem; empty when it reconciles. */
export type Reconciliation = readonly string[];

interface Tracked {
  readonly expected: OrderOutcome;
  readonly createdAt: number;
  readonly cancel: CancelOrder | null;
}

const EXAMPLES = 3;

/**
 * Follows a run of generated orders: told what was produced (`planned`) and fed how the
 * orders' flows move, the order service's cancellations and the group checkouts' outcomes
 * as they are read, it counts how orders ended and how late, and reconciles the run: every
 * order produced ended exactly once, in the outcome its plan expected — `cancelled` instead
 * when its flow took its customer's cancellation; no order ended that was not produced;
 * every group ended once, completed when all its guests' orders completed, else failed. A
 * customer's cancellation is due once the order's flow is seen running
 * (`dueCancellations`), so that it comes mid-flow. Either flow feeds it: the orchestrated
 * one with the saga's transitions (`transitioned`), the choreographed one, which has no
 * saga, with the Order aggregate's events (`orderEvent`). Pure: the caller reads the topics.
 */
export class OutcomeTracker {
  private readonly orders = new Map<string, Tracked>();
  private readonly outcomes = new Map<string, OrderOutcome>();
  private readonly endedTwice = new Map<string, OrderOutcome[]>();
  private readonly strangers = new Set<string>();
  private readonly groups = new Map<string, readonly string[]>();
  private readonly accepted = new Set<string>();
  /** Orders whose flow took their customer's cancellation. */
  private readonly cancellationTaken = new Set<string>();
  /** Orders seen running: their customer's cancellation (if any) was handed out, once. */
  private readonly running = new Set<string>();
  private due: CancelOrder[] = [];
  private cancellationsSent = 0;
  private readonly groupOutcomes = new Map<string, string[]>();
  private readonly latencies: number[] = [];
  private sortedLatencies: number[] | null = [];

  /** Records what was produced. */
  planned(batch: PlannedBatch): void {
    for (const { order, expected, cancel } of batch.orders) this.orders.set(order.orderId, { expected, createdAt: order.createdAt, cancel });
    if (batch.group) this.groups.set(batch.group.groupCheckoutId, batch.group.guests.map((guest) => guest.orderId));
  }

  /** Takes one record of `orders.order.cancelled`: a customer's cancellation the order service accepted. */
  cancelled(cancellation: OrderCancelled): void {
    if (cancellation.reason === 'CUSTOMER_REQUEST') this.accepted.add(cancellation.orderId);
  }

  /** The customers' cancellations whose orders' flows are now running, each handed out once: send them. */
  dueCancellations(): CancelOrder[] {
    const due = this.due;
    this.due = [];
    this.cancellationsSent += due.length;
    return due;
  }

  /**
   * How the order must end: as planned, or `cancelled` if its flow took its customer's
   * cancellation (only an order planned with one can have it taken).
   */
  expectedOf(orderId: string): OrderOutcome | undefined {
    const order = this.orders.get(orderId);
    if (order?.cancel && this.cancellationTaken.has(orderId)) return 'cancelled';
    return order?.expected;
  }

  /**
   * Takes one record of `orders.saga.transitioned` (the orchestrated flow), read at
   * `observedAt` (epoch ms): the saga's start makes the customer's cancellation due, its
   * `cancelled` move takes it, and the move into a terminal state ends the order.
   */
  transitioned(transition: SagaTransitioned, observedAt: number): void {
    const orderId = transition.sagaId;
    if (transition.event === 'started' && transition.from === 'new') this.started(orderId);
    if (transition.event === 'cancelled' && transition.from !== transition.to) this.cancellationTaken.add(orderId);
    if (isSagaEnd(transition)) this.ended(orderId, outcomeOf(transition), observedAt);
  }

  /**
   * Takes one event of the Order aggregate's log (`orders.order.events`, keyed by order id;
   * the choreographed flow), read at `observedAt`: OrderPlaced makes the customer's
   * cancellation due, an OrderCancelled for CUSTOMER_REQUEST takes it, and OrderCompleted or
   * OrderCancelled ends the order, in the outcome of its reason.
   */
  orderEvent(orderId: string, event: OrderEvent, observedAt: number): void {
    if (event.type === 'OrderPlaced') this.started(orderId);
    if (event.type === 'OrderCancelled' && event.reason === 'CUSTOMER_REQUEST') this.cancellationTaken.add(orderId);
    const outcome = orderEventOutcome(event);
    if (outcome !== undefined) this.ended(orderId, outcome, observedAt);
  }

  /** The order's flow is running: its customer's cancellation, if planned, falls due (once). */
  private started(orderId: string): void {
    const cancel = this.orders.get(orderId)?.cancel;
    if (!cancel || this.running.has(orderId)) return;
    this.running.add(orderId);
    this.due.push(cancel);
  }

  /**
   * The order ended so, seen at `observedAt`. Latency is measured to when the end was seen,
   * not to the record's time: records carry their input's event time, which stays the order's
   * own along the chain.
   */
  private ended(orderId: string, outcome: OrderOutcome, observedAt: number): void {
    const order = this.orders.get(orderId);
    if (!order) {
      this.strangers.add(orderId);
      return;
    }
    const earlier = this.outcomes.get(orderId);
    if (earlier !== undefined) {
      this.endedTwice.set(orderId, [...(this.endedTwice.get(orderId) ?? [earlier]), outcome]);
      return;
    }
    this.outcomes.set(orderId, outcome);
    this.latencies.push(observedAt - order.createdAt);
    this.sortedLatencies = null;
  }

  /** Takes one group checkout outcome (`completed`, `failed` or `timed-out`) by group id. */
  groupEnded(groupCheckoutId: string, outcome: string): void {
    this.groupOutcomes.set(groupCheckoutId, [...(this.groupOutcomes.get(groupCheckoutId) ?? []), outcome]);
  }

  /**
   * True once every order produced has ended, every group has an outcome, and the order
   * service has announced every cancellation a flow took. The saga ends an order before the
   * order service, which reads the saga's cancel command at its own pace, announces it.
   */
  get settled(): boolean {
    return this.outcomes.size >= this.orders.size && [...this.groups.keys()].every((id) => this.groupOutcomes.has(id)) && this.cancellationsUnannounced().length === 0;
  }

  /** The orders whose cancellation the order service accepted but whose flow ended without taking it. */
  cancellationsTooLate(): string[] {
    return [...this.accepted].filter((id) => this.outcomes.has(id) && !this.cancellationTaken.has(id));
  }

  /** The orders whose flow took their customer's cancellation but whose cancellation the order service has not announced. */
  cancellationsUnannounced(): string[] {
    return [...this.cancellationTaken].filter((id) => !this.accepted.has(id));
  }

  /** How the orders of the run ended, by id (orders still in flight absent). */
  outcomeOf(orderId: string): OrderOutcome | undefined {
    return this.outcomes.get(orderId);
  }

  snapshot(): OutcomeSnapshot {
    const ended: Record<OrderOutcome, number> = {};
    for (const outcome of this.outcomes.values()) ended[outcome] = (ended[outcome] ?? 0) + 1;
    const groupsEnded: Record<string, number> = {};
    for (const [outcome] of this.groupOutcomes.values()) groupsEnded[outcome!] = (groupsEnded[outcome!] ?? 0) + 1;
    this.sortedLatencies ??= [...this.latencies].sort((a, b) => a - b);
    return {
      produced: this.orders.size,
      ended,
      inFlight: this.orders.size - this.outcomes.size,
      groupsStarted: this.groups.size,
      groupsEnded,
      cancellationsSent: this.cancellationsSent,
      cancellationsAccepted: this.accepted.size,
      cancellationsTooLate: this.cancellationsTooLate().length,
      p50Ms: percentile(this.sortedLatencies, 0.5),
      p99Ms: percentile(this.sortedLatencies, 0.99),
    };
  }

  /** The run's problems; empty when every order and group ended once, as planned. */
  reconcile(): Reconciliation {
    const problems: string[] = [];
    const unended = [...this.orders.keys()].filter((id) => !this.outcomes.has(id));
    if (unended.length) problems.push(`${unended.length} order(s) never ended, e.g. ${unended.slice(0, EXAMPLES).join(', ')}`);
    if (this.endedTwice.size) problems.push(`${this.endedTwice.size} order(s) ended more than once, e.g. ${[...this.endedTwice].slice(0, EXAMPLES).map(([id, o]) => `${id} (${o.join(', ')})`).join('; ')}`);
    if (this.strangers.size) problems.push(`${this.strangers.size} order(s) ended that this run did not produce, e.g. ${[...this.strangers].slice(0, EXAMPLES).join(', ')}`);
    const unexpected = [...this.outcomes].filter(([id, outcome]) => this.expectedOf(id) !== outcome);
    if (unexpected.length) problems.push(`${unexpected.length} order(s) ended otherwise than their data asked, e.g. ${unexpected.slice(0, EXAMPLES).map(([id, o]) => `${id} ${o}, expected ${this.expectedOf(id)}`).join('; ')}`);
    const groupProblems = [...this.groups].flatMap(([id, guestOrders]) => {
      const expected = guestOrders.every((orderId) => this.expectedOf(orderId) === 'completed') ? 'completed' : 'failed';
      const outcomes = this.groupOutcomes.get(id) ?? [];
      if (outcomes.length === 1 && outcomes[0] === expected) return [];
      return [`${id} ${outcomes.length ? outcomes.join(', ') : 'no outcome'}, expected ${expected}`];
    });
    const tooLate = this.cancellationsTooLate();
    if (tooLate.length) problems.push(`${tooLate.length} customer cancellation(s) the order service accepted but the saga did not take, e.g. ${tooLate.slice(0, EXAMPLES).join(', ')}`);
    const unannounced = this.cancellationsUnannounced();
    if (unannounced.length) problems.push(`${unannounced.length} customer cancellation(s) the flow took but the order service did not announce, e.g. ${unannounced.slice(0, EXAMPLES).join(', ')}`);
    if (groupProblems.length) problems.push(`${groupProblems.length} group checkout(s) did not end once as planned, e.g. ${groupProblems.slice(0, EXAMPLES).join('; ')}`);
    return problems;
  }

  /** How many orders of the run must end in each outcome (`expectedOf`). */
  expectedCounts(): Record<OrderOutcome, number> {
    const counts: Record<OrderOutcome, number> = {};
    for (const id of this.orders.keys()) {
      const expected = this.expectedOf(id)!;
      counts[expected] = (counts[expected] ?? 0) + 1;
    }
    return counts;
  }
}

/** The nearest-rank percentile of sorted values; null for none. */
function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}
