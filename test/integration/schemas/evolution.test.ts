import assert from 'node:assert/strict';
import { AvroSerde } from '../../../schemas/avroSerde.ts';
import { loadCatalogue } from '../../../schemas/catalogue.ts';
import { registerEntry } from '../../../schemas/catalogueRegistration.ts';
import { RegistryRequestError } from '../../../schemas/errors.ts';
import { shipmentBroken, shipmentV1, shipmentV2, shipmentV2Full, writeCatalogue } from '../../unit/schemas/catalogueFixture.ts';
import { registry, runPrefix } from './registryFixture.ts';

/** v1 and v2 catalogues of one topic, registered in order, with a serde each (as two deployed versions would have). */
async function deployed(topic: string, v2Schema: typeof shipmentV1, compatibility: 'BACKWARD' | 'FULL') {
  const v1 = loadCatalogue(writeCatalogue([{ topic, schema: shipmentV1, key: 'orderId', compatibility }]));
  const v2 = loadCatalogue(writeCatalogue([{ topic, schema: v2Schema, key: 'orderId', compatibility }]));
  await registerEntry(registry, v1.entry(topic));
  await registerEntry(registry, v2.entry(topic));
  return { v1: new AvroSerde({ registry, catalogue: v1 }), v2: new AvroSerde({ registry, catalogue: v2 }) };
}

describe('schema evolution through the real registry', () => {
  it('under BACKWARD, a v2 reader reads v1 records: added field defaulted, dropped optional field skipped, renamed field found by alias', async () => {
    const topic = `${runPrefix}evo.shipment.backward`;
    const { v1, v2 } = await deployed(topic, shipmentV2, 'BACKWARD');
    assert.deepEqual(await registry.versions(`${topic}-value`), [1, 2]);
    const bytes = await v1.serialize(topic, { orderId: 'o-1', carrier: 'DHL', note: 'fragile' });
    assert.deepEqual({ ...(await v2.deserialize(topic, bytes) as object) }, { orderId: 'o-1', carrierName: 'DHL', priority: 0 });
  });

  it('under FULL, v1 and v2 each read the records the other wrote', async () => {
    const topic = `${runPrefix}evo.shipment.full`;
    const { v1, v2 } = await deployed(topic, shipmentV2Full, 'FULL');
    const fromV1 = await v1.serialize(topic, { orderId: 'o-1', carrier: 'DHL', note: null });
    const fromV2 = await v2.serialize(topic, { orderId: 'o-2', carrier: 'UPS', note: 'x', priority: 7 });
    assert.notEqual(fromV1.readInt32BE(1), fromV2.readInt32BE(1));
    assert.deepEqual({ ...(await v2.deserialize(topic, fromV1) as object) }, { orderId: 'o-1', carrier: 'DHL', note: null, priority: 0 });
    assert.deepEqual({ ...(await v1.deserialize(topic, fromV2) as object) }, { orderId: 'o-2', carrier: 'UPS', note: 'x' });
  });

  it('refuses to register an incompatible v2 once the subject has a rule, and the registry names the field', async () => {
    const topic = `${runPrefix}evo.shipment.broken`;
    const v1 = loadCatalogue(writeCatalogue([{ topic, schema: shipmentV1, key: 'orderId' }]));
    const broken = loadCatalogue(writeCatalogue([{ topic, schema: shipmentBroken, key: 'orderId' }]));
    await registerEntry(registry, v1.entry(topic));
    await assert.rejects(
      registerEntry(registry, broken.entry(topic)),
      (e: unknown) => e instanceof RegistryRequestError && e.status === 409 && /warehouseId/.test(e.message),
    );
    assert.deepEqual(await registry.versions(`${topic}-value`), [1]);
  });

  it("reports the registry's verdict through the compatibility endpoint", async () => {
    const topic = `${runPrefix}evo.shipment.verdict`;
    const v1 = loadCatalogue(writeCatalogue([{ topic, schema: shipmentV1, key: 'orderId' }]));
    await registerEntry(registry, v1.entry(topic));
    assert.equal(await registry.isCompatible(`${topic}-value`, shipmentV2), true);
    assert.equal(await registry.isCompatible(`${topic}-value`, shipmentBroken), false);
  });
});
