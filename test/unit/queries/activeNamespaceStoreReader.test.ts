import assert from 'node:assert/strict';
import { ActiveNamespaceStoreReader } from '../../../runtime/queries/activeNamespaceStoreReader.ts';
import type { StoreReader } from '../../../runtime/queries/storeReader.ts';

/** Namespaces whose rows say which namespace they came from; the active one switches when told. */
function switchingStores() {
  let active = '0';
  const readerFor = (namespace: string): StoreReader => ({
    get: async <V>(store: string, key: unknown) => `${namespace}:${store}:${String(key)}` as V,
    getWindow: async <V>(store: string, key: unknown, start: number) => `${namespace}:${store}:${String(key)}@${start}` as V,
  });
  return { reader: new ActiveNamespaceStoreReader(async () => active, readerFor), switchTo: (namespace: string) => (active = namespace) };
}

describe('the active-namespace store reader', () => {
  it('reads the namespace active at each read', async () => {
    const { reader, switchTo } = switchingStores();
    assert.equal(await reader.get('totals', 'a'), '0:totals:a');
    switchTo('1');
    assert.equal(await reader.get('totals', 'a'), '1:totals:a');
  });

  it('gives each request one namespace: a switch between two of its reads does not mix them', async () => {
    const { reader, switchTo } = switchingStores();
    const request = reader.forRequest();
    assert.equal(await request.get('totals', 'a'), '0:totals:a');
    switchTo('1');
    assert.equal(await request.getWindow('revenue', 'b', 60), '0:revenue:b@60');
    assert.equal(await reader.forRequest().get('totals', 'a'), '1:totals:a', 'the next request reads the new namespace');
  });
});
