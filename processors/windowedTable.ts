import type { OperatorFunction } from 'rxjs';
import type { SessionStore } from '../state/sessionStore.ts';
import type { WindowStore } from '../state/windowStore.ts';
import type { Named } from './options.ts';
import { suppressUntilWindowCloses } from './operators/suppressUntilWindowCloses.ts';
import type { ProcessorContext } from './processorContext.ts';
import type { ValueAndTimestamp, Windowed } from './record.ts';
import { Table, type ValueGetter } from './table.ts';
import type { TopologyBuilder } from './topologyBuilder.ts';
import type { AnyRecord } from './topologyGraph.ts';

/**
 * The result of a windowed aggregation: a table keyed by `Windowed<K>`, stored in a window
 * store (tumbling, hopping and sliding windows) or a session store (session windows).
 */
export class WindowedTable<K, V> extends Table<Windowed<K>, V> {
  constructor(
    builder: TopologyBuilder,
    node: string,
    sourceTopics: readonly string[],
    store: string,
    /**
     * How long after a window's end suppression emits it: the grace of time and sliding
     * windows (a sliding window's end is inclusive, so it still takes a record at exactly
     * end + grace, as in Kafka Streams), inactivity gap + grace for sessions.
     */
    readonly closeDelayMs: number,
    getter: (ctx: ProcessorContext) => ValueGetter<Windowed<K>, V>,
  ) {
    super(builder, node, sourceTopics, store, undefined, getter);
  }

  /** @internal Looks a window up in a window store of `{ value, timestamp }` by key and window start. */
  static windowStoreGetter<K, V>(store: string): (ctx: ProcessorContext) => ValueGetter<Windowed<K>, V> {
    return (ctx) => {
      const windows = ctx.store<WindowStore<K, ValueAndTimestamp<V>>>(store);
      return (key) => windows.fetch(key.key, key.window.start);
    };
  }

  /** @internal Looks a session up in a session store by key, start and end; its timestamp is its end (`KTableSessionWindowValueGetter`). */
  static sessionStoreGetter<K, V>(store: string): (ctx: ProcessorContext) => ValueGetter<Windowed<K>, V> {
    return (ctx) => {
      const sessions = ctx.store<SessionStore<K, V>>(store);
      return ({ key, window }) => {
        const found = sessions.findSessions(key, window.end, window.start).find(([s]) => s.start === window.start && s.end === window.end);
        return found && { value: found[1], timestamp: window.end };
      };
    };
  }

  /**
   * Emits one final result per window when the window closes, instead of every update
   * (`suppress(Suppressed.untilWindowCloses(unbounded()))`): once stream time reaches the
   * window's end plus `closeDelayMs` (see there). For session windows that is end +
   * inactivity gap + grace, as in Kafka Streams; a merged-away session's last word is its
   * tombstone, which is not forwarded. For time and sliding windows it is end + grace, as in
   * Kafka Streams (a sliding window's end is inclusive, so, as there, a record at exactly
   * end + grace still updates a window already emitted, and makes a second result).
   */
  suppressUntilWindowCloses(named: Named = {}): Table<Windowed<K>, V> {
    // No retention, as Kafka Streams' suppression buffer has none: an entry leaves when its window
    // closes and it is emitted. Expiring by the buffer's own latest time lost finals: an update
    // of a later window (a hop, a longer session) pushed that time past windows still open.
    return this.suppressed(named, (ctx, node, buffer) => suppressUntilWindowCloses(ctx, node, buffer, this.closeDelayMs) as OperatorFunction<AnyRecord, AnyRecord>);
  }
}
