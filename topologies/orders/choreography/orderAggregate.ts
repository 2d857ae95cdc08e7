import { orderAggregateTopology } from '../aggregate.ts';

/**
 * The Order aggregate (the order service) of the choreographed flow, for `tributary run`: it
 * applies every `CancelOrder` (the customer's and the order policy's) and completes an order
 * once its customer is told it shipped. See `orderAggregateTopology`.
 */
export default orderAggregateTopology({ flow: 'choreographed' });
