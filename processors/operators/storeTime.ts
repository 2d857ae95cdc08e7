import type { ObservedTime, ProcessorContext } from '../processorContext.ts';

/**
 * A window or session store's observed time as Kafka Streams' stores keep it: the largest
 * window start (window store) or session end (session store) ever put into it, whatever
 * the key. Kafka Streams' stores hide what lies at or before `observed - retention`, even
 * before deleting it, and ignore puts there; operators that must answer as Kafka Streams
 * does apply that rule with this time (`isExpired`). Kept with the task's processor times
 * under `store:<name>`, so it survives a partition moving to another worker.
 */
export function storeTime(ctx: ProcessorContext, storeName: string): StoreTime {
  const observed = ctx.processorTime(`store:${storeName}`);
  return {
    observe: (time) => observed.observe(time),
    current: () => observed.current(),
    isExpired: (time, retentionMs) => time <= observed.current() - retentionMs,
  };
}

/** A store's observed time, and whether an entry at a given time is past its retention. */
export interface StoreTime extends Omit<ObservedTime, 'set'> {
  /** Whether an entry whose time (window start, session end) is `time` is hidden and may not be written. */
  isExpired(time: number, retentionMs: number): boolean;
}
