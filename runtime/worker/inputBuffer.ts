import type { KafkaMessage } from 'kafkajs';
import type { AnyRecord } from '../../processors/topologyGraph.ts';

/** A fetched record read with its source's serdes, or why it cannot be read. */
export type Decoded = { readonly record: AnyRecord } | { readonly unreadable: unknown };

/** A fetched record of one input; `decoded` once a unit is about to take it. */
export interface BufferedInput {
  readonly offset: number;
  readonly message: KafkaMessage;
  decoded?: Decoded;
}

/**
 * What a buffered record costs beside its key and value bytes: kafkajs' message object, its
 * offset and timestamp strings, the Buffer views of key and value, and our entry.
 */
const RECORD_OVERHEAD_BYTES = 256;

/** Taken entries are dropped from the array once they are this many and half of it. */
const COMPACT_AFTER = 1024;

/**
 * One input partition's fetched records not applied yet, in offset order, with their size in
 * bytes (what bounds a task's memory, whatever the records' sizes). Records stay as kafkajs
 * fetched them until a unit is about to take them: only those are decoded, so decoded
 * objects live for one unit and die young. Taking from the front copies nothing.
 */
export class InputBuffer {
  private entries: BufferedInput[] = [];
  private head = 0;
  private byteCount = 0;

  /** Records buffered. */
  get length(): number {
    return this.entries.length - this.head;
  }

  /** Approximate memory the buffered records hold. */
  get bytes(): number {
    return this.byteCount;
  }

  /** The i-th record from the front, if there is one. */
  at(i: number): BufferedInput | undefined {
    return this.entries[this.head + i];
  }

  /** The offset of the last record buffered, or -1. */
  get lastOffset(): number {
    return this.length ? this.entries[this.entries.length - 1]!.offset : -1;
  }

  /** Appends a fetched record; offsets only grow. */
  push(message: KafkaMessage, offset: number): void {
    this.entries.push({ offset, message });
    this.byteCount += sizeOf(message);
  }

  /** Removes the first `n` records. */
  drop(n: number): void {
    for (let i = this.head; i < this.head + n; i++) this.byteCount -= sizeOf(this.entries[i]!.message);
    this.head += n;
    if (this.head === this.entries.length) {
      this.entries = [];
      this.head = 0;
    } else if (this.head >= COMPACT_AFTER && this.head * 2 >= this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
  }
}

function sizeOf(message: KafkaMessage): number {
  return (message.key?.length ?? 0) + (message.value?.length ?? 0) + RECORD_OVERHEAD_BYTES;
}
