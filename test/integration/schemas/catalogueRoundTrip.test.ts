import assert from 'node:assert/strict';
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { AvroSerde } from '../../../schemas/avroSerde.ts';
import { loadCatalogue } from '../../../schemas/catalogue.ts';
import { registerEntry } from '../../../schemas/catalogueRegistration.ts';
import { registry, registryUrl, runPrefix } from './registryFixture.ts';

describe('the catalogue against the real registry', () => {
  const catalogue = loadCatalogue(undefined, { topicPrefix: `${runPrefix}rt.` });
  const serde = new AvroSerde({ registry, catalogue });

  before(async () => {
    await Promise.all(catalogue.entries.map((entry) => registerEntry(registry, entry)));
  });

  it('registers every schema with its subject compatibility rule set', async () => {
    for (const entry of catalogue.entries) {
      assert.equal(await registry.compatibility(entry.subject), entry.compatibility, entry.subject);
      assert.deepEqual(await registry.versions(entry.subject), [1], entry.subject);
    }
  });

  it('leaves a subject unchanged when the same schema is registered again', async () => {
    const entry = catalogue.entry(`${runPrefix}rt.orders.order.created`);
    const again = await registerEntry(registry, entry);
    assert.equal(again.action, 'unchanged');
    assert.deepEqual(await registry.versions(entry.subject), [1]);
  });

  it('round-trips a generated valid record of every catalogue schema', async () => {
    for (const entry of catalogue.entries) {
      for (let i = 0; i < 5; i++) {
        const value: unknown = entry.type.random();
        const bytes = await serde.serialize(entry.topic, value);
        assert.equal(bytes.readInt32BE(1), await registry.idForSchema(entry.subject, entry.schema), entry.topic);
        const decoded = await serde.deserialize(entry.topic, bytes);
        assert.ok(entry.type.toBuffer(decoded).equals(entry.type.toBuffer(value)), `${entry.topic} round trip`);
      }
    }
  });

  it('interoperates with @kafkajs/confluent-schema-registry through the ccompat prefix in both directions', async () => {
    const library = new SchemaRegistry({ host: registryUrl });
    const entry = catalogue.entry(`${runPrefix}rt.payments.payment.processed`);
    const value = {
      eventId: 'e-1', paymentId: 'p-1', orderId: 'o-1', status: 'PROCESSED', amountMinor: 4200, currency: 'EUR', failureReason: null, processedAt: 1_700_000_000_000,
    };
    const ours = await serde.serialize(entry.topic, value);
    assert.deepEqual({ ...(await library.decode(ours)) }, value);
    const theirs = await library.encode(ours.readInt32BE(1), value);
    assert.deepEqual({ ...(await serde.deserialize(entry.topic, theirs) as object) }, value);
  });
});
