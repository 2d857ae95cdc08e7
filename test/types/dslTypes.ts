// Compile-time tests of the DSL's types: `npm test` type-checks this file first, and each
// `@ts-expect-error` fails the build if the line below it ever compiles.
import { testTopology } from '../unit/processors/stringTopology.ts';
import { TimeWindows } from '../../processors/windows/timeWindows.ts';
import type { Stream } from '../../processors/stream.ts';
import type { Table } from '../../processors/table.ts';
import type { Windowed } from '../../processors/record.ts';

interface Order {
  readonly id: string;
  readonly customer: string;
  readonly totalCents: number;
}

const t = testTopology('types');
const orders: Stream<string, Order> = t.stream<string, Order>('orders');

// Value types flow through operators.
const totals: Stream<string, number> = orders.mapValues((o) => o.totalCents);
// @ts-expect-error a mapped value is a number, not an Order
const wrong: Stream<string, Order> = orders.mapValues((o) => o.totalCents);

// Predicates see the declared types.
// @ts-expect-error Order has no field 'amount'
orders.filter((_k, o) => o.amount > 0);

// Keys change type with selectKey and groupBy.
const byCustomer: Table<string, number> = orders.groupBy((_k, o) => o.customer).count();
// @ts-expect-error the count is keyed by customer (string), not by number
const byNumber: Table<number, number> = orders.groupBy((_k, o) => o.customer).count();

// An aggregate's type is the initializer's, and the aggregator must keep it.
orders.groupByKey().aggregate(() => 0, (_k, o, sum) => sum + o.totalCents);
// @ts-expect-error the aggregator must return the aggregate type (number)
orders.groupByKey().aggregate(() => 0, (_k, o, _sum) => o.customer);

// Windowed aggregates are keyed by Windowed<K>.
const perMinute: Table<Windowed<string>, number> = orders.groupByKey().windowedBy(TimeWindows.ofSizeWithNoGrace(60_000)).count();
// @ts-expect-error a windowed count is not keyed by the plain key
const notWindowed: Table<string, number> = orders.groupByKey().windowedBy(TimeWindows.ofSizeWithNoGrace(60_000)).count();

// merge needs the same key and value types.
// @ts-expect-error cannot merge a stream of numbers into a stream of orders
orders.merge(totals);

export { wrong, byCustomer, byNumber, perMinute, notWindowed };
