/** Marks an entry known not to exist (deleted, or read from Redis and not there). */
export const ABSENT: unique symbol = Symbol('absent');
export type Known<E> = E | typeof ABSENT;

/**
 * What one task knows about one stored entry, in three layers, newest first:
 * `pending` (written since the last commit), `inFlight` (sent in a commit whose reply has not
 * come yet) and `committed` (what Redis holds). `undefined` in a layer means "nothing known
 * there"; a slot with no layer known is not kept.
 */
export interface Slot<M, E> {
  /** The entry's field in its Redis hash. */
  readonly id: string;
  /** What the id was made from (keyId, window start, …); the same for every layer. */
  readonly meta: M;
  committed: Known<E> | undefined;
  inFlight: Known<E> | undefined;
  pending: Known<E> | undefined;
}

/** Told when a slot starts or stops being kept, so a store can index slots its own way. */
export interface SlotIndex<M, E> {
  added(slot: Slot<M, E>): void;
  removed(slot: Slot<M, E>): void;
  /** Every slot went at once. */
  cleared(): void;
}

/** The newest known state of a slot: pending over in flight over committed. */
export function newest<M, E>(slot: Slot<M, E>): Known<E> | undefined {
  return slot.pending ?? slot.inFlight ?? slot.committed;
}

/**
 * A store's write-behind cache: reads see the newest layer, `rollback` drops the pending
 * layer, and a commit moves pending → in flight → committed (or back to pending when it
 * fails). The committed layer outlives commits: the task owns its keys, so nobody else
 * changes them in Redis while it holds its epoch.
 */
export class WriteBehindSlots<M, E> {
  private readonly slots = new Map<string, Slot<M, E>>();
  private readonly pendingSlots = new Set<Slot<M, E>>();
  // At most one commit is in flight: the task state chains commits.
  private inFlightSlots: Slot<M, E>[] = [];

  constructor(private readonly index?: SlotIndex<M, E>) {}

  /** How many entries the cache holds. */
  get size(): number {
    return this.slots.size;
  }

  /** Writes since the last commit exist. */
  get dirty(): boolean {
    return this.pendingSlots.size > 0;
  }

  /** The slot of an id, if anything is known about it. */
  get(id: string): Slot<M, E> | undefined {
    return this.slots.get(id);
  }

  /** The newest known state of an id; undefined when nothing is known. */
  read(id: string): Known<E> | undefined {
    const slot = this.slots.get(id);
    return slot && newest(slot);
  }

  /** Records a write (an entry, or ABSENT for a delete) in the pending layer. */
  write(id: string, meta: M, value: Known<E>): void {
    const slot = this.slotFor(id, meta);
    slot.pending = value;
    this.pendingSlots.add(slot);
  }

  /** Records what Redis holds for an id, unless the committed layer already knows it. */
  learn(id: string, meta: M, value: Known<E>): void {
    const slot = this.slotFor(id, meta);
    // A committed layer the cache already holds is at least as new as any read of Redis:
    // only this task writes these keys, and it records every commit here.
    if (slot.committed === undefined) slot.committed = value;
  }

  /** Drops every pending write. */
  rollback(): void {
    for (const slot of this.pendingSlots) {
      slot.pending = undefined;
      this.dropIfUnknown(slot);
    }
    this.pendingSlots.clear();
  }

  /** Moves the pending writes in flight and returns them, for one commit. */
  beginCommit(): readonly Slot<M, E>[] {
    this.inFlightSlots = [...this.pendingSlots];
    for (const slot of this.inFlightSlots) {
      slot.inFlight = slot.pending;
      slot.pending = undefined;
    }
    this.pendingSlots.clear();
    return this.inFlightSlots;
  }

  /**
   * Ends the commit `beginCommit` started. Applied: its writes become committed, and a
   * delete is forgotten when `impliedAbsent` says the store would know the absence anyway.
   * Not applied: its writes are pending again, under anything written since.
   */
  endCommit(applied: boolean, impliedAbsent: (slot: Slot<M, E>) => boolean): void {
    for (const slot of this.inFlightSlots) {
      const value = slot.inFlight;
      slot.inFlight = undefined;
      if (applied) {
        slot.committed = value;
        if (value === ABSENT && slot.pending === undefined && impliedAbsent(slot)) this.drop(slot);
      } else if (slot.pending === undefined) {
        slot.pending = value;
        this.pendingSlots.add(slot);
      }
    }
    this.inFlightSlots = [];
  }

  /** Forgets the committed layer (the cache grew too big); writes not yet committed stay. */
  forgetCommitted(): void {
    for (const slot of this.slots.values()) {
      slot.committed = undefined;
      this.dropIfUnknown(slot);
    }
  }

  /** Forgets one slot's committed layer; a write not yet committed keeps the slot. */
  forgetCommittedOf(slot: Slot<M, E>): void {
    slot.committed = undefined;
    this.dropIfUnknown(slot);
  }

  /** Forgets everything, pending writes included. */
  clear(): void {
    this.slots.clear();
    this.index?.cleared();
    this.pendingSlots.clear();
    this.inFlightSlots = [];
  }

  /** Every slot, in no particular order. */
  values(): IterableIterator<Slot<M, E>> {
    return this.slots.values();
  }

  private slotFor(id: string, meta: M): Slot<M, E> {
    let slot = this.slots.get(id);
    if (!slot) {
      slot = { id, meta, committed: undefined, inFlight: undefined, pending: undefined };
      this.slots.set(id, slot);
      this.index?.added(slot);
    }
    return slot;
  }

  private dropIfUnknown(slot: Slot<M, E>): void {
    if (slot.committed === undefined && slot.inFlight === undefined && slot.pending === undefined) this.drop(slot);
  }

  private drop(slot: Slot<M, E>): void {
    if (this.slots.get(slot.id) !== slot) return;
    this.slots.delete(slot.id);
    this.pendingSlots.delete(slot);
    this.index?.removed(slot);
  }
}
