import { DecodeFailedError } from '../schemas/errors.ts';
import { bindsThrough, type Serde } from '../schemas/serde.ts';
import type { Subscription, SubscriptionInstruction, SubscriptionResponse } from './operators/foreignKeyJoin.ts';
import type { Serdes } from './serdes.ts';

const INSTRUCTIONS: readonly SubscriptionInstruction[] = ['delete-no-propagate', 'delete-and-propagate', 'propagate-null-if-absent', 'propagate-if-present'];
const HASH_BYTES = 16;
/** Version, instruction, hash presence, the hash, the partition (int32). */
const SUBSCRIPTION_HEADER = 3 + HASH_BYTES + 4;
/** Version, hash presence, the hash, the partition (int32), foreign value presence. */
const RESPONSE_HEADER = 2 + HASH_BYTES + 4 + 1;
const VERSION = 0;

/**
 * The serdes of a foreign-key join's subscription topic: keyed by the foreign key (the
 * foreign table's key serde), the value a subscription whose row key the row table's key
 * serde writes after a fixed header. Only tributary reads these topics.
 */
export function subscriptionSerdes<K, KF>(foreignKey: Serde<NonNullable<KF>>, primaryKey: Serde<NonNullable<K>>): Serdes<KF, Subscription<K>> {
  return {
    key: foreignKey,
    value: framed<Subscription<K>, NonNullable<K>>(primaryKey, SUBSCRIPTION_HEADER, {
      split: (s) => ({
        header: header(SUBSCRIPTION_HEADER, (b) => {
          b.writeUInt8(INSTRUCTIONS.indexOf(s.instruction), 1);
          writeHashAndPartition(b, 2, s.hash, s.primaryPartition);
        }),
        inner: s.primaryKey as NonNullable<K>,
      }),
      hasInner: () => true,
      join: (b, primaryKey) => {
        const instruction = INSTRUCTIONS[b.readUInt8(1)];
        if (instruction === undefined || primaryKey === undefined) throw new DecodeFailedError(undefined, 'a foreign-key subscription needs a known instruction and a row key');
        return { instruction, primaryKey, ...readHashAndPartition(b, 2) };
      },
    }),
  };
}

/**
 * The serdes of a foreign-key join's response topic: keyed by the row's key, the value an
 * answer whose foreign value (if any) the foreign table's value serde writes after a fixed header.
 */
export function responseSerdes<K, VF>(primaryKey: Serde<NonNullable<K>>, foreignValue: Serde<NonNullable<VF>>): Serdes<K, SubscriptionResponse<VF>> {
  return {
    key: primaryKey,
    value: framed<SubscriptionResponse<VF>, NonNullable<VF>>(foreignValue, RESPONSE_HEADER, {
      split: (r) => ({
        header: header(RESPONSE_HEADER, (b) => {
          writeHashAndPartition(b, 1, r.hash, r.primaryPartition);
          b.writeUInt8(r.foreignValue === null ? 0 : 1, RESPONSE_HEADER - 1);
        }),
        inner: r.foreignValue === null ? undefined : (r.foreignValue as NonNullable<VF>),
      }),
      hasInner: (b) => b.readUInt8(RESPONSE_HEADER - 1) === 1,
      join: (b, foreignValue) => ({ ...readHashAndPartition(b, 1), foreignValue: foreignValue ?? null }),
    }),
  };
}

function header(length: number, write: (b: Buffer) => void): Buffer {
  const b = Buffer.alloc(length);
  b.writeUInt8(VERSION, 0);
  write(b);
  return b;
}

function writeHashAndPartition(b: Buffer, at: number, hash: string | null, partition: number): void {
  b.writeUInt8(hash === null ? 0 : 1, at);
  if (hash !== null) Buffer.from(hash, 'hex').copy(b, at + 1);
  b.writeInt32BE(partition, at + 1 + HASH_BYTES);
}

function readHashAndPartition(b: Buffer, at: number): { hash: string | null; primaryPartition: number } {
  return { hash: b.readUInt8(at) ? b.subarray(at + 1, at + 1 + HASH_BYTES).toString('hex') : null, primaryPartition: b.readInt32BE(at + 1 + HASH_BYTES) };
}

/**
 * A value written as a fixed header and then, if present, one inner value by its own serde.
 * Only the asynchronous path: these topics carry a join's bookkeeping, not its results.
 */
function framed<T, I>(
  inner: Serde<I>,
  headerBytes: number,
  layout: { split(value: T): { header: Buffer; inner: I | undefined }; hasInner(header: Buffer): boolean; join(header: Buffer, inner: I | undefined): T },
): Serde<T> {
  const serde: Serde<T> = {
    async serialize(topic, value) {
      const { header, inner: part } = layout.split(value);
      return part === undefined ? header : Buffer.concat([header, await inner.serialize(topic, part)]);
    },
    async deserialize(topic, buffer) {
      if (buffer.length < headerBytes || buffer.readUInt8(0) !== VERSION) throw new DecodeFailedError(undefined, `a foreign-key join record needs a version ${VERSION} header of ${headerBytes} bytes`);
      const head = buffer.subarray(0, headerBytes);
      return layout.join(head, layout.hasInner(head) ? await inner.deserialize(topic, buffer.subarray(headerBytes)) : undefined);
    },
  };
  return bindsThrough(serde, inner as Serde<never>);
}
