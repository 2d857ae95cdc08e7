import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import fc from 'fast-check';
import { defaultPartition, murmur2 } from '../../../runtime/queries/defaultPartitioner.ts';

// kafkajs' own murmur2 (Long arithmetic, a port of the Java client), as a reference model.
const kafkajsMurmur2 = createRequire(import.meta.url)('kafkajs/src/producer/partitioners/default/murmur2.js') as (key: Buffer) => number;

describe('defaultPartitioner', () => {
  it("hashes Kafka's own test vectors (UtilsTest.testMurmur2) to Kafka's values", () => {
    const vectors: Array<[Uint8Array, number]> = [
      [Buffer.from('21'), -973932308],
      [Buffer.from('foobar'), -790332482],
      [Buffer.from('a-little-bit-long-string'), -985981536],
      [Buffer.from('a-little-bit-longer-string'), -1486304829],
      [Buffer.from('lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8'), -58897971],
      [Uint8Array.from([0x61, 0x62, 0x63]), 479470107],
    ];
    for (const [bytes, expected] of vectors) assert.equal(murmur2(bytes), expected, Buffer.from(bytes).toString());
  });

  it('agrees with the murmur2 of kafkajs on any bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => murmur2(bytes) === kafkajsMurmur2(Buffer.from(bytes))));
  });

  it('picks a partition in range, the positive hash modulo the count', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 32 }), fc.integer({ min: 1, max: 1000 }), (bytes, partitions) => {
        const partition = defaultPartition(bytes, partitions);
        return partition >= 0 && partition < partitions && partition === (kafkajsMurmur2(Buffer.from(bytes)) & 0x7fffffff) % partitions;
      }),
    );
  });
});
