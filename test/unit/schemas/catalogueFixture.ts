import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type avro from 'avsc';
import type { CompatibilityLevel } from '../../../schemas/compatibilityLevel.ts';

/** One topic of a throwaway catalogue. */
export interface FixtureEntry {
  readonly topic: string;
  readonly schema: avro.Schema;
  readonly key: string;
  readonly compatibility?: CompatibilityLevel;
}

/** Writes a catalogue directory (manifest + one .avsc per entry) under the OS temp dir and returns its path. */
export function writeCatalogue(entries: readonly FixtureEntry[], name = 'catalogue'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `tributary-${name}-`));
  const manifest = {
    defaultCompatibility: 'BACKWARD',
    entries: entries.map((e, i) => {
      const file = `schema${i}.avsc`;
      fs.writeFileSync(path.join(dir, file), JSON.stringify(e.schema, null, 2));
      return { topic: e.topic, schema: file, key: e.key, ...(e.compatibility ? { compatibility: e.compatibility } : {}) };
    }),
  };
  fs.writeFileSync(path.join(dir, 'catalogue.json'), JSON.stringify(manifest, null, 2));
  return dir;
}

/** The record the evolution tests start from. */
export const shipmentV1: avro.Schema = {
  type: 'record',
  name: 'ShipmentBooked',
  namespace: 'tributary.test',
  fields: [
    { name: 'orderId', type: 'string' },
    { name: 'carrier', type: 'string' },
    { name: 'note', type: ['null', 'string'], default: null },
  ],
};

/** v2: adds a field with a default, drops the optional `note`, renames carrier → carrierName with an alias. */
export const shipmentV2 = {
  type: 'record',
  name: 'ShipmentBooked',
  namespace: 'tributary.test',
  fields: [
    { name: 'orderId', type: 'string' },
    { name: 'carrierName', type: 'string', aliases: ['carrier'] },
    { name: 'priority', type: 'int', default: 0 },
  ],
} as avro.Schema; // a cast: avsc's typings lack field aliases

/** A FULL-compatible v2: only adds a field with a default, so v1 and v2 each read the other's records. */
export const shipmentV2Full: avro.Schema = {
  type: 'record',
  name: 'ShipmentBooked',
  namespace: 'tributary.test',
  fields: [
    { name: 'orderId', type: 'string' },
    { name: 'carrier', type: 'string' },
    { name: 'note', type: ['null', 'string'], default: null },
    { name: 'priority', type: 'int', default: 0 },
  ],
};

/** An incompatible v2: a field added without a default (old records cannot fill it). */
export const shipmentBroken: avro.Schema = {
  type: 'record',
  name: 'ShipmentBooked',
  namespace: 'tributary.test',
  fields: [
    { name: 'orderId', type: 'string' },
    { name: 'carrier', type: 'string' },
    { name: 'note', type: ['null', 'string'], default: null },
    { name: 'warehouseId', type: 'string' },
  ],
};
