import assert from 'node:assert/strict';
import net, { type AddressInfo } from 'node:net';
import { AvroSerde, isDeadLetter } from '../../../schemas/avroSerde.ts';
import { loadCatalogue } from '../../../schemas/catalogue.ts';
import { registerEntry } from '../../../schemas/catalogueRegistration.ts';
import { deadLetterHeaders, DLQ_HEADERS } from '../../../schemas/deadLetterHeaders.ts';
import { DecodeFailedError, NotFramedError, RegistryUnavailableError, UnknownSchemaIdError } from '../../../schemas/errors.ts';
import { createRegistryClient } from '../../../schemas/registryClient.ts';
import { frame } from '../../../schemas/wireFormat.ts';
import { registry, runPrefix } from './registryFixture.ts';

describe('bad input against the real registry', () => {
  const catalogue = loadCatalogue(undefined, { topicPrefix: `${runPrefix}bad.` });
  const topic = `${runPrefix}bad.orders.order.created`;
  const serde = new AvroSerde({ registry, catalogue });
  let good: Buffer;

  before(async () => {
    await registerEntry(registry, catalogue.entry(topic));
    good = await serde.serialize(topic, catalogue.entry(topic).type.random());
  });

  it('reads garbage bytes as NOT_FRAMED', async () => {
    await assert.rejects(serde.deserialize(topic, Buffer.from([0x7b, 0x22, 0x6f, 0x22, 0x3a, 0x31, 0x7d])), NotFramedError);
  });

  it('reads a wrong magic byte as NOT_FRAMED', async () => {
    const wrong = Buffer.from(good);
    wrong[0] = 1;
    await assert.rejects(serde.deserialize(topic, wrong), (e: unknown) => e instanceof NotFramedError && /magic byte is 1/.test(e.message));
  });

  it('reads a schema id the registry never issued as UNKNOWN_SCHEMA_ID', async () => {
    await assert.rejects(serde.deserialize(topic, frame(2_000_000_000, good.subarray(5))), (e: unknown) => e instanceof UnknownSchemaIdError && e.schemaId === 2_000_000_000);
  });

  it('reads a truncated payload of a known schema as DECODE_FAILED', async () => {
    await assert.rejects(serde.deserialize(topic, good.subarray(0, good.length - 3)), (e: unknown) => e instanceof DecodeFailedError && e.code === 'DECODE_FAILED');
  });

  it('gives every bad record dead-letter headers carrying its code, and goes on reading the good ones', async () => {
    const inputs = [good, Buffer.from('junk'), good, frame(2_000_000_000, Buffer.alloc(3)), good.subarray(0, 8), good];
    const read: unknown[] = [];
    const dead: Record<string, string>[] = [];
    for (const [offset, bytes] of inputs.entries()) {
      try {
        read.push(await serde.deserialize(topic, bytes));
      } catch (error) {
        assert.ok(isDeadLetter(error));
        dead.push(deadLetterHeaders(error, { topic, partition: 0, offset: String(offset), timestamp: '0' }));
      }
    }
    assert.equal(read.length, 3);
    assert.deepEqual(dead.map((h) => [h[DLQ_HEADERS.originalOffset], h[DLQ_HEADERS.errorCode]]), [
      ['1', 'NOT_FRAMED'],
      ['3', 'UNKNOWN_SCHEMA_ID'],
      ['4', 'DECODE_FAILED'],
    ]);
  });

  it('reads an unreachable registry as RegistryUnavailableError, never as a bad record', async () => {
    // A port that was just free: a refused connection. (Not port 9: fetch refuses that one itself, as a "bad port".)
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise((resolve) => server.close(resolve));
    const down = new AvroSerde({ registry: createRegistryClient({ url: `http://127.0.0.1:${port}/apis/ccompat/v7`, requestTimeoutMs: 1000 }), catalogue });
    await assert.rejects(down.deserialize(topic, good), (e: unknown) => e instanceof RegistryUnavailableError && /ECONNREFUSED/.test(e.message) && !isDeadLetter(e));
  });

  it('reads a registry URL without the API prefix as unavailable, not as an unknown schema id', async () => {
    const wrongPath = new AvroSerde({ registry: createRegistryClient({ url: registry.url.replace(/\/apis\/ccompat\/v7$/, '/nope') }), catalogue });
    await assert.rejects(wrongPath.deserialize(topic, good), RegistryUnavailableError);
  });
});
