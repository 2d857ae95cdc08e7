import assert from 'node:assert/strict';
import { AvroSerde, isDeadLetter } from '../../../schemas/avroSerde.ts';
import { loadCatalogue } from '../../../schemas/catalogue.ts';
import {
  DecodeFailedError,
  NotFramedError,
  RegistryUnavailableError,
  SchemaNotRegisteredError,
  SerializationError,
  UnknownSchemaIdError,
} from '../../../schemas/errors.ts';
import type { TopicValues } from '../../../schemas/generated/types.ts';
import { NOT_CACHED } from '../../../schemas/serde.ts';
import { frame } from '../../../schemas/wireFormat.ts';
import { shipmentV1, shipmentV2, shipmentV2Full, writeCatalogue } from './catalogueFixture.ts';
import { InMemoryRegistry } from './inMemoryRegistry.ts';

const topic = 'test.shipment.booked';

function serdes() {
  const registry = new InMemoryRegistry();
  const v1 = new AvroSerde({ registry, catalogue: loadCatalogue(writeCatalogue([{ topic, schema: shipmentV1, key: 'orderId' }])), autoRegister: true });
  const v2 = new AvroSerde({ registry, catalogue: loadCatalogue(writeCatalogue([{ topic, schema: shipmentV2, key: 'orderId' }])), autoRegister: true });
  return { registry, v1, v2 };
}

describe('AvroSerde', () => {
  it('round-trips a catalogue event through the registry id and the wire format', async () => {
    const registry = new InMemoryRegistry();
    const serde = new AvroSerde<TopicValues>({ registry, catalogue: loadCatalogue(), autoRegister: true }).forTopic('payments.payment.processed');
    const value = {
      eventId: 'e-1', paymentId: 'p-1', orderId: 'o-1', status: 'REFUNDED', amountMinor: 1999, currency: 'EUR',
      failureReason: null, processedAt: 1_700_000_000_000,
    } as const;
    const bytes = await serde.serialize('payments.payment.processed', value);
    assert.equal(bytes[0], 0);
    assert.equal(bytes.readInt32BE(1), 1);
    assert.deepEqual({ ...(await serde.deserialize('payments.payment.processed', bytes)) }, value);
  });

  it('reads v1 records with a v2 reader: new field takes its default, dropped field is skipped, alias maps the renamed field', async () => {
    const { v1, v2 } = serdes();
    const bytes = await v1.serialize(topic, { orderId: 'o-1', carrier: 'DHL', note: 'fragile' });
    assert.deepEqual({ ...(await v2.deserialize(topic, bytes) as object) }, { orderId: 'o-1', carrierName: 'DHL', priority: 0 });
  });

  it('reads v2 records with a v1 reader when v2 only added a defaulted field: the unknown field is skipped', async () => {
    const registry = new InMemoryRegistry();
    const v1 = new AvroSerde({ registry, catalogue: loadCatalogue(writeCatalogue([{ topic, schema: shipmentV1, key: 'orderId' }])), autoRegister: true });
    const v2 = new AvroSerde({ registry, catalogue: loadCatalogue(writeCatalogue([{ topic, schema: shipmentV2Full, key: 'orderId' }])), autoRegister: true });
    const bytes = await v2.serialize(topic, { orderId: 'o-2', carrier: 'UPS', note: null, priority: 3 });
    assert.deepEqual({ ...(await v1.deserialize(topic, bytes) as object) }, { orderId: 'o-2', carrier: 'UPS', note: null });
  });

  it('fails with DECODE_FAILED naming the field when a v1 reader meets a v2 that renamed it (aliases only help readers)', async () => {
    const { v1, v2 } = serdes();
    const bytes = await v2.serialize(topic, { orderId: 'o-2', carrierName: 'UPS', priority: 3 });
    await assert.rejects(v1.deserialize(topic, bytes), (e: unknown) => e instanceof DecodeFailedError && /carrier/.test(e.message));
  });

  it('fetches each writer schema once, however many records use it', async () => {
    const { registry, v1, v2 } = serdes();
    const bytes = await v1.serialize(topic, { orderId: 'o-1', carrier: 'DHL', note: null });
    const before = registry.calls;
    for (let i = 0; i < 10; i++) await v2.deserialize(topic, bytes);
    assert.equal(registry.calls - before, 1);
  });

  it('classifies an unframed value as NOT_FRAMED, a dead letter', async () => {
    const { v1 } = serdes();
    await assert.rejects(v1.deserialize(topic, Buffer.from('hello')), (e: unknown) => e instanceof NotFramedError && isDeadLetter(e));
  });

  it('classifies a frame naming a schema id the registry lacks as UNKNOWN_SCHEMA_ID, a dead letter', async () => {
    const { v1 } = serdes();
    await assert.rejects(v1.deserialize(topic, frame(4242, Buffer.from([2, 97]))), (e: unknown) => e instanceof UnknownSchemaIdError && e.code === 'UNKNOWN_SCHEMA_ID' && isDeadLetter(e));
  });

  it('classifies a truncated payload as DECODE_FAILED, a dead letter', async () => {
    const { v1 } = serdes();
    const bytes = await v1.serialize(topic, { orderId: 'o-1', carrier: 'DHL', note: 'x' });
    await assert.rejects(v1.deserialize(topic, bytes.subarray(0, bytes.length - 2)), (e: unknown) => e instanceof DecodeFailedError && /truncated/.test(e.message) && isDeadLetter(e));
  });

  it('classifies garbage bytes after a valid header as DECODE_FAILED', async () => {
    const { v1 } = serdes();
    const bytes = await v1.serialize(topic, { orderId: 'o-1', carrier: 'DHL', note: null });
    const garbage = Buffer.concat([bytes.subarray(0, 5), Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f, 1, 2, 3])]);
    await assert.rejects(v1.deserialize(topic, garbage), (e: unknown) => e instanceof DecodeFailedError && e.code === 'DECODE_FAILED');
  });

  it('raises RegistryUnavailableError, not a dead letter, when the registry is down on a cache miss', async () => {
    const { registry, v1 } = serdes();
    const bytes = await v1.serialize(topic, { orderId: 'o-1', carrier: 'DHL', note: null });
    const fresh = new AvroSerde({ registry, catalogue: loadCatalogue(writeCatalogue([{ topic, schema: shipmentV2, key: 'orderId' }])) });
    registry.down = true;
    await assert.rejects(fresh.deserialize(topic, bytes), (e: unknown) => e instanceof RegistryUnavailableError && e.retriable && !isDeadLetter(e));
  });

  it('keeps reading cached schemas while the registry is down', async () => {
    const { registry, v1 } = serdes();
    const bytes = await v1.serialize(topic, { orderId: 'o-1', carrier: 'DHL', note: null });
    await v1.deserialize(topic, bytes);
    registry.down = true;
    assert.equal(((await v1.deserialize(topic, bytes)) as { orderId: string }).orderId, 'o-1');
  });

  it('retries with backoff through an outage when given a retry policy, and the record is read once the registry is back', async () => {
    const { registry, v1 } = serdes();
    const bytes = await v1.serialize(topic, { orderId: 'o-9', carrier: 'DHL', note: null });
    const retries: number[] = [];
    const patient = new AvroSerde({
      registry,
      catalogue: loadCatalogue(writeCatalogue([{ topic, schema: shipmentV2, key: 'orderId' }])),
      retry: { initialDelayMs: 5, maxDelayMs: 20, onRetry: (_e, attempt) => { retries.push(attempt); if (attempt === 3) registry.down = false; } },
    });
    registry.down = true;
    assert.equal(((await patient.deserialize(topic, bytes)) as { orderId: string }).orderId, 'o-9');
    assert.deepEqual(retries, [1, 2, 3]);
  });

  it('refuses to write a value that does not match the schema, naming the field', async () => {
    const { v1 } = serdes();
    await assert.rejects(v1.serialize(topic, { orderId: 'o-1', carrier: 42, note: null }), (e: unknown) => e instanceof SerializationError && e.paths.includes('carrier'));
  });

  it('refuses to write when the schema is not registered and auto-registration is off', async () => {
    const serde = new AvroSerde({ registry: new InMemoryRegistry(), catalogue: loadCatalogue(writeCatalogue([{ topic, schema: shipmentV1, key: 'orderId' }])) });
    await assert.rejects(serde.serialize(topic, { orderId: 'o-1', carrier: 'DHL', note: null }), SchemaNotRegisteredError);
  });

  it('answers without a promise once the schema id and the writer schema are cached, NOT_CACHED before, with the async path\'s bytes and values', async () => {
    const { registry, v1, v2 } = serdes();
    const value = { orderId: 'o-1', carrier: 'DHL', note: null };
    assert.equal(v1.serializeSync(topic, value), NOT_CACHED);
    const bytes = await v1.serialize(topic, value);
    assert.deepEqual(v1.serializeSync(topic, value), bytes);
    assert.equal(v2.deserializeSync(topic, bytes), NOT_CACHED);
    const resolved = await v2.deserialize(topic, bytes);
    const calls = registry.calls;
    assert.deepEqual({ ...(v2.deserializeSync(topic, bytes) as object) }, { ...(resolved as object) });
    assert.equal(registry.calls, calls);
  });

  it('fails its synchronous path with the async path\'s errors: a dead letter for bad bytes, SerializationError naming the field', async () => {
    const { v1 } = serdes();
    const bytes = await v1.serialize(topic, { orderId: 'o-1', carrier: 'DHL', note: 'x' });
    await v1.deserialize(topic, bytes);
    assert.throws(() => v1.deserializeSync(topic, Buffer.from('hello')), (e: unknown) => e instanceof NotFramedError && isDeadLetter(e));
    assert.throws(() => v1.deserializeSync(topic, bytes.subarray(0, bytes.length - 2)), (e: unknown) => e instanceof DecodeFailedError && isDeadLetter(e));
    assert.throws(() => v1.serializeSync(topic, { orderId: 'o-1', carrier: 42, note: null }), (e: unknown) => e instanceof SerializationError && e.paths.includes('carrier'));
  });

  it('refuses a topic that is not in the catalogue, naming it', async () => {
    const { v1 } = serdes();
    await assert.rejects(v1.serialize('nope.no.topic', {}), /nope\.no\.topic is not in the schema catalogue/);
  });
});
