import assert from 'node:assert/strict';
import fs from 'node:fs';
import { loadCatalogue } from '../../../schemas/catalogue.ts';
import { generatedTypesFile, renderTypes } from '../../../schemas/generateTypes.ts';

describe('generated TypeScript types', () => {
  it('are up to date with the .avsc catalogue (run `npm run schemas:generate` when this fails)', () => {
    const committed = fs.readFileSync(generatedTypesFile, 'utf8');
    assert.ok(committed === renderTypes(loadCatalogue()), 'schemas/generated/types.ts is stale: run `npm run schemas:generate` and commit it');
  });

  it('map every catalogued topic to its record type', () => {
    const text = renderTypes(loadCatalogue());
    for (const entry of loadCatalogue().entries) {
      const shortName = entry.recordName.slice(entry.recordName.lastIndexOf('.') + 1);
      assert.match(text, new RegExp(`'${entry.topic.replace(/\./g, '\\.')}': ${shortName};`));
    }
  });

  it('render enums as string unions and nullable fields as T | null', () => {
    const text = renderTypes(loadCatalogue());
    assert.match(text, /export type PaymentStatus = 'PROCESSED' \| 'FAILED' \| 'REFUNDED';/);
    assert.match(text, /readonly failureReason: null \| string;/);
  });
});
