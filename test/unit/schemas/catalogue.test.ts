import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import avro from 'avsc';
import { loadCatalogue } from '../../../schemas/catalogue.ts';
import { CatalogueError } from '../../../schemas/errors.ts';
import { shipmentV1, writeCatalogue } from './catalogueFixture.ts';

describe('schema catalogue', () => {
  const catalogue = loadCatalogue();

  it('covers the order domain events, the saga commands and the group checkout events', () => {
    const records = catalogue.entries.map((e) => e.recordName.slice(e.recordName.lastIndexOf('.') + 1));
    for (const name of [
      'OrderCreated', 'OrderCancelled', 'PaymentProcessed', 'InventoryChecked', 'InventoryReserved', 'InventoryReleased',
      'ShippingInitiated', 'ShippingFailed', 'NotificationSent', 'ProcessPayment', 'ReserveInventory', 'InitiateShipping',
      'RefundPayment', 'ReleaseInventory', 'CancelOrder', 'GroupCheckoutStarted', 'GuestCheckoutCompleted', 'GuestCheckoutFailed',
      'GroupCheckoutCompleted', 'GroupCheckoutFailed', 'GroupCheckoutTimedOut',
    ]) {
      assert.ok(records.includes(name), `${name} is missing`);
    }
  });

  it('names every topic <domain>.<entity>.<event> and every subject <topic>-value', () => {
    for (const entry of catalogue.entries) {
      assert.match(entry.topic, /^[a-z-]+\.[a-z-]+\.[a-z-]+$/);
      assert.equal(entry.subject, `${entry.topic}-value`);
    }
  });

  it('documents every record and every field', () => {
    const undocumented: string[] = [];
    const walk = (schema: unknown, where: string): void => {
      if (Array.isArray(schema)) return schema.forEach((s) => walk(s, where));
      if (typeof schema !== 'object' || schema === null) return;
      const s = schema as { type?: unknown; name?: string; doc?: string; fields?: { name: string; doc?: string; type: unknown }[]; items?: unknown };
      if (s.type === 'record' || s.type === 'enum') if (!s.doc) undocumented.push(`${where}:${s.name}`);
      for (const field of s.fields ?? []) {
        if (!field.doc) undocumented.push(`${where}:${s.name}.${field.name}`);
        walk(field.type, where);
      }
      walk(s.items, where);
    };
    for (const entry of catalogue.entries) walk(entry.schema, path.basename(entry.schemaFile));
    assert.deepEqual(undocumented, []);
  });

  it('types every timestamp as timestamp-millis and every money amount as long minor units', () => {
    for (const entry of catalogue.entries) {
      const text = JSON.stringify(entry.schema);
      for (const [, name, type] of text.matchAll(/"name":"(\w+At)","type":(\{[^}]*\}|\[[^\]]*\])/g)) {
        assert.match(type!, /"logicalType":"timestamp-millis"/, `${entry.topic}: ${name}`);
      }
      for (const [, name, type] of text.matchAll(/"name":"(\w+Minor)","type":("\w+")/g)) assert.equal(type, '"long"', `${entry.topic}: ${name}`);
    }
  });

  it('accepts a random valid value of every schema (the schemas are usable, not just parseable)', () => {
    for (const entry of catalogue.entries) {
      const value: unknown = entry.type.random();
      assert.ok(entry.type.isValid(value), entry.topic);
    }
  });

  it('keys every topic by a non-null string field of its value', () => {
    for (const entry of catalogue.entries) {
      assert.ok((entry.type as avro.types.RecordType).field(entry.key).type instanceof avro.types.StringType, entry.topic);
    }
  });

  it('applies the per-subject compatibility override and BACKWARD otherwise', () => {
    assert.equal(catalogue.entry('payments.payment.process').compatibility, 'FULL');
    assert.equal(catalogue.entry('orders.order.created').compatibility, 'BACKWARD');
  });

  it('prefixes topics and subjects when asked, so test runs and tenants do not collide', () => {
    const prefixed = loadCatalogue(undefined, { topicPrefix: 'run42.' });
    assert.equal(prefixed.entry('run42.orders.order.created').subject, 'run42.orders.order.created-value');
  });

  it('rejects a key field that is not a string, naming the file and field', () => {
    const dir = writeCatalogue([{ topic: 'test.shipment.booked', schema: shipmentV1, key: 'note' }]);
    assert.throws(() => loadCatalogue(dir), (e: unknown) => e instanceof CatalogueError && /key field note/.test(e.message));
  });

  it('rejects a manifest with a badly named topic', () => {
    const dir = writeCatalogue([{ topic: 'Orders', schema: shipmentV1, key: 'orderId' }]);
    assert.throws(() => loadCatalogue(dir), /entries\.0\.topic: a topic is <domain>\.<entity>\.<event>/);
  });

  it('rejects a schema file that is not JSON, naming it', () => {
    const dir = writeCatalogue([{ topic: 'test.shipment.booked', schema: shipmentV1, key: 'orderId' }]);
    fs.writeFileSync(path.join(dir, 'schema0.avsc'), '{ nope');
    assert.throws(() => loadCatalogue(dir), /schema0\.avsc is not valid JSON/);
  });
});
