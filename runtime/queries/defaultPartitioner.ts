/**
 * Kafka's murmur2 hash (`org.apache.kafka.common.utils.Utils.murmur2`): 32-bit MurmurHash2
 * with Kafka's seed, as a signed 32-bit integer, exactly as the Java client computes it.
 */
export function murmur2(data: Uint8Array): number {
  const m = 0x5bd1e995;
  const length = data.length;
  let h = (0x9747b28c ^ length) | 0;
  const length4 = length >>> 2;
  for (let i = 0; i < length4; i++) {
    const i4 = i * 4;
    let k = data[i4]! | (data[i4 + 1]! << 8) | (data[i4 + 2]! << 16) | (data[i4 + 3]! << 24);
    k = Math.imul(k, m);
    k ^= k >>> 24;
    k = Math.imul(k, m);
    h = Math.imul(h, m) ^ k;
  }
  const tail = length & ~3;
  // Falls through on purpose, as the Java switch does.
  switch (length % 4) {
    case 3:
      h ^= data[tail + 2]! << 16;
    // falls through
    case 2:
      h ^= data[tail + 1]! << 8;
    // falls through
    case 1:
      h ^= data[tail]!;
      h = Math.imul(h, m);
  }
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return h | 0;
}

/**
 * The partition Kafka's default partitioner picks for a record with these serialized key
 * bytes among `partitions` partitions: `toPositive(murmur2(key)) % partitions`, as the Java
 * producer, Kafka Streams' StreamsPartitioner and kafkajs' DefaultPartitioner do.
 */
export function defaultPartition(keyBytes: Uint8Array, partitions: number): number {
  return (murmur2(keyBytes) & 0x7fffffff) % partitions;
}
