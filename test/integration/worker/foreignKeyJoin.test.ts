import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { Kafka, logLevel } from 'kafkajs';
import { topology } from '../../../processors/topologyBuilder.ts';
import { loadConnectionConfig } from '../../../runtime/config.ts';
import { createLogger } from '../../../runtime/logger.ts';
import { Worker } from '../../../runtime/worker/worker.ts';
import { loadWorkerConfig } from '../../../runtime/worker/workerConfig.ts';
import { jsonSerde } from '../../../schemas/jsonSerde.ts';
import { stringSerde } from '../../../schemas/stringSerde.ts';
import { readUntilLatestValues } from '../../support/readLatestValues.ts';
import { createRunTopics, deleteRunTopics } from '../../support/runTopics.ts';

interface Order {
  readonly customer: string;
  readonly n: number;
}

const ORDERS = 200;
const CUSTOMERS = 30;

/**
 * Random changes to orders (each naming its customer) and customers, in one interleaving: no
 * deletions, so the join settles on the join of the final tables (a row deleted and re-inserted
 * before its deletion's answer came back keeps a stale result, in Kafka Streams as here).
 */
const changes = fc.array(
  fc.oneof(
    // Orders name ten customers more than there are: those never join.
    fc.record({ topic: fc.constant('orders' as const), key: fc.nat(ORDERS - 1), customer: fc.nat(CUSTOMERS + 9), n: fc.nat(1000) }),
    fc.record({ topic: fc.constant('customers' as const), key: fc.nat(CUSTOMERS - 1), n: fc.nat(1000) }),
  ),
  { minLength: 3000, maxLength: 3000 },
);

describe('a worker with a foreign-key table join', function () {
  this.timeout(180_000);
  const id = randomBytes(4).toString('hex');
  const orders = `fk.${id}.orders`;
  const customers = `fk.${id}.customers`;
  const enriched = `fk.${id}.enriched`;
  const kafka = new Kafka({ brokers: loadConnectionConfig().brokers, logLevel: logLevel.NOTHING });
  let worker: Worker | undefined;

  after(async () => {
    await worker?.stop();
    await deleteRunTopics(kafka, id);
  });

  it('joins every order with its customer, tables of 4 and 3 partitions, and settles on the join of the final tables as either side changes', async () => {
    await createRunTopics(kafka, [
      { topic: orders, numPartitions: 4 },
      { topic: customers, numPartitions: 3 },
      { topic: enriched, numPartitions: 4 },
    ]);

    const [plan] = fc.sample(changes, { numRuns: 1, seed: 11 });
    const finalOrders = new Map<string, Order>();
    const finalCustomers = new Map<string, number>();
    const producer = kafka.producer();
    await producer.connect();
    for (let at = 0; at < plan!.length; at += 500) {
      const messages = plan!.slice(at, at + 500).map((change) => {
        if (change.topic === 'customers') {
          finalCustomers.set(`c${change.key}`, change.n);
          return { topic: customers, key: `c${change.key}`, value: JSON.stringify(change.n) };
        }
        const order = { customer: `c${change.customer}`, n: change.n };
        finalOrders.set(`o${change.key}`, order);
        return { topic: orders, key: `o${change.key}`, value: JSON.stringify(order) };
      });
      await producer.sendBatch({ topicMessages: [orders, customers].map((topic) => ({ topic, messages: messages.filter((m) => m.topic === topic) })) });
      // The worker starts mid-way, so early changes meet it as a backlog and later ones live.
      if (at === 1000) {
        const app = topology(`fk-${id}`, { serdes: { key: stringSerde, value: jsonSerde() } });
        const customerTable = app.table<string, number>(customers);
        app
          .table<string, Order>(orders)
          .join(customerTable, (order) => order.customer, (order, customer) => `${order.n}/${customer}`)
          .toStream()
          .to(enriched);
        worker = await Worker.start(app.build(), loadWorkerConfig(`fk-${id}`, { commitIntervalMs: 100 }), createLogger('silent'));
      }
    }
    await producer.disconnect();

    const expected = new Map<string, unknown>();
    for (const [key, order] of finalOrders) {
      const customer = finalCustomers.get(order.customer);
      if (customer !== undefined) expected.set(key, `${order.n}/${customer}`);
    }
    assert.ok(expected.size > ORDERS / 2 && expected.size < finalOrders.size, 'some orders join, some name a customer that never came');
    await readUntilLatestValues(kafka, enriched, expected, 120_000);
  });
});
