import assert from 'node:assert/strict';
import fc from 'fast-check';
import { NotFramedError } from '../../../schemas/errors.ts';
import { frame, unframe } from '../../../schemas/wireFormat.ts';

describe('Confluent wire format', () => {
  it('frames any payload with magic byte 0 and a big-endian schema id, and unframes it back', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.uint8Array({ maxLength: 64 }), (id, bytes) => {
        const framed = frame(id, Buffer.from(bytes));
        assert.equal(framed[0], 0);
        assert.equal(framed.readInt32BE(1), id);
        const { schemaId, payload } = unframe(framed);
        assert.equal(schemaId, id);
        assert.deepEqual([...payload], [...bytes]);
      }),
    );
  });

  it('rejects an empty value as not framed', () => {
    assert.throws(() => unframe(Buffer.alloc(0)), (e: unknown) => e instanceof NotFramedError && e.code === 'NOT_FRAMED');
  });

  it('rejects a null value (a tombstone) as not framed', () => {
    assert.throws(() => unframe(null), NotFramedError);
  });

  it('rejects a value shorter than the five-byte header', () => {
    assert.throws(() => unframe(Buffer.from([0, 0, 0, 1])), /shorter than the 5-byte/);
  });

  it('rejects any first byte other than 0, naming the byte', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 255 }), (magic) => {
        assert.throws(() => unframe(Buffer.from([magic, 0, 0, 0, 1, 2])), (e: unknown) => e instanceof NotFramedError && e.message.includes(`magic byte is ${magic}`));
      }),
    );
  });

  it('reads a plain JSON value as not framed rather than as some schema id', () => {
    assert.throws(() => unframe(Buffer.from('{"orderId":"o-1"}')), NotFramedError);
  });
});
