// Compile-time tests of the DSL's types: `npm test` type-checks this file first, and each
// `@ts-expect-error` fails the build if the line below it ever compiles.
import { testTopology } from '../unit/processors/stringTopology.ts';
import { TimeWindows } from '../../processors/windows/timeWindows.ts';
import { JoinWindows } from '../../processors/windows/joinWindows.ts';
import { SessionWindows } from '../../processors/windows/sessionWindows.ts';
import { SlidingWindows } from '../../processors/windows/slidingWindows.ts';
import type { WindowedTable } from '../../processors/windowedTable.ts';
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

// Joins: the joiner sees both value types and its result is the output's value type.
interface Payment {
  readonly orderId: string;
  readonly cents: number;
}
interface Customer {
  readonly name: string;
}
const within = JoinWindows.ofTimeDifferenceWithNoGrace(60_000);
const payments = t.stream<string, Payment>('payments');
const paid: Stream<string, number> = orders.join(payments, (o, p) => o.totalCents - p.cents, within);
// @ts-expect-error the joined value is a number, not a Payment
const notPaid: Stream<string, Payment> = orders.join(payments, (o, p) => o.totalCents - p.cents, within);
// A left join's other value may be missing; an outer join's either value.
orders.leftJoin(payments, (o, p) => o.totalCents - (p?.cents ?? 0), within);
// @ts-expect-error in a left join the payment may be null
orders.leftJoin(payments, (o, p) => o.totalCents - p.cents, within);
// @ts-expect-error in an outer join the order may be null too
orders.outerJoin(payments, (o, p) => o.totalCents - (p?.cents ?? 0), within);

// Joined streams and tables must have the same key type.
const paymentsByNumber = t.stream<number, Payment>('payments-by-number');
// @ts-expect-error cannot join a stream keyed by string with one keyed by number
orders.join(paymentsByNumber, (o, p) => o.totalCents - p.cents, within);
const customers = t.table<string, Customer>('customers');
const named: Stream<string, string> = orders.join(customers, (o, c) => `${o.id} for ${c.name}`);
orders.leftJoin(customers, (o, c) => `${o.id} for ${c?.name ?? 'nobody'}`);
const customersByNumber = t.table<number, Customer>('customers-by-number');
// @ts-expect-error cannot join a stream keyed by string with a table keyed by number
orders.join(customersByNumber, (o, c) => `${o.id} for ${c.name}`);
// @ts-expect-error cannot join tables with different key types
customers.join(customersByNumber, (a, b) => a.name + b.name);
const pairs: Table<string, string> = customers.outerJoin(customers, (a, b) => `${a?.name}/${b?.name}`);

// A global table is joined by a key computed from the record, of the table's key type.
const directory = t.globalTable<string, Customer>('directory');
orders.join(directory, (_k, o) => o.customer, (o, c) => `${o.id} for ${c.name}`);
// @ts-expect-error the key selector must return the global table's key type (string)
orders.join(directory, (_k, o) => o.totalCents, (o, c) => `${o.id} for ${c.name}`);

// Session windows: a session aggregate needs a merger of the aggregate type.
const sessions = orders.groupByKey().windowedBy(SessionWindows.ofInactivityGapAndGrace(300_000, 10_000));
const sessionCounts: WindowedTable<string, number> = sessions.count();
const sessionTotals: Table<Windowed<string>, number> = sessions.aggregate(
  () => 0,
  (_k, o, sum) => sum + o.totalCents,
  (_k, a, b) => a + b,
);
// @ts-expect-error a session aggregate without a merger does not compile
sessions.aggregate(() => 0, (_k, o, sum) => sum + o.totalCents);
// @ts-expect-error the merger must return the aggregate type
sessions.aggregate(() => 0, (_k, o, sum) => sum + o.totalCents, (_k, a, b) => `${a}${b}`);

// Sliding windows aggregate as time windows do, keyed by Windowed<K>.
const moving: Table<Windowed<string>, number> = orders.groupByKey().windowedBy(SlidingWindows.ofTimeDifferenceWithNoGrace(60_000)).reduce((a, b) => a, { store: 'moving' }).mapValues((o) => o.totalCents);

// Table groupBy: the selector gives the new key and value; subtractors see the same types.
const customersByName = t.table<string, Customer>('customer-names');
const perName: Table<string, number> = customersByName.groupBy((id, c) => [c.name, id.length] as const).aggregate(
  () => 0,
  (_name, n, sum) => sum + n,
  (_name, n, sum) => sum - n,
);
customersByName.groupBy((_id, c) => [c.name, c] as const).reduce(
  (a, b) => ({ name: a.name + b.name }),
  (a, b) => ({ name: a.name.replace(b.name, '') }),
);
// @ts-expect-error a table aggregate needs a subtractor
customersByName.groupBy((id, c) => [c.name, id.length] as const).aggregate(() => 0, (_name, n, sum) => sum + n);
// @ts-expect-error the grouped values are numbers, not customers
customersByName.groupBy((id, c) => [c.name, id.length] as const).reduce((a, b) => a + b, (a, b) => a.name);

export { wrong, byCustomer, byNumber, perMinute, notWindowed, paid, notPaid, named, pairs, sessionCounts, sessionTotals, moving, perName };
