import { topology } from '../../../processors/topologyBuilder.ts';
import { workloadTopics, type OrderSummary } from '../benchTopics.ts';

const { topics, avro } = workloadTopics();

/** Orders of 200.00 or more, reduced to a summary: filter and map, no state. About half the orders pass. */
const app = topology('bench-stateless');
app
  .stream(topics.orders, { serdes: avro.serdes(topics.orders) })
  .filter((_customer, order) => order.totalMinor >= 20_000)
  .mapValues(
    (order): OrderSummary => ({
      orderId: order.orderId,
      customerId: order.customerId,
      itemCount: order.items.reduce((n, item) => n + item.quantity, 0),
      totalMinor: order.totalMinor,
      currency: order.currency,
    }),
  )
  .to(topics.summarized, { serdes: avro.serdes(topics.summarized) });

export default app;
