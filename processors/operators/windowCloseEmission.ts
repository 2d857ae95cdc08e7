import type { ProcessorContext } from '../processorContext.ts';

/** Kafka Streams' NO_TIMESTAMP: no window close time has been emitted up to yet. */
const NONE = -1;

/**
 * Where an aggregate that emits on window close (`EmitStrategy.onWindowClose()`) stands: the
 * window close time up to which it has emitted final results, kept with the task's processor
 * times under `emitted:<store>` (as Kafka Streams keeps it in its processor metadata, by store),
 * so a partition moving to another worker emits nothing twice. Kafka Streams checks at most once
 * a second of wall-clock time; this checks at every record, so results follow stream time alone.
 */
export function windowCloseEmission(ctx: ProcessorContext, storeName: string): WindowCloseEmission {
  const emitted = ctx.processorTime(`emitted:${storeName}`);
  return {
    due: (closeTime) => emitted.current() === NONE || emitted.current() < closeTime,
    last: () => (emitted.current() === NONE ? undefined : emitted.current()),
    emittedUpTo: (closeTime) => emitted.set(closeTime),
  };
}

export interface WindowCloseEmission {
  /** Whether stream time has closed windows since the last emission (`shouldEmitFinal`). */
  due(closeTime: number): boolean;
  /** The close time emitted up to, if any. */
  last(): number | undefined;
  /** Records an emission up to `closeTime`. */
  emittedUpTo(closeTime: number): void;
}
