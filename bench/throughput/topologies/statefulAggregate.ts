import { topology } from '../../../processors/topologyBuilder.ts';
import { workloadTopics, type CustomerTotals } from '../benchTopics.ts';

const { topics, avro } = workloadTopics();

/** Each customer's running order count and spend, kept in Redis, every update written out. */
const app = topology('bench-stateful');
app
  .stream(topics.orders, { serdes: avro.serdes(topics.orders) })
  .groupByKey()
  .aggregate<CustomerTotals>(
    () => ({ customerId: '', orders: 0, totalMinor: 0 }),
    (customerId, order, totals) => ({ customerId, orders: totals.orders + 1, totalMinor: totals.totalMinor + order.totalMinor }),
    { store: 'customer-totals' },
  )
  .toStream()
  .to(topics.totals, { serdes: avro.serdes(topics.totals) });

export default app;
