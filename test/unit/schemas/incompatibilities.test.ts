import assert from 'node:assert/strict';
import avro from 'avsc';
import { incompatibilities, readProblems } from '../../../schemas/incompatibilities.ts';
import { shipmentBroken, shipmentV1, shipmentV2, shipmentV2Full } from './catalogueFixture.ts';

const t = (schema: avro.Schema) => avro.Type.forSchema(schema);
const record = (fields: unknown[]) => t({ type: 'record', name: 'R', namespace: 'x', fields } as avro.Schema);

describe('incompatibilities', () => {
  it('names a field added without a default under BACKWARD', () => {
    const reasons = incompatibilities(t(shipmentBroken), [{ version: 1, type: t(shipmentV1) }], 'BACKWARD');
    assert.deepEqual(reasons, ['new schema cannot read data written with v1: ShipmentBooked.warehouseId: field added without a default (old records have no value for it)']);
  });

  it('finds nothing wrong with defaults, dropped optional fields and aliases under BACKWARD', () => {
    assert.deepEqual(incompatibilities(t(shipmentV2), [{ version: 1, type: t(shipmentV1) }], 'BACKWARD'), []);
  });

  it('names the renamed field under FORWARD, because old readers do not know the alias', () => {
    const reasons = incompatibilities(t(shipmentV2), [{ version: 1, type: t(shipmentV1) }], 'FORWARD');
    assert.equal(reasons.length, 1);
    assert.match(reasons[0]!, /^v1 cannot read data written with the new schema: ShipmentBooked\.carrier: field added without a default/);
  });

  it('accepts a defaulted addition in both directions under FULL', () => {
    assert.deepEqual(incompatibilities(t(shipmentV2Full), [{ version: 1, type: t(shipmentV1) }], 'FULL'), []);
  });

  it('checks only the latest version unless the rule is transitive', () => {
    const v1 = record([{ name: 'a', type: 'string' }]);
    const v2 = record([{ name: 'a', type: 'string' }, { name: 'b', type: 'int', default: 0 }]);
    const v3 = record([{ name: 'b', type: 'int', default: 0 }, { name: 'c', type: 'int' }]);
    const previous = [{ version: 1, type: v1 }, { version: 2, type: v2 }];
    assert.equal(incompatibilities(v3, previous, 'BACKWARD').length, 1);
    assert.equal(incompatibilities(v3, previous, 'BACKWARD_TRANSITIVE').length, 2);
    assert.deepEqual(incompatibilities(v3, previous, 'NONE'), []);
  });

  it('names a nested field whose type changed, with its path through arrays', () => {
    const old = record([{ name: 'items', type: { type: 'array', items: { type: 'record', name: 'Item', fields: [{ name: 'qty', type: 'string' }] } } }]);
    const next = record([{ name: 'items', type: { type: 'array', items: { type: 'record', name: 'Item', fields: [{ name: 'qty', type: 'int' }] } } }]);
    assert.deepEqual(readProblems(next, old), ['R.items[].qty: type changed from string to int']);
  });

  it('accepts a promotion the Avro spec allows (int read as long)', () => {
    assert.deepEqual(readProblems(record([{ name: 'n', type: 'long' }]), record([{ name: 'n', type: 'int' }])), []);
  });

  it('names an enum that lost symbols without a default', () => {
    const old = record([{ name: 's', type: { type: 'enum', name: 'S', symbols: ['A', 'B'] } }]);
    const next = record([{ name: 's', type: { type: 'enum', name: 'S', symbols: ['A'] } }]);
    assert.deepEqual(readProblems(next, old), ['R.s: enum symbols B removed and the enum has no default']);
  });
});
