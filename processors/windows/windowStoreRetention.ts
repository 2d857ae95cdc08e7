import type { Materialized } from '../options.ts';
import { TopologyError } from '../topologyError.ts';

/**
 * The retention of a windowed aggregation's store: `materialized.retentionMs` when given,
 * which may not be shorter than the windows need (Kafka Streams refuses it alike), else
 * the windows' default.
 */
export function windowStoreRetention(store: string, windows: { requiredRetentionMs(): number; retentionMs(): number }, materialized: Materialized): number {
  const asked = materialized.retentionMs;
  if (asked === undefined) return windows.retentionMs();
  const required = windows.requiredRetentionMs();
  if (!(asked >= required)) {
    throw new TopologyError(`the retention of window store '${store}' (${asked} ms) must be no smaller than its windows need (${required} ms: window size or gap, plus grace)`);
  }
  return asked;
}
