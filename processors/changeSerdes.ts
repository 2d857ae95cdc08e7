import { DecodeFailedError } from '../schemas/errors.ts';
import { bindsThrough, NOT_CACHED, type Serde } from '../schemas/serde.ts';
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
      return joinSides(newBytes, oldBytes);
    },
    async deserialize(topic, buffer) {
      const { newBytes, oldBytes } = splitSides(buffer);
      const [newValue, oldValue] = await Promise.all([newBytes ? inner.deserialize(topic, newBytes) : null, oldBytes ? inner.deserialize(topic, oldBytes) : null]);
      return { newValue, oldValue };
    },
  };
  const { serializeSync, deserializeSync } = inner;
  if (serializeSync && deserializeSync) {
    serde.serializeSync = (topic, change) => {
      const newBytes = change.newValue === null ? undefined : serializeSync.call(inner, topic, change.newValue as NonNullable<V>);
      const oldBytes = change.oldValue === null ? undefined : serializeSync.call(inner, topic, change.oldValue as NonNullable<V>);
      return newBytes === NOT_CACHED || oldBytes === NOT_CACHED ? NOT_CACHED : joinSides(newBytes, oldBytes);
    };
    serde.deserializeSync = (topic, buffer) => {
      const { newBytes, oldBytes } = splitSides(buffer);
      const newValue = newBytes ? deserializeSync.call(inner, topic, newBytes) : null;
      const oldValue = oldBytes ? deserializeSync.call(inner, topic, oldBytes) : null;
      return newValue === NOT_CACHED || oldValue === NOT_CACHED ? NOT_CACHED : { newValue, oldValue };
    };
  }
  return bindsThrough(serde, inner as Serde<never>);
}

function joinSides(newBytes: Buffer | undefined, oldBytes: Buffer | undefined): Buffer {
  const header = Buffer.alloc(HEADER_BYTES);
  header.writeUInt8((newBytes ? HAS_NEW : 0) | (oldBytes ? HAS_OLD : 0), 0);
  header.writeUInt32BE(newBytes?.length ?? 0, 1);
  return Buffer.concat([header, newBytes ?? Buffer.alloc(0), oldBytes ?? Buffer.alloc(0)]);
}

function splitSides(buffer: Buffer): { newBytes: Buffer | undefined; oldBytes: Buffer | undefined } {
  if (buffer.length < HEADER_BYTES) throw new DecodeFailedError(undefined, `a table change needs at least ${HEADER_BYTES} bytes, got ${buffer.length}`);
  const flags = buffer.readUInt8(0);
  const newLength = buffer.readUInt32BE(1);
  if (HEADER_BYTES + newLength > buffer.length) throw new DecodeFailedError(undefined, `a table change's new value claims ${newLength} bytes, only ${buffer.length - HEADER_BYTES} follow`);
  return {
    newBytes: flags & HAS_NEW ? buffer.subarray(HEADER_BYTES, HEADER_BYTES + newLength) : undefined,
    oldBytes: flags & HAS_OLD ? buffer.subarray(HEADER_BYTES + newLength) : undefined,
  };
}
