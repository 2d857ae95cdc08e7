import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { topology } from '../../../processors/topologyBuilder.ts';
import { loadConnectionConfig } from '../../../runtime/config.ts';
import { createLogger } from '../../../runtime/logger.ts';
import { Worker } from '../../../runtime/worker/worker.ts';
import { loadWorkerConfig } from '../../../runtime/worker/workerConfig.ts';
import { readLatestValues } from '../../support/readLatestValues.ts';
import { createRunTopics, deleteRunTopics } from '../../support/runTopics.ts';
import { jsonSerde } from '../../../schemas/jsonSerde.ts';
import { stringSerde } from '../../../schemas/stringSerde.ts';

describe('a task with two inputs', function () {
  this.timeout(120_000);
  const id = randomBytes(4).toString('hex');
  const orders = `order.${id}.orders`;
  const prices = `order.${id}.prices`;
  const priced = `order.${id}.priced`;
  const kafka = new Kafka({ brokers: loadConnectionConfig().brokers, logLevel: logLevel.NOTHING });
  let worker: Worker | undefined;

  after(async () => {
    await worker?.stop();
    await deleteRunTopics(kafka, id);
  });

  it('applies their records in timestamp order, as Kafka Streams does: a table update older than a stream record is seen by its join', async () => {
    await createRunTopics(kafka, [orders, prices, priced].map((topic) => ({ topic, numPartitions: 2 })));
    const producer = kafka.producer();
    await producer.connect();
    const keys = Array.from({ length: 200 }, (_, i) => `sku-${i}`);
    // Orders are written first but happen later (t = 2000) than the prices they need (t = 1000).
    await producer.send({ topic: orders, messages: keys.map((key) => ({ key, value: '3', timestamp: '2000' })) });
    await producer.send({ topic: prices, messages: keys.map((key, i) => ({ key, value: String(i), timestamp: '1000' })) });
    await producer.disconnect();

    const app = topology(`order-${id}`, { serdes: { key: stringSerde, value: jsonSerde() } });
    const table = app.table<string, number>(prices, { store: 'prices' });
    app
      .stream<string, number>(orders)
      .join(table, (quantity, price) => quantity * price)
      .to(priced);
    worker = await Worker.start(app.build(), loadWorkerConfig(`order-${id}`, { commitIntervalMs: 200 }), createLogger('silent'));

    const seen = await readLatestValues(kafka, priced, keys.length);
    assert.deepEqual(seen, new Map(keys.map((key, i) => [key, 3 * i] as const).sort()));
  });
});
