import type { OperatorFunction } from 'rxjs';
import type { WindowStore } from '../state/windowStore.ts';
import type { Named } from './options.ts';
import { suppressUntilWindowCloses } from './operators/suppressUntilWindowCloses.ts';
import type { ValueAndTimestamp, Windowed } from './record.ts';
import { Table } from './table.ts';
import type { TopologyBuilder } from './topologyBuilder.ts';
import type { AnyRecord } from './topologyGraph.ts';

/** The result of a windowed aggregation: a table keyed by `Windowed<K>`, stored in a window store. */
export class WindowedTable<K, V> extends Table<Windowed<K>, V> {
  constructor(
    builder: TopologyBuilder,
    node: string,
    sourceTopics: readonly string[],
    store: string,
    /** The grace of the windows that made this table: when their windows close. */
    readonly graceMs: number,
  ) {
    super(builder, node, sourceTopics, store, undefined, (ctx) => {
      const windows = ctx.store<WindowStore<K, ValueAndTimestamp<V>>>(store);
      return (key) => windows.fetch(key.key, key.window.start);
    });
  }

  /**
   * Emits one final result per window when the window closes, instead of every update
   * (`suppress(Suppressed.untilWindowCloses(unbounded()))`): window end + grace.
   */
  suppressUntilWindowCloses(named: Named = {}): Table<Windowed<K>, V> {
    const buffer = this.builder.nextName('KTABLE-SUPPRESS-STATE-STORE');
    this.builder.addStore({ name: buffer, kind: 'window', internal: true, retentionMs: this.graceMs + 1 });
    const node = this.builder.addProcessor(
      'KTABLE-SUPPRESS',
      [this.node],
      [buffer],
      (ctx, [input]) => input!.pipe(suppressUntilWindowCloses(ctx, node.name, buffer, this.graceMs) as OperatorFunction<AnyRecord, AnyRecord>),
      named.name,
    );
    return new Table<Windowed<K>, V>(this.builder, node.name, this.sourceTopics, undefined, undefined, this.getter, this.getterStores);
  }
}
