import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type avro from 'avsc';
import { RegistryRequestError, RegistryUnavailableError, UnknownSchemaIdError } from '../../../schemas/errors.ts';
import { createRegistryClient } from '../../../schemas/registryClient.ts';

/** A stand-in registry answering every request with one canned status and body. */
async function stub(status: number, body: unknown): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/apis/ccompat/v7`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe('registry client error classification', () => {
  it('reads 404 with error code 40403 as an unknown schema id', async () => {
    const registry = await stub(404, { error_code: 40403, message: "No content with ID '7' was found." });
    try {
      await assert.rejects(createRegistryClient({ url: registry.url }).schemaById(7), (e: unknown) => e instanceof UnknownSchemaIdError && e.schemaId === 7);
    } finally {
      await registry.close();
    }
  });

  it('reads a 404 without a registry error code as a wrong URL, retriable, not as an unknown id', async () => {
    const registry = await stub(404, '<html>Not Found</html>');
    try {
      await assert.rejects(createRegistryClient({ url: registry.url }).schemaById(7), (e: unknown) => e instanceof RegistryUnavailableError && /registry URL/.test(e.message));
    } finally {
      await registry.close();
    }
  });

  it('reads a 5xx as unavailable', async () => {
    const registry = await stub(503, { message: 'starting' });
    try {
      await assert.rejects(createRegistryClient({ url: registry.url }).schemaById(7), RegistryUnavailableError);
    } finally {
      await registry.close();
    }
  });

  it('reads a refused connection as unavailable, for reads and for registration through the library', async () => {
    const registry = await stub(200, {});
    const url = registry.url;
    await registry.close(); // the port is now closed
    const client = createRegistryClient({ url });
    await assert.rejects(client.schemaById(1), (e: unknown) => e instanceof RegistryUnavailableError && /ECONNREFUSED/.test(e.message));
    const schema: avro.Schema = { type: 'record', name: 'R', fields: [{ name: 'a', type: 'string' }] };
    await assert.rejects(client.register('s-value', schema, 'BACKWARD'), RegistryUnavailableError);
  });

  it('reads a timeout as unavailable', async () => {
    const server = http.createServer(() => {
      /* never answers */
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const client = createRegistryClient({ url: `http://127.0.0.1:${port}`, requestTimeoutMs: 100 });
      await assert.rejects(client.schemaById(1), (e: unknown) => e instanceof RegistryUnavailableError && /timed out/.test(e.message));
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('reads any other refusal as a request error carrying the registry error code', async () => {
    const registry = await stub(422, { error_code: 42201, message: 'Invalid schema' });
    try {
      await assert.rejects(
        createRegistryClient({ url: registry.url }).setCompatibility('s-value', 'BACKWARD'),
        (e: unknown) => e instanceof RegistryRequestError && e.status === 422 && e.errorCode === 42201,
      );
    } finally {
      await registry.close();
    }
  });
});

describe('registry client credentials', () => {
  it('sends basic auth on reads and on registration through the library', async () => {
    const seen: Array<string | undefined> = [];
    const server = http.createServer((req, res) => {
      seen.push(req.headers.authorization);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(req.url?.includes('/versions') ? { id: 3 } : req.url?.startsWith('/config') ? { compatibilityLevel: 'BACKWARD' } : { schema: '"string"' }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const client = createRegistryClient({ url: `http://127.0.0.1:${port}`, auth: { username: 'key', password: 's3cret' } });
      await client.schemaById(1);
      await client.register('s-value', { type: 'record', name: 'R', fields: [] }, 'BACKWARD');
      const expected = `Basic ${Buffer.from('key:s3cret').toString('base64')}`;
      assert.ok(seen.length >= 2);
      assert.deepEqual(new Set(seen), new Set([expected]));
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
