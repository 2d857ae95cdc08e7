// The order system's HTTP API: its commands go through the outbox to the order topics, its
// queries read the projections' stores. Served by `tributary run` for the projections
// topology, whose module exports it as `api` (any worker answers any query).
import { defineApi, Mediator, RowNotFoundError, type ApiPorts, type EventPublisher, type TopicValues, type ValueAndTimestamp } from '../../index.ts';
import { cancelOrder, cancelOrderHandler, getOrder, ordersOfCustomer, placeOrder, placeOrderHandler, revenuePerDay } from './commands.ts';
import { PROJECTION_STORES, type CustomerOrders, type DailyRevenue } from './orderProjections.ts';
import { orderTopic, orderTopicPrefix, type OrderTopic } from './orderTopics.ts';
import type { OrderSummary } from './projections/orderSummary.ts';

/**
 * The order commands and queries over the API's ports:
 * - `PlaceOrder` → OrderCreated on `orders.order.created`, `CancelOrder` → CancelOrder on
 *   `orders.order.cancel` (both answered with their ids);
 * - `GetOrder` → the order's summary and timeline (404 when no such order);
 * - `OrdersOfCustomer` → the customer's order count and latest orders (404 when the customer has none);
 * - `RevenuePerDay` → orders completed and their revenue that UTC day in that currency
 *   (zero when none completed: a day without sales has revenue 0).
 */
export function orderMediator({ stores, publisher }: ApiPorts) {
  // The handlers name catalogue topics; this run's topics carry its prefix.
  const orderTopics: EventPublisher<TopicValues> = { publish: (topic, key, value) => publisher.publish(orderTopic(topic).name, key, value) };
  return new Mediator()
    .command(placeOrder, placeOrderHandler({ publisher: orderTopics }))
    .command(cancelOrder, cancelOrderHandler({ publisher: orderTopics }))
    .query(getOrder, async ({ orderId }) => found(await stores.get<ValueAndTimestamp<OrderSummary>>(PROJECTION_STORES.summaries, orderId), `order ${orderId}`))
    .query(ordersOfCustomer, async ({ customerId }) => found(await stores.get<ValueAndTimestamp<CustomerOrders>>(PROJECTION_STORES.ordersByCustomer, customerId), `orders of customer ${customerId}`))
    .query(revenuePerDay, async ({ day, currency }) => {
      // Revenue windows are UTC days aligned on the epoch: the day's window starts at its midnight UTC.
      const revenue = await stores.getWindow<ValueAndTimestamp<DailyRevenue>>(PROJECTION_STORES.revenuePerDay, currency, Date.parse(`${day}T00:00:00Z`));
      return { day, currency, ...(revenue?.value ?? { orders: 0, amountMinor: 0 }) };
    });
}

/** The order API, for `export { api } from './api.ts'` in the projections' module. */
export const api = defineApi({
  mediator: orderMediator,
  serdesOf: (topic) => orderTopic(topic.slice(orderTopicPrefix.length) as OrderTopic).serdes as never,
});

/** The value of a projection's row (its stores are DSL tables: value and timestamp). */
function found<T>(row: ValueAndTimestamp<T> | undefined, what: string): T {
  if (row === undefined) throw new RowNotFoundError(what);
  return row.value;
}
