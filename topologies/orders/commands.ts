// The order domain's commands and queries as the mediator takes them (HTTP `POST
// /commands/:type`, `GET /queries/:type`), validated against the shapes of the Avro records
// they become, and the command handlers that turn them into records on the order topics.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { defineCommand, defineQuery, type CancellationReason, type EventPublisher, type RequestHandler, type TopicValues } from '../../index.ts';

// Intl knows the currencies in use (ISO 4217), so the list is not kept by hand.
const currencies = new Set(Intl.supportedValuesOf('currency'));

/** An ISO 4217 currency code, e.g. EUR. */
export const currencySchema = z.string().refine((code) => currencies.has(code), 'must be an ISO 4217 currency code such as EUR');

/** An amount in minor units (cents): a whole number, at least 0 (Avro long). */
const minorAmountSchema = z.int('must be a whole number of minor units').min(0, 'must be at least 0');

const textSchema = z.string().min(1, 'must not be empty');

/** One order line (Avro OrderItem). */
export const orderItemSchema = z.object({
  sku: textSchema,
  name: textSchema,
  // Avro int: at most 2^31 - 1.
  quantity: z.int('must be a whole number').min(1, 'must be at least 1').max(2 ** 31 - 1, 'must be at most 2147483647'),
  unitPriceMinor: minorAmountSchema,
});

/** A postal address (Avro Address). */
export const addressSchema = z.object({
  line1: textSchema,
  line2: z.string().nullable().default(null),
  city: textSchema,
  postalCode: textSchema,
  country: z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 country code such as DE'),
});

/**
 * Places an order: becomes an OrderCreated on `orders.order.created`. The caller picks the
 * order id (a UUID), so a retried request names the same order. `totalMinor` must equal
 * the sum of quantity × unitPriceMinor over the items.
 */
export const placeOrder = defineCommand(
  'PlaceOrder',
  z
    .object({
      orderId: z.uuid('must be a UUID'),
      customerId: textSchema,
      items: z.array(orderItemSchema).min(1, 'must hold at least one item'),
      currency: currencySchema,
      totalMinor: minorAmountSchema,
      shippingAddress: addressSchema,
      groupCheckoutId: textSchema.nullable().default(null),
    })
    .superRefine((order, ctx) => {
      const sum = order.items.reduce((total, item) => total + item.quantity * item.unitPriceMinor, 0);
      if (order.totalMinor !== sum) ctx.addIssue({ code: 'custom', path: ['totalMinor'], message: `must equal the sum of quantity × unitPriceMinor over the items, ${sum}` });
    }),
);

const cancellationReasons = ['CUSTOMER_REQUEST', 'PAYMENT_FAILED', 'INVENTORY_UNAVAILABLE', 'SHIPPING_FAILED', 'STEP_TIMED_OUT', 'GROUP_CHECKOUT_FAILED'] as const;
// Fails to compile when the Avro enum gains a symbol this list lacks.
const everyReasonListed: Exclude<CancellationReason, (typeof cancellationReasons)[number]> extends never ? true : never = true;

/** Asks for an order to be cancelled: becomes a CancelOrder command record on `orders.order.cancel` (no saga: `sagaId` empty). */
export const cancelOrder = defineCommand(
  'CancelOrder',
  z.object({
    orderId: z.uuid('must be a UUID'),
    reason: z.enum(cancellationReasons).default('CUSTOMER_REQUEST'),
    detail: z.string().nullable().default(null),
  }),
);

/** One order's summary and status timeline, from the order summary projection. */
export const getOrder = defineQuery('GetOrder', z.object({ orderId: z.uuid('must be a UUID') }));

/** The orders of one customer, from the orders-per-customer projection. */
export const ordersOfCustomer = defineQuery('OrdersOfCustomer', z.object({ customerId: textSchema }));

/** Revenue of completed orders on one UTC day in one currency, from the revenue-per-day projection. */
export const revenuePerDay = defineQuery(
  'RevenuePerDay',
  z.object({
    day: z.iso.date('must be a date as YYYY-MM-DD'),
    currency: currencySchema,
  }),
);

/** What the order command handlers need: where records go, and (for tests) the clock and id source. */
export interface OrderCommandDependencies {
  readonly publisher: EventPublisher<TopicValues>;
  /** Epoch milliseconds; `Date.now` unless given. */
  readonly now?: () => number;
  /** A fresh UUID per event or command record; `crypto.randomUUID` unless given. */
  readonly newId?: () => string;
}

/** Publishes an OrderCreated for a validated PlaceOrder, keyed by the order id; resolves with the order and event ids. */
export function placeOrderHandler(dependencies: OrderCommandDependencies): RequestHandler<z.output<typeof placeOrder.schema>, { orderId: string; eventId: string }> {
  const { publisher, now = Date.now, newId = randomUUID } = dependencies;
  return async (order) => {
    const eventId = newId();
    await publisher.publish('orders.order.created', order.orderId, { eventId, ...order, createdAt: now() });
    return { orderId: order.orderId, eventId };
  };
}

/** Publishes a CancelOrder command record for a validated CancelOrder, keyed by the order id; resolves with the order and command ids. */
export function cancelOrderHandler(dependencies: OrderCommandDependencies): RequestHandler<z.output<typeof cancelOrder.schema>, { orderId: string; commandId: string }> {
  const { publisher, now = Date.now, newId = randomUUID } = dependencies;
  return async (cancel) => {
    const commandId = newId();
    await publisher.publish('orders.order.cancel', cancel.orderId, { commandId, sagaId: '', ...cancel, issuedAt: now() });
    return { orderId: cancel.orderId, commandId };
  };
}
