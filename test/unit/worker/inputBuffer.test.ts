import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { KafkaMessage } from 'kafkajs';
import { InputBuffer } from '../../../runtime/worker/inputBuffer.ts';

function message(offset: number, valueBytes: number): KafkaMessage {
  return { offset: String(offset), key: Buffer.from('k'), value: Buffer.alloc(valueBytes), timestamp: '0', attributes: 0, headers: {} } as KafkaMessage;
}

describe('an input buffer', () => {
  it('behaves as a queue of the records pushed, whatever is pushed and dropped, and holds bytes only for what it still has', () => {
    const step = fc.oneof(fc.record({ push: fc.integer({ min: 1, max: 3000 }), size: fc.nat({ max: 100 }) }), fc.record({ drop: fc.nat({ max: 3000 }) }));
    fc.assert(
      fc.property(fc.array(step, { maxLength: 40 }), (steps) => {
        const buffer = new InputBuffer();
        const model: Array<{ offset: number; size: number }> = [];
        let next = 0;
        for (const s of steps) {
          if ('push' in s) {
            for (let i = 0; i < s.push; i++) {
              buffer.push(message(next, s.size), next);
              model.push({ offset: next++, size: s.size });
            }
          } else {
            const n = Math.min(s.drop, model.length);
            buffer.drop(n);
            model.splice(0, n);
          }
          assert.equal(buffer.length, model.length);
          assert.equal(buffer.at(0)?.offset, model[0]?.offset);
          assert.equal(buffer.at(model.length - 1)?.offset, model.at(-1)?.offset);
          assert.equal(buffer.lastOffset, model.at(-1)?.offset ?? -1);
        }
        const empty = new InputBuffer();
        for (const m of model) empty.push(message(m.offset, m.size), m.offset);
        assert.equal(buffer.bytes, empty.bytes);
        buffer.drop(buffer.length);
        assert.equal(buffer.bytes, 0);
      }),
      { numRuns: 50 },
    );
  });

  it('counts a record\'s key and value bytes in its size', () => {
    const small = new InputBuffer();
    const large = new InputBuffer();
    small.push(message(0, 10), 0);
    large.push(message(0, 10_010), 0);
    assert.equal(large.bytes - small.bytes, 10_000);
  });
});
