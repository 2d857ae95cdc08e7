import type { Kafka } from 'kafkajs';
import type { OrderFlow } from '../../topologies/orders/aggregate.ts';
import type { OutcomeTracker } from '../../topologies/orders/load/outcomeTracker.ts';
import type { OrderCatalogue, RunTopicName } from './orderCatalogue.ts';
import { OrderTopicFollower, type FollowedRecord } from './orderTopicFollower.ts';

const GROUP_OUTCOMES = { 'checkout.group.completed': 'completed', 'checkout.group.failed': 'failed', 'checkout.group.timed-out': 'timed-out' } as const;

/** Where a flow's orders are seen running and ending: the saga's transitions, or the Order aggregate's events where there is no saga. */
const ORDER_MOVES = { orchestrated: 'orders.saga.transitioned', choreographed: 'orders.order.events' } as const satisfies Record<OrderFlow, RunTopicName>;

/** What a tracker reconciles a run of one flow by: the topics to read, and what to do with a record read from one. */
export interface OutcomeFeed {
  readonly topics: readonly RunTopicName[];
  /** Hands the tracker a record read at `observedAt` (epoch ms, for latency); records of other topics are ignored. */
  take(record: FollowedRecord, observedAt: number): void;
}

/**
 * Feeds a tracker how a run's orders move — the sagas' transitions (`orchestrated`) or the
 * Order aggregate's events (`choreographed`; the orchestrated flow's aggregate events are
 * not read, as the saga already tells how its orders end) — the order service's accepted
 * cancellations and the group checkouts' outcomes.
 */
export function outcomeFeed(tracker: OutcomeTracker, flow: OrderFlow): OutcomeFeed {
  const moves = ORDER_MOVES[flow];
  return {
    topics: [moves, 'orders.order.cancelled', ...(Object.keys(GROUP_OUTCOMES) as (keyof typeof GROUP_OUTCOMES)[])],
    take(record, observedAt) {
      if (record.topic === 'orders.order.cancelled') tracker.cancelled(record.value);
      else if (record.topic in GROUP_OUTCOMES) tracker.groupEnded(record.key, GROUP_OUTCOMES[record.topic as keyof typeof GROUP_OUTCOMES]);
      else if (record.topic !== moves) return;
      else if (record.topic === 'orders.saga.transitioned') tracker.transitioned(record.value, observedAt);
      else if (record.topic === 'orders.order.events') tracker.orderEvent(record.key, record.value, observedAt);
    },
  };
}

/** Feeds a tracker (`outcomeFeed`) from the run's topics as they are written. */
export function followOutcomes(kafka: Kafka, orders: OrderCatalogue, tracker: OutcomeTracker, flow: OrderFlow): Promise<OrderTopicFollower> {
  const feed = outcomeFeed(tracker, flow);
  return OrderTopicFollower.start(kafka, orders, feed.topics, (record) => feed.take(record, Date.now()));
}
