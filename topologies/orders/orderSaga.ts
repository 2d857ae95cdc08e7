import { z } from 'zod';
import {
  jsonSerde,
  saga,
  stringSerde,
  topology,
  type CancelOrder,
  type CancellationReason,
  type InitiateShipping,
  type OrderCreated,
  type ProcessPayment,
  type RefundPayment,
  type ReleaseInventory,
  type ReserveInventory,
  type SagaTransitioned,
  type SendNotification,
  type TopologyBuilder,
} from '../../index.ts';
import { orderAppId, orderTopic, readTopic } from './orderTopics.ts';
import { ServiceBehaviourError } from './services/serviceBehaviour.ts';

/** How patient the order saga is with the services. */
export interface OrderSagaSettings {
  /** Wall-clock time each attempt of a step (or compensation) waits for its reply. */
  readonly stepTimeoutMs: number;
  /** Attempts per step and per compensation before it counts as failed (stuck). */
  readonly attempts: number;
  /** Wait before a retry, doubling per attempt. */
  readonly backoffMs: number;
}

/** What the saga keeps per order besides its state: the order, and what later compensations must name. */
interface OrderSagaData {
  readonly order: OrderCreated;
  readonly paymentId: string | null;
  readonly reservationId: string | null;
}

const REASON_BY_STEP: Readonly<Record<string, CancellationReason>> = { payment: 'PAYMENT_FAILED', inventory: 'INVENTORY_UNAVAILABLE', shipping: 'SHIPPING_FAILED', notification: 'SHIPPING_FAILED' };

const settingsSchema = z.object({
  stepTimeoutMs: z.coerce.number().int().positive(),
  attempts: z.coerce.number().int().min(1),
  backoffMs: z.coerce.number().int().min(0),
});

/** Settings from `ORDER_SAGA_STEP_TIMEOUT_MS` (default 10 s), `ORDER_SAGA_ATTEMPTS` (3) and `ORDER_SAGA_BACKOFF_MS` (500). */
export function orderSagaSettings(env: NodeJS.ProcessEnv = process.env): OrderSagaSettings {
  const parsed = settingsSchema.safeParse({
    stepTimeoutMs: env.ORDER_SAGA_STEP_TIMEOUT_MS || 10_000,
    attempts: env.ORDER_SAGA_ATTEMPTS || 3,
    backoffMs: env.ORDER_SAGA_BACKOFF_MS || 500,
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ServiceBehaviourError(`ORDER_SAGA_${String(issue.path[0]).replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}: ${issue.message}`);
  }
  return parsed.data;
}

/**
 * The order saga (orchestration): for each `orders.order.created`, charge the payment,
 * reserve the stock, book the shipment and notify the customer, one command at a time;
 * when a step fails or times out (after its retries), undo what was done in reverse —
 * release the stock, refund the payment — then cancel the order (`orders.order.cancel`,
 * with the reason). The saga alone decides a customer's cancellation (a `CancelOrder` on
 * `orders.order.cancel` that no saga issued): until shipping is asked for it compensates
 * the same way and then cancels the order (reason CUSTOMER_REQUEST); once shipping was
 * asked for (the pivot: a shipment is not undone) it ignores it (`late-cancel`) and the
 * order completes. Deciding here, not in the order service, is what keeps the two from
 * disagreeing: only the saga knows whether it has asked for the shipment. Every move is written to
 * `orders.saga.transitioned`; instances and their history are in the store
 * `order-saga-instances`.
 */
export function orderSaga(settings: OrderSagaSettings = orderSagaSettings()): TopologyBuilder {
  // Internal topics (the notifications rekeyed to orders) carry JSON; the catalogue's topics, Avro.
  const app = topology(orderAppId('order-saga'), { serdes: { key: stringSerde, value: jsonSerde() } });
  const topic = orderTopic;
  const command = <T extends Parameters<typeof orderTopic>[0]>(name: T) => ({ topic: topic(name).name, serdes: topic(name).serdes });
  const payments = readTopic(app, 'payments.payment.processed');
  const reserved = readTopic(app, 'inventory.stock.reserved');
  const reservationFailed = readTopic(app, 'inventory.stock.reservation-failed');
  const released = readTopic(app, 'inventory.stock.released');
  const shipped = readTopic(app, 'shipping.shipment.initiated');
  const shippingFailed = readTopic(app, 'shipping.shipment.failed');
  // Notifications are keyed by customer: rekeyed to the order, the saga repartitions them.
  const notified = readTopic(app, 'notifications.notification.sent').flatMap((_customer, n) => (n.orderId === null ? [] : [[n.orderId, n] as const]), { name: 'notification-order' });
  const retry = { attempts: settings.attempts, backoffMs: settings.backoffMs };
  const timeoutMs = settings.stepTimeoutMs;

  const instance = saga(app, {
    name: 'order-saga',
    start: { stream: readTopic(app, 'orders.order.created') },
    init: (order): OrderSagaData => ({ order, paymentId: null, reservationId: null }),
    steps: (step) => [
      step('payment', {
        action: {
          ...command('payments.payment.process'),
          build: ({ order }, c) => [order.orderId, { commandId: c.commandId, sagaId: order.orderId, orderId: order.orderId, customerId: order.customerId, amountMinor: order.totalMinor, currency: order.currency, issuedAt: c.timestamp } satisfies ProcessPayment],
        },
        success: { stream: payments, when: (p) => p.status === 'PROCESSED' },
        failure: { stream: payments, when: (p) => p.status === 'FAILED' },
        onSuccess: (data, p) => ({ ...data, paymentId: p.paymentId }),
        timeoutMs,
        retry,
        compensation: {
          action: {
            ...command('payments.payment.refund'),
            build: ({ order, paymentId }, c) => [
              order.orderId,
              { commandId: c.commandId, sagaId: order.orderId, orderId: order.orderId, paymentId: paymentId!, amountMinor: order.totalMinor, currency: order.currency, reason: `${c.cause!.step} ${c.cause!.kind}`, issuedAt: c.timestamp } satisfies RefundPayment,
            ],
          },
          acknowledgement: { stream: payments, when: (p) => p.status === 'REFUNDED' },
          timeoutMs,
          retry,
        },
      }),
      step('inventory', {
        action: {
          ...command('inventory.stock.reserve'),
          build: ({ order }, c) => [order.orderId, { commandId: c.commandId, sagaId: order.orderId, orderId: order.orderId, items: order.items.map(({ sku, quantity }) => ({ sku, quantity })), issuedAt: c.timestamp } satisfies ReserveInventory],
        },
        success: { stream: reserved },
        failure: { stream: reservationFailed },
        onSuccess: (data, r) => ({ ...data, reservationId: r.reservationId }),
        timeoutMs,
        retry,
        compensation: {
          action: {
            ...command('inventory.stock.release'),
            build: ({ order, reservationId }, c) => [order.orderId, { commandId: c.commandId, sagaId: order.orderId, orderId: order.orderId, reservationId: reservationId!, reason: `${c.cause!.step} ${c.cause!.kind}`, issuedAt: c.timestamp } satisfies ReleaseInventory],
          },
          acknowledgement: { stream: released },
          timeoutMs,
          retry,
        },
      }),
      step('shipping', {
        action: {
          ...command('shipping.shipment.initiate'),
          build: ({ order, reservationId }, c) => [order.orderId, { commandId: c.commandId, sagaId: order.orderId, orderId: order.orderId, reservationId: reservationId!, address: order.shippingAddress, issuedAt: c.timestamp } satisfies InitiateShipping],
        },
        success: { stream: shipped },
        failure: { stream: shippingFailed },
        timeoutMs,
        retry,
        pivot: true,
      }),
      step('notification', {
        action: {
          ...command('notifications.notification.send'),
          build: ({ order }, c) => [order.customerId, { commandId: c.commandId, customerId: order.customerId, orderId: order.orderId, groupCheckoutId: order.groupCheckoutId, kind: 'ORDER_SHIPPED', issuedAt: c.timestamp } satisfies SendNotification],
        },
        success: { stream: notified, when: (n) => n.kind === 'ORDER_SHIPPED' },
        timeoutMs,
        retry,
      }),
    ],
    // The saga's own CancelOrder (sagaId set) goes to the same topic: only a customer's is a cancel.
    cancel: { stream: readTopic(app, 'orders.order.cancel'), when: (c) => c.sagaId === '' },
    onCompensated: {
      ...command('orders.order.cancel'),
      build: ({ order }, c) => {
        const cause = c.cause!;
        const reason = cause.kind === 'cancelled' ? 'CUSTOMER_REQUEST' : cause.kind === 'timed-out' ? 'STEP_TIMED_OUT' : REASON_BY_STEP[cause.step]!;
        return [order.orderId, { commandId: c.commandId, sagaId: order.orderId, orderId: order.orderId, reason, detail: `${cause.step} ${cause.kind}`, issuedAt: c.timestamp } satisfies CancelOrder];
      },
    },
    punctuationIntervalMs: Math.min(1_000, Math.max(50, Math.floor(timeoutMs / 4))),
  });
  const transitioned = topic('orders.saga.transitioned');
  instance.transitions.mapValues((t): SagaTransitioned => t, { name: 'transition-record' }).to(transitioned.name, { serdes: transitioned.serdes });
  return app;
}

export default orderSaga();
