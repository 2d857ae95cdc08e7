import assert from 'node:assert/strict';
import fc from 'fast-check';
import { firstValueFrom, from, toArray } from 'rxjs';
import { responseSerdes, subscriptionSerdes } from '../../../processors/foreignKeyJoinSerdes.ts';
import { responseJoin, valueHash, type Subscription, type SubscriptionResponse } from '../../../processors/operators/foreignKeyJoin.ts';
import type { StreamRecord } from '../../../processors/record.ts';
import { topology } from '../../../processors/topologyBuilder.ts';
import { TopologyTestDriver } from '../../../runtime/topologyTestDriver.ts';
import { jsonSerde } from '../../../schemas/jsonSerde.ts';
import { stringSerde } from '../../../schemas/stringSerde.ts';
import { testTopology } from './stringTopology.ts';

const subscriptions = fc.record({
  instruction: fc.constantFrom('delete-no-propagate', 'delete-and-propagate', 'propagate-null-if-absent', 'propagate-if-present') as fc.Arbitrary<Subscription<unknown>['instruction']>,
  hash: fc.option(fc.anything().map(valueHash)),
  primaryKey: fc.string(),
  primaryPartition: fc.nat(1000),
}, { noNullPrototype: true });
const responses = fc.record({
  hash: fc.option(fc.anything().map(valueHash)),
  // JSON as it reads back (no -0); an empty string is a value, not its absence.
  foreignValue: fc.option(
    fc
      .jsonValue({ noUnicodeString: false })
      .map((v) => JSON.parse(JSON.stringify(v)) as string | number | boolean | object | null)
      .filter((v) => v !== null),
  ),
  primaryPartition: fc.nat(1000),
}, { noNullPrototype: true });

function answer(hash: string | null, foreignValue: string | null): StreamRecord<string, SubscriptionResponse<string>> {
  return { key: 'o1', value: { hash, foreignValue, primaryPartition: 0 }, timestamp: 5, headers: {}, topic: 'responses', partition: 0, offset: 0 };
}

describe('the foreign-key join', () => {
  it('writes subscriptions and answers through its topics’ serdes and reads back the same', async () => {
    const subscriptionSerde = subscriptionSerdes(stringSerde, stringSerde).value;
    const responseSerde = responseSerdes(stringSerde, jsonSerde<object | string | number | boolean>()).value;
    await fc.assert(
      fc.asyncProperty(subscriptions, responses, async (subscription, response) => {
        assert.deepEqual(await subscriptionSerde.deserialize('t', await subscriptionSerde.serialize('t', subscription)), subscription);
        assert.deepEqual(await responseSerde.deserialize('t', await responseSerde.serialize('t', response)), response);
      }),
      { numRuns: 2000 },
    );
    assert.deepEqual(await responseSerdes(stringSerde, stringSerde).value.deserialize('t', await responseSerdes(stringSerde, stringSerde).value.serialize('t', { hash: null, foreignValue: '', primaryPartition: 1 })), { hash: null, foreignValue: '', primaryPartition: 1 });
    await assert.rejects(subscriptionSerde.deserialize('t', Buffer.from([9, 0])), /version 0 header/);
  });

  it('drops an answer to a row whose value changed since it subscribed, and joins one to the row as it is', async () => {
    const rows = new Map([['o1', { value: 'o1-now', timestamp: 3 }]]);
    const joined = (await firstValueFrom(
      from([answer(valueHash('o1-before'), 'c1'), answer(valueHash('o1-now'), 'c1'), answer(valueHash('o1-now'), null)]).pipe(
        responseJoin((key: string) => rows.get(key), (order, customer) => `${order}+${customer}`, false),
        toArray(),
      ),
    )).map((r) => r.value);
    // The stale answer is gone; an answer without a foreign value deletes the result of an inner join.
    assert.deepEqual(joined, ['o1-now+c1', null]);
  });

  it('keeps a left join’s row without a foreign value, and deletes it with its row', async () => {
    const rows = new Map<string, { value: string; timestamp: number }>([['o1', { value: 'o1-now', timestamp: 3 }]]);
    const join = responseJoin((key: string) => rows.get(key), (order: string | null, customer: string | null) => `${order}+${customer}`, true);
    assert.deepEqual((await firstValueFrom(from([answer(valueHash('o1-now'), null)]).pipe(join, toArray()))).map((r) => r.value), ['o1-now+null']);
    rows.delete('o1');
    assert.deepEqual((await firstValueFrom(from([answer(null, null)]).pipe(join, toArray()))).map((r) => r.value), [null]);
  });

  it('needs no co-partitioning: its internal topics are joined with the side each answers, and the answers go back to the row’s partition', () => {
    const t = testTopology('fk');
    const orders = t.table<string, string>('orders');
    orders.join(t.table<string, string>('customers'), (v) => v.slice(0, 2), (o, c) => o + c, { name: 'enrich' });
    const built = t.build();
    assert.deepEqual(built.coPartitionGroups, [
      ['fk-enrich-subscription-registration-topic', 'customers'],
      ['fk-enrich-subscription-response-topic', 'orders'],
    ]);
    const responseSink = built.nodes.find((n) => n.name === 'enrich-subscription-response-sink');
    assert.equal(responseSink?.kind === 'sink' && responseSink.partitioner?.({ ...answer(null, null), value: { hash: null, foreignValue: null, primaryPartition: 7 } }), 7);
  });

  it('answers a row that names a foreign key before the foreign row exists once it comes, and follows the foreign row as it changes', () => {
    const t = topology('fk', { serdes: { key: stringSerde, value: stringSerde } });
    const customers = t.table<string, string>('customers');
    t.table<string, string>('orders')
      .join(customers, (v) => v.split(':')[0]!, (o, c) => `${o}|${c}`)
      .toStream()
      .to('out');
    const driver = new TopologyTestDriver(t);
    const pipe = (topic: string, key: string, value: string | null, timestamp: number) => driver.pipe(topic, { key, value, timestamp, headers: {} });
    pipe('orders', 'o1', 'c1:shoes', 1);
    pipe('orders', 'o2', 'c1:socks', 2);
    pipe('customers', 'c1', 'Ada', 3);
    pipe('customers', 'c1', 'Ada L.', 4);
    pipe('orders', 'o1', 'c2:shoes', 5);
    pipe('customers', 'c1', null, 6);
    assert.deepEqual(
      driver.outputTopic<string, string | null>('out').readRecords().map((r) => [r.key, r.value, r.timestamp]),
      [
        ['o1', 'c1:shoes|Ada', 3],
        ['o2', 'c1:socks|Ada', 3],
        ['o1', 'c1:shoes|Ada L.', 4],
        ['o2', 'c1:socks|Ada L.', 4],
        // o1 moved to a customer that does not exist: its result goes.
        ['o1', null, 5],
        ['o2', null, 6],
      ],
    );
  });

  it('keeps each row’s subscription apart, so a foreign key with many rows answers them all, in key order, and one row’s change rewrites its subscription alone', () => {
    const t = topology('fk', { serdes: { key: stringSerde, value: stringSerde } });
    const customers = t.table<string, string>('customers');
    t.table<string, string>('orders')
      .join(customers, () => 'c1', (o, c) => `${o}|${c}`, { name: 'many' })
      .toStream()
      .to('out');
    const driver = new TopologyTestDriver(t);
    const orderIds = Array.from({ length: 500 }, (_, i) => `o${i}`);
    for (const id of orderIds) driver.pipe('orders', { key: id, value: id, timestamp: 1, headers: {} });
    driver.pipe('customers', { key: 'c1', value: 'Ada', timestamp: 2, headers: {} });
    assert.deepEqual(
      driver.outputTopic<string, string>('out').readRecords().map((r) => r.key),
      [...orderIds].sort(),
    );
    const subscriptions = driver.windowStore<string, unknown[]>('many-subscription-store').fetchRange('c1', 0, 2 ** 48);
    assert.equal(subscriptions.flatMap(([, sharers]) => sharers).length, 500);
    assert.ok(subscriptions.length >= 495, 'a slot per row, but for the rare rows whose keys share a hash');
  });
});
