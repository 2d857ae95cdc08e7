import { topology } from '../../../processors/topologyBuilder.ts';
import { TimeWindows } from '../../../processors/windows/timeWindows.ts';
import { workloadTopics, type CustomerWindowTotals } from '../benchTopics.ts';

const { topics, avro } = workloadTopics();

/** Tumbling window of the join workload (event time). */
export const WINDOW_MS = 60_000;
export const GRACE_MS = 10_000;

/**
 * Each order joined with its customer's profile (a table, co-partitioned by customer), then
 * each customer's orders and spend per one-minute tumbling window; every window update is
 * written out, keyed by customer, with the window's start in the value.
 */
const app = topology('bench-join-windowed');
const customers = app.table(topics.customers, { serdes: avro.serdes(topics.customers), store: 'customers' });
app
  .stream(topics.orders, { serdes: avro.serdes(topics.orders) })
  .join(customers, (order, customer) => ({ region: customer.region, totalMinor: order.totalMinor }))
  .groupByKey()
  .windowedBy(TimeWindows.ofSizeAndGrace(WINDOW_MS, GRACE_MS))
  .aggregate<Omit<CustomerWindowTotals, 'customerId' | 'windowStart'>>(
    () => ({ region: '', orders: 0, totalMinor: 0 }),
    (_customer, order, totals) => ({ region: order.region, orders: totals.orders + 1, totalMinor: totals.totalMinor + order.totalMinor }),
    { store: 'customer-window-totals' },
  )
  .toStream()
  // A stream aggregation never forwards a deletion: totals is never null here.
  .map((windowed, totals): readonly [string, CustomerWindowTotals] => [windowed.key, { customerId: windowed.key, windowStart: windowed.window.start, ...totals! }])
  .to(topics.windowTotals, { serdes: avro.serdes(topics.windowTotals) });

export default app;
