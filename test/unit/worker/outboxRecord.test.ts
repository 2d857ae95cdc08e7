import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeOutbox, encodeOutbox, type OutboxRecord } from '../../../runtime/worker/outboxRecord.ts';

const bytes = fc.option(fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.from(a)), { nil: null });
const record: fc.Arbitrary<OutboxRecord> = fc.record({
  topic: fc.string({ minLength: 1, maxLength: 40, unit: 'binary' }),
  partition: fc.option(fc.nat({ max: 1000 }), { nil: undefined }),
  key: bytes,
  value: bytes,
  timestamp: fc.integer({ min: 0, max: 2 ** 50 }),
  headers: fc.dictionary(fc.string({ maxLength: 20, unit: 'binary' }), fc.string({ maxLength: 80, unit: 'binary' }), { noNullPrototype: true }),
}, { noNullPrototype: true });

describe('the outbox entry of a unit', () => {
  it('gives back every record it was given, in order: topic, partition, key, value, timestamp and headers (any UTF-8, null keys and values)', () => {
    fc.assert(
      fc.property(fc.array(record, { maxLength: 30 }), (records) => {
        assert.deepEqual(decodeOutbox(encodeOutbox(records)), records);
      }),
    );
  });

  it('refuses an entry of another layout (an older worker\'s JSON record), naming it', () => {
    assert.throws(() => decodeOutbox(Buffer.from('{"t":"a"}')), (e: unknown) => (e as { code?: string }).code === 'OUTBOX_LAYOUT');
  });
});
