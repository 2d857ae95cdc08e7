import { DecodeFailedError } from '../schemas/errors.ts';
import type { Serde } from '../schemas/serde.ts';
import type { Change } from './record.ts';
import type { Serdes } from './serdes.ts';

/** Flag bits of the first byte of a serialized change. */
const HAS_NEW = 1;
const HAS_OLD = 2;
const HEADER_BYTES = 5;

/**
 * The serdes of a repartition topic that carries table changes (`KTable#groupBy`, Kafka
 * Streams' `ChangedSerializer`): the key as the key serde writes it, the value a `Change`
 * whose present sides the value serde writes. Layout: one flag byte (1: new value present,
 * 2: old value present), the new value's length as a 32-bit big-endian integer, the new
 * value's bytes, then the old value's bytes. Only tributary reads these topics.
 */
export function changeSerdes<K, V>(serdes: Serdes<K, V>): Serdes<K, Change<V>> {
  return { key: serdes.key, value: changeSerde(serdes.value) };
}

function changeSerde<V>(inner: Serde<NonNullable<V>>): Serde<Change<V>> {
  const serde: Serde<Change<V>> = {
    async serialize(topic, change) {
      const [newBytes, oldBytes] = await Promise.all([
        change.newValue === null ? undefined : inner.serialize(topic, change.newValue as NonNullable<V>),
        change.oldValue === null ? undefined : inner.serialize(topic, change.oldValue as NonNullable<V>),
      ]);
      const header = Buffer.alloc(HEADER_BYTES);
      header.writeUInt8((newBytes ? HAS_NEW : 0) | (oldBytes ? HAS_OLD : 0), 0);
      header.writeUInt32BE(newBytes?.length ?? 0, 1);
      return Buffer.concat([header, newBytes ?? Buffer.alloc(0), oldBytes ?? Buffer.alloc(0)]);
    },
    async deserialize(topic, buffer) {
      if (buffer.length < HEADER_BYTES) throw new DecodeFailedError(undefined, `a table change needs at least ${HEADER_BYTES} bytes, got ${buffer.length}`);
      const flags = buffer.readUInt8(0);
      const newLength = buffer.readUInt32BE(1);
      if (HEADER_BYTES + newLength > buffer.length) throw new DecodeFailedError(undefined, `a table change's new value claims ${newLength} bytes, only ${buffer.length - HEADER_BYTES} follow`);
      const [newValue, oldValue] = await Promise.all([
        flags & HAS_NEW ? inner.deserialize(topic, buffer.subarray(HEADER_BYTES, HEADER_BYTES + newLength)) : null,
        flags & HAS_OLD ? inner.deserialize(topic, buffer.subarray(HEADER_BYTES + newLength)) : null,
      ]);
      return { newValue, oldValue };
    },
  };
  // A serde the runtime must bind (an Avro serde needs its registry) is bound through this one.
  const configurable = inner as { configure?: (context: unknown) => void };
  if (typeof configurable.configure === 'function') Object.assign(serde, { configure: (context: unknown) => configurable.configure!(context) });
  return serde;
}
