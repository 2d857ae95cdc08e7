import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { topology } from '../../../processors/topologyBuilder.ts';
import { loadConnectionConfig } from '../../../runtime/config.ts';
import { createLogger } from '../../../runtime/logger.ts';
import { GlobalTables } from '../../../runtime/worker/globalTables.ts';
import { Worker } from '../../../runtime/worker/worker.ts';
import type { KeyValueStore } from '../../../state/keyValueStore.ts';
import { loadWorkerConfig } from '../../../runtime/worker/workerConfig.ts';
import { readLatestValues } from '../../support/readLatestValues.ts';
import { createRunTopics, deleteRunTopics } from '../../support/runTopics.ts';
import { jsonSerde } from '../../../schemas/jsonSerde.ts';
import { stringSerde } from '../../../schemas/stringSerde.ts';

describe('a worker with a global table', function () {
  this.timeout(120_000);
  const id = randomBytes(4).toString('hex');
  const numbers = `global.${id}.numbers`;
  const factors = `global.${id}.factors`;
  const scaled = `global.${id}.scaled`;
  const kafka = new Kafka({ brokers: loadConnectionConfig().brokers, logLevel: logLevel.NOTHING });
  let worker: Worker | undefined;

  after(async () => {
    await worker?.stop();
    await deleteRunTopics(kafka, id);
  });

  it('reads the whole global topic before processing, so every record joins; no co-partitioning needed', async () => {
    // Three partitions joined with one: fine for a global table.
    await createRunTopics(kafka, [
      { topic: numbers, numPartitions: 3 },
      { topic: factors, numPartitions: 1 },
      { topic: scaled, numPartitions: 3 },
    ]);
    const producer = kafka.producer();
    await producer.connect();
    const keys = Array.from({ length: 30 }, (_, i) => `k${i}`);
    // Many other factors come first, so reading the global topic takes longer than joining the group.
    for (let batch = 0; batch < 40; batch++) {
      await producer.send({ topic: factors, messages: Array.from({ length: 1000 }, (_, i) => ({ key: `other-${batch}-${i}`, value: '0' })) });
    }
    await producer.send({ topic: factors, messages: keys.map((key, i) => ({ key: `f-${key}`, value: JSON.stringify(i + 1) })) });
    // The numbers are all there before the worker starts: without a bootstrap, early ones would miss their factor.
    await producer.send({ topic: numbers, messages: keys.map((key) => ({ key, value: JSON.stringify(10) })) });
    await producer.disconnect();

    const app = topology(`global-${id}`, { serdes: { key: stringSerde, value: jsonSerde() } });
    const table = app.globalTable<string, number>(factors, { store: 'factors' });
    app
      .stream<string, number>(numbers)
      .join(table, (key) => `f-${key}`, (n, factor) => n * factor)
      .to(scaled);
    worker = await Worker.start(app.build(), loadWorkerConfig(`global-${id}`, { commitIntervalMs: 200 }), createLogger('silent'));

    const seen = await readLatestValues(kafka, scaled, keys.length);
    assert.deepEqual(seen, new Map(keys.map((key, i) => [key, 10 * (i + 1)] as const).sort()));
  });

  it('bootstrap returns only when the copy holds everything the topic had', async () => {
    const app = topology(`global-boot-${id}`, { serdes: { key: stringSerde, value: jsonSerde() } });
    app.globalTable<string, number>(factors, { store: 'factors' });
    const admin = kafka.admin();
    await admin.connect();
    const tables = new GlobalTables(app.build(), kafka, admin, `global-boot-${id}`, createLogger('silent'));
    try {
      await tables.bootstrap(new AbortController().signal);
      const store = tables.stores.get('factors') as KeyValueStore<string, { value: number }>;
      assert.equal(store.all().length, 40_030);
      assert.equal(store.get('f-k29')?.value, 30);
    } finally {
      await tables.close();
      await admin.disconnect();
    }
  });
});
