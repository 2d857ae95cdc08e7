import type { Kafka } from 'kafkajs';
import type { OutcomeTracker } from '../../topologies/orders/load/outcomeTracker.ts';
import type { OrderCatalogue } from './orderCatalogue.ts';
import { OrderTopicFollower } from './orderTopicFollower.ts';

const GROUP_OUTCOMES = { 'checkout.group.completed': 'completed', 'checkout.group.failed': 'failed', 'checkout.group.timed-out': 'timed-out' } as const;

/**
 * Feeds a tracker what it reconciles a run by, read from the run's topics as they are
 * written: the sagas' transitions (stamped with when they were read, for latency), the order
 * service's accepted cancellations and the group checkouts' outcomes.
 */
export function followOutcomes(kafka: Kafka, orders: OrderCatalogue, tracker: OutcomeTracker): Promise<OrderTopicFollower> {
  return OrderTopicFollower.start(kafka, orders, ['orders.saga.transitioned', 'orders.order.cancelled', ...(Object.keys(GROUP_OUTCOMES) as (keyof typeof GROUP_OUTCOMES)[])], (record) => {
    if (record.topic === 'orders.saga.transitioned') tracker.transitioned(record.value, Date.now());
    else if (record.topic === 'orders.order.cancelled') tracker.cancelled(record.value);
    else tracker.groupEnded(record.key, GROUP_OUTCOMES[record.topic]);
  });
}
