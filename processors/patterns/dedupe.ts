import type { OperatorFunction } from 'rxjs';
import type { Named } from '../options.ts';
import { recordOperator } from '../operators/recordOperator.ts';
import type { StreamRecord } from '../record.ts';
import type { Serdes } from '../serdes.ts';
import { Stream } from '../stream.ts';
import { TopologyError } from '../topologyError.ts';
import type { AnyRecord } from '../topologyGraph.ts';
import type { WindowStore } from '../../state/windowStore.ts';

/** How `dedupe` names its parts. */
export interface DedupeOptions<K, V> extends Named {
  /** Serdes of the repartition topic, when the stream's keys may have changed; default the stream's, then the topology's. */
  readonly serdes?: Serdes<K, V>;
}

/**
 * The idempotent consumer: forwards a record unchanged unless a record of the same key
 * with the same id (`idOf`, e.g. the value's `eventId` or the `tributary.id` header) was
 * seen within `ttlMs` of the task's stream time, i.e. at a timestamp ≥ stream time −
 * `ttlMs` (both ends inclusive). A duplicate is dropped and counts as a sighting too, so
 * ids that keep coming keep being dropped (as in Kafka Streams' event-deduplication
 * example), and counted as a dropped record (`duplicate`). A record without an id (null
 * or undefined) is forwarded. A record older than stream time − `ttlMs` is still dropped
 * if its id was seen since, but not remembered.
 *
 * State is a window store `<name>-store` keyed by the record key, window start = sighting
 * time, value = the ids seen then, retention `ttlMs` + 1 (what the inclusive look-back reads): expiry follows stream time, and the
 * store lives with the task's state, so it survives the partition moving to another
 * worker. Ids are compared among records of one key because the runtime loads each
 * record's key before it runs (a store keyed by id would cost a reload per record); a
 * redelivered record keeps its key. To dedupe by id across keys, `selectKey` to the id
 * first: a stream whose keys may have changed is repartitioned first
 * (`<app>-<name>-repartition`), so that equal keys meet in one task.
 */
export function dedupe<K, V>(
  stream: Stream<K, V>,
  idOf: (record: StreamRecord<K, V>) => string | null | undefined,
  ttlMs: number,
  options: DedupeOptions<K, V> = {},
): Stream<K, V> {
  if (!(ttlMs > 0)) throw new TopologyError(`dedupe: ttlMs must be positive, got ${ttlMs}`);
  const builder = stream.builder;
  const name = options.name ?? builder.nextName('KSTREAM-DEDUPE');
  const input = stream.keyChanged ? stream.repartition({ name, ...(options.serdes ? { serdes: options.serdes } : {}) }) : stream;
  const store = builder.addStore({ name: `${name}-store`, kind: 'window', retentionMs: ttlMs + 1, internal: true }).name;
  const node = builder.addProcessor(
    'KSTREAM-DEDUPE',
    [input.node],
    [store],
    (ctx, [records]) => {
      const sightings = ctx.store<WindowStore<K, readonly string[]>>(store);
      const dropDuplicates = recordOperator<StreamRecord<K, V>, StreamRecord<K, V>>((record, emit) => {
        const id = idOf(record);
        if (id === null || id === undefined) return emit(record);
        // What is older than this is expired from the store, or will be at the next commit.
        const oldest = ctx.streamTime() - ttlMs;
        const seen = sightings.fetchRange(record.key, oldest, Infinity).some(([, ids]) => ids.includes(id));
        if (record.timestamp >= oldest) {
          const ids = sightings.fetch(record.key, record.timestamp) ?? [];
          if (!ids.includes(id)) sightings.put(record.key, record.timestamp, [...ids, id]);
        }
        if (seen) ctx.recordDropped(name, 'duplicate');
        else emit(record);
      });
      return records!.pipe(dropDuplicates as unknown as OperatorFunction<AnyRecord, AnyRecord>);
    },
    name,
  );
  return new Stream<K, V>(builder, node.name, input.sourceTopics, false, input.serdes);
}
