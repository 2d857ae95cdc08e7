import assert from 'node:assert/strict';
import { topology } from '../../../processors/topologyBuilder.ts';
import { configureSerdes, serdeContext } from '../../../runtime/worker/configureSerdes.ts';
import { avroSerdes } from '../../../schemas/avroSerde.ts';
import { loadCatalogue } from '../../../schemas/catalogue.ts';
import { SerdeConfigError } from '../../../schemas/errors.ts';
import type { TopicValues } from '../../../schemas/generated/types.ts';
import type { Serde, SerdeContext } from '../../../schemas/serde.ts';
import { stringSerde } from '../../../schemas/stringSerde.ts';
import { shipmentV1, writeCatalogue } from './catalogueFixture.ts';
import { InMemoryRegistry } from './inMemoryRegistry.ts';

const topic = 'test.shipment.booked';
const shipments = () => loadCatalogue(writeCatalogue([{ topic, schema: shipmentV1, key: 'orderId' }]));

/** A serde that counts the configure calls it gets. */
function counting(): Serde<string> & { contexts: SerdeContext[] } {
  const contexts: SerdeContext[] = [];
  return { ...stringSerde, contexts, configure: (context) => void contexts.push(context) };
}

describe('serdes configured by the runtime', () => {
  it('refuses to read or write before a registry is bound, saying the worker binds it', async () => {
    const value = avroSerdes(shipments()).forTopic(topic);
    await assert.rejects(value.serialize(topic, { orderId: 'o-1', carrier: 'DHL', note: null }), (e: unknown) => e instanceof SerdeConfigError && e.code === 'SERDE_CONFIG' && /configure/.test(e.message));
    await assert.rejects(value.deserialize(topic, Buffer.from([0, 0, 0, 0, 1, 2, 97])), SerdeConfigError);
  });

  it('binds the whole serde through any of its topic views, and round-trips once bound', async () => {
    const avro = avroSerdes(shipments(), { autoRegister: true });
    const { key, value } = avro.serdes(topic);
    assert.equal(key, stringSerde, 'keys are plain strings');
    value.configure!({ registry: new InMemoryRegistry() });
    const bytes = await avro.forTopic(topic).serialize(topic, { orderId: 'o-1', carrier: 'DHL', note: null });
    assert.deepEqual({ ...(await avro.deserialize(topic, bytes) as object) }, { orderId: 'o-1', carrier: 'DHL', note: null });
  });

  it('keeps its first registry and its caches when configured again with the same one', async () => {
    const registry = new InMemoryRegistry();
    const avro = avroSerdes(shipments(), { autoRegister: true });
    avro.configure({ registry });
    const bytes = await avro.serialize(topic, { orderId: 'o-1', carrier: 'DHL', note: null });
    await avro.deserialize(topic, bytes);
    const before = registry.calls;
    avro.configure({ registry });
    avro.configure({ registry: new InMemoryRegistry() }); // another client of the same URL: the same registry
    await avro.deserialize(topic, bytes);
    await avro.serialize(topic, { orderId: 'o-2', carrier: 'UPS', note: null });
    assert.equal(registry.calls, before, 'served from the caches');
  });

  it('refuses a second registry: ids of one registry mean nothing in another', () => {
    const avro = avroSerdes(shipments());
    avro.configure({ registry: new InMemoryRegistry() });
    assert.throws(() => avro.configure({ registry: new InMemoryRegistry('memory://another-registry') }), (e: unknown) => e instanceof SerdeConfigError && /memory:\/\/registry.*memory:\/\/another-registry/.test(e.message));
  });

  it('types each topic view from the catalogue map', () => {
    const avro = avroSerdes<TopicValues>(loadCatalogue());
    const { value } = avro.serdes('payments.payment.processed');
    // A compile-time check as much as a runtime one: the value serde reads PaymentProcessed.
    const read: Promise<TopicValues['payments.payment.processed']> = value.deserialize('payments.payment.processed', Buffer.alloc(0)).catch(() => ({}) as never);
    assert.ok(read instanceof Promise);
    assert.throws(() => avro.serdes('nope.no.topic' as keyof TopicValues), /nope\.no\.topic is not in the schema catalogue/);
  });

  it('configures every distinct serde of every source and sink once, repartition topics included', () => {
    const shared = counting();
    const input = counting();
    const output = counting();
    const app = topology('configure-test', { serdes: { key: stringSerde, value: shared } });
    app
      .stream<string, string>('in.a.b', { serdes: { key: stringSerde, value: input } })
      .selectKey((_k, v) => v)
      .groupByKey()
      .count()
      .toStream()
      .mapValues(String)
      .to('out.a.b', { serdes: { key: stringSerde, value: output } });
    app.stream<string, string>('other.a.b').to('out.c.d');
    const context: SerdeContext = { registry: new InMemoryRegistry() };
    configureSerdes(app.build(), context);
    assert.deepEqual([input.contexts, output.contexts, shared.contexts].map((c) => c.length), [1, 1, 1]);
    assert.equal(shared.contexts[0], context);
  });

  it('builds one registry client from the worker settings, credentials included', () => {
    const { registry } = serdeContext({ registryUrl: 'http://registry.example:8081/apis/ccompat/v7/', registryAuth: { username: 'u', password: 'p' } });
    assert.equal(registry.url, 'http://registry.example:8081/apis/ccompat/v7');
  });
});
