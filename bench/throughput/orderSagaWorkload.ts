import type { SagaTransitioned } from '../../schemas/generated/types.ts';
import { BenchProcess } from '../support/benchProcess.ts';
import { claimedAll, parseLog } from '../support/workerLog.ts';
import { earliest, profilerFlags, REPO, type Workload } from './workloads.ts';

/**
 * The order system's orchestrated flow as far as an order needs to complete: the saga and the
 * four services it calls, each a topology of topologies/orders with the name its application id
 * has after the topic prefix (`orderAppId`). The Order aggregate, the projections and the
 * checkouts only read what these write: an order completes without them.
 */
const ORDER_FLOW = [
  { file: 'topologies/orders/orderSaga.ts', app: 'order-saga' },
  { file: 'topologies/orders/services/paymentService.ts', app: 'order-payment-service' },
  { file: 'topologies/orders/services/inventoryService.ts', app: 'order-inventory-service' },
  { file: 'topologies/orders/services/shippingService.ts', app: 'order-shipping-service' },
  { file: 'topologies/orders/services/notificationService.ts', app: 'order-notification-service' },
] as const;

/**
 * How long a saga step waits for its reply (`ORDER_SAGA_STEP_TIMEOUT_MS`; 10 s in the order
 * system). The throughput run starts every preloaded order at once, so a reply can wait behind
 * thousands of other orders' commands for longer than that: with the default, the saga would
 * retry and then compensate orders that are only queued, and the bench would measure its
 * timeouts rather than its flow. Longer than any run takes; the saga's work per step (a
 * deadline written, then removed by the reply) is the same whatever the timeout.
 */
const STEP_TIMEOUT_MS = 30 * 60_000;

/**
 * `tributary run` of the saga and its services in one process, at_least_once with the worker's
 * defaults, on the order system's topics under the phase's prefix (ORDER_TOPIC_PREFIX, which
 * also makes the application ids: it runs as those, not as the group it is given). The bench's
 * orders (country DE, customers `c<N>`) go to its `orders.order.created` keyed by order id, and
 * the services never fail nor wait, whatever this shell's ORDER_* variables say, so every
 * order completes: payment, stock, shipment, notification, then the saga's move to
 * `completed`. That move on `orders.saga.transitioned` is the output that counts: it is the
 * moment the order is done (every step answered), written by the process measured; the Order
 * aggregate's `OrderCompleted` is derived from it one hop later by another topology. The
 * transitions topic holds every move (five per order), so an order counts at its first
 * transition to `completed`. It takes no sweep knobs: its application ids come from the
 * phase's prefix, so a second run over the same phase would resume the first one's groups and
 * state instead of starting afresh.
 */
export const orderSaga: Workload = {
  name: 'order-saga',
  what: 'the order saga with its payment, inventory, shipping and notification services in one process; an order counts when its saga completes',
  orders: 'order-system',
  inputs: (topics) => [topics.sagaOrders],
  output: (topics) => topics.sagaTransitions,
  redisState: true,
  groups: (phase) => ORDER_FLOW.map(({ app }) => `${phase.prefix}${app}`),
  start: ({ phase, cpuProfileDir }) =>
    new BenchProcess('order-saga', 'node', [...profilerFlags(cpuProfileDir), 'bin/tributary.js', 'run', ...ORDER_FLOW.map(({ file }) => file)], {
      cwd: REPO,
      env: {
        ORDER_TOPIC_PREFIX: phase.prefix,
        ORDER_SAGA_STEP_TIMEOUT_MS: String(STEP_TIMEOUT_MS),
        ...Object.fromEntries(['PAYMENT', 'INVENTORY', 'SHIPPING', 'NOTIFICATION'].flatMap((s) => [[`ORDER_${s}_FAILURE_RATE`, '0'], [`ORDER_${s}_LATENCY_MS`, '0']])),
        TRIBUTARY_LOG_LEVEL: 'info',
      },
    }).start(),
  ready: (lines) => claimedAll(parseLog(lines).events, ORDER_FLOW.length),
  // The saga's first order: the services have nothing to read before the saga's first command.
  firstRecordAt: (lines) => earliest(lines, 'first record since claim'),
  completes: async (phase, message) => {
    const topic = phase.topics.sagaTransitions;
    const transition = (await phase.orderSystem!.serdes.deserialize(topic, message.value!)) as SagaTransitioned;
    return transition.to === 'completed' ? transition.sagaId : undefined;
  },
};
