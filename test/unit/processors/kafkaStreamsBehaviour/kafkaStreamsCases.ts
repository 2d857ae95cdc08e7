import { readFileSync } from 'node:fs';
import type { Windowed } from '../../../../processors/record.ts';
import type { Table } from '../../../../processors/table.ts';
import type { TopologyBuilder } from '../../../../processors/topologyBuilder.ts';
import type { WindowedTable } from '../../../../processors/windowedTable.ts';
import { EmitStrategy } from '../../../../processors/emitStrategy.ts';
import { JoinWindows } from '../../../../processors/windows/joinWindows.ts';
import { SessionWindows } from '../../../../processors/windows/sessionWindows.ts';
import { SlidingWindows } from '../../../../processors/windows/slidingWindows.ts';
import { TimeWindows } from '../../../../processors/windows/timeWindows.ts';
import { testTopology } from '../stringTopology.ts';

/** One case of cases.txt: a topology and its parameters, the inputs, and what Kafka Streams output. */
export interface Case {
  readonly kind: string;
  readonly params: Readonly<Record<string, number>>;
  readonly line: string;
  readonly inputs: Array<{ topic: string; key: string | null; value: string | null; timestamp: number }>;
  readonly outputs: Map<string, string[]>;
}

/** The cases KafkaStreamsBehaviour.java ran through Kafka Streams' TopologyTestDriver, in file order. */
export function readCases(): Case[] {
  const cases: Case[] = [];
  let current: Case | undefined;
  for (const line of readFileSync(new URL('cases.txt', import.meta.url), 'utf8').split('\n')) {
    const [word, ...rest] = line.split(' ');
    if (word === 'case') {
      const params = Object.fromEntries(rest.slice(1).map((p) => p.split('=')).map(([k, v]) => [k!, Number(v)]));
      current = { kind: rest[0]!, params, line, inputs: [], outputs: new Map() };
    } else if (word === 'in') {
      const [topic, key, value, timestamp] = rest;
      current!.inputs.push({ topic: topic!, key: key === 'null' ? null : key!, value: value === 'null' ? null : value!, timestamp: Number(timestamp) });
    } else if (word === 'out') {
      const [topic, ...record] = rest;
      current!.outputs.set(topic!, [...(current!.outputs.get(topic!) ?? []), record.join(' ')]);
    } else if (word === 'end') {
      cases.push(current!);
    }
  }
  return cases;
}

const pair = (left: string | null, right: string | null) => `${left ?? '-'}+${right ?? '-'}`;

/** A topology of KafkaStreamsBehaviour.java in tributary's DSL: what it outputs, and how it is built from a case's parameters. */
export interface KafkaStreamsTopology {
  readonly outputs: readonly string[];
  /**
   * Whether its outputs depend on how the records of internal topics interleave with the inputs,
   * as a foreign-key join's do: an answer that comes back after its row changed again is
   * dropped, in Kafka Streams as here. Such a topology matches the test driver's outputs only
   * when each input is processed with everything it causes before the next.
   */
  readonly recordByRecord?: boolean;
  readonly build: (p: Readonly<Record<string, number>>) => TopologyBuilder;
}

/** The topologies of KafkaStreamsBehaviour.java, in tributary's DSL, by case kind. */
export const KAFKA_STREAMS_TOPOLOGIES: Record<string, KafkaStreamsTopology> = {
  hopping: {
    outputs: ['updates', 'finals'],
    build: ({ size, advance, grace, retention }) =>
      windowedCounts((t) => t.stream<string, string>('in').groupByKey().windowedBy(TimeWindows.ofSizeAndGrace(size!, grace!).advanceBy(advance!)).count({ retentionMs: retention! })),
  },
  session: {
    outputs: ['updates', 'finals'],
    build: ({ gap, grace }) => windowedCounts((t) => t.stream<string, string>('in').groupByKey().windowedBy(SessionWindows.ofInactivityGapAndGrace(gap!, grace!)).count()),
  },
  sliding: {
    outputs: ['updates', 'finals'],
    build: ({ difference, grace }) => windowedCounts((t) => t.stream<string, string>('in').groupByKey().windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(difference!, grace!)).count()),
  },
  tables: {
    outputs: ['inner', 'left-joined', 'outer', 'filtered', 'mapped', 'right-filtered'],
    build: () => {
      const t = testTopology();
      const left = t.table<string, string>('left');
      const right = t.table<string, string>('right');
      right.filter((_k, v) => v.length === 2).toStream().to('right-filtered');
      left.join(right, pair).toStream().to('inner');
      left.leftJoin(right, pair).toStream().to('left-joined');
      left.outerJoin(right, pair).toStream().to('outer');
      left.filter((_k, v) => v.length === 2).toStream().to('filtered');
      right.mapValues((v) => `${v}!`).toStream().to('mapped');
      return t;
    },
  },
  regroup: {
    outputs: ['counts', 'sums'],
    build: () => {
      const t = testTopology();
      const byLength = t.table<string, string>('in').groupBy((_k, v) => [String(v.length), v], { name: 'by-length' });
      byLength.count().toStream().to('counts');
      byLength
        .aggregate(
          () => 0,
          (_k, v, sum) => sum + Number(v.slice(1)),
          (_k, v, sum) => sum - Number(v.slice(1)),
        )
        .toStream()
        .to('sums');
      return t;
    },
  },
  'key-value': {
    outputs: ['counts', 'longest', 'joined'],
    build: () => {
      const t = testTopology();
      const stream = t.stream<string, string>('in');
      const table = t.table<string, string>('table');
      stream.groupByKey().count().toStream().to('counts');
      stream.groupByKey().reduce((a, v) => (v.length >= a.length ? v : a)).toStream().to('longest');
      stream.leftJoin(table, pair).to('joined');
      return t;
    },
  },
  'session-aggregate': {
    outputs: ['merged', 'merged-finals'],
    build: ({ gap, grace }) => {
      const t = testTopology();
      const merged = t
        .stream<string, string>('in')
        .groupByKey()
        .windowedBy(SessionWindows.ofInactivityGapAndGrace(gap!, grace!))
        .aggregate(
          () => '',
          (_k, v, agg) => `${agg}+${v}`,
          (_k, a1, a2) => `(${a1}|${a2})`,
        );
      windowedTo(merged, 'merged');
      windowedTo(merged.suppressUntilWindowCloses(), 'merged-finals');
      return t;
    },
  },
  'hopping-fold': {
    outputs: ['reduced', 'aggregated'],
    build: ({ size, advance, grace }) => {
      const t = testTopology();
      const windowed = t.stream<string, string>('in').groupByKey().windowedBy(TimeWindows.ofSizeAndGrace(size!, grace!).advanceBy(advance!));
      windowedTo(windowed.reduce((a, v) => `${a}+${v}`, { retentionMs: size! + grace! }), 'reduced');
      windowedTo(windowed.aggregate(() => '[', (_k, v, agg) => agg + v, { retentionMs: size! + grace! }), 'aggregated');
      return t;
    },
  },
  'to-table': {
    outputs: ['table', 'filtered', 'counts'],
    build: () => {
      const t = testTopology();
      const table = t.stream<string, string>('in').toTable();
      table.toStream().to('table');
      table.filter((_k, v) => v.length === 2).toStream().to('filtered');
      table
        .groupBy((_k, v) => [v.slice(0, 1), v], { name: 'by-first' })
        .count()
        .toStream()
        .to('counts');
      return t;
    },
  },
  nulls: {
    outputs: ['counts', 'joined', 'inner', 'mapped'],
    build: () => {
      const t = testTopology();
      const stream = t.stream<string | null, string | null>('in');
      const table = t.table<string, string>('table');
      stream.groupByKey().count().toStream().to('counts');
      stream.leftJoin(table as Table<string | null, string>, pair).to('joined');
      stream.join(table as Table<string | null, string>, pair).to('inner');
      stream.mapValues((v) => (v === null ? 'nothing' : `${v}!`)).to('mapped');
      return t;
    },
  },
  derived: {
    outputs: ['joined-derived', 'rekeyed-counts', 'self'],
    build: ({ difference }) => {
      const t = testTopology();
      const stream = t.stream<string, string>('in');
      const derived = t
        .table<string, string>('table')
        .filter((_k, v) => v.length === 2)
        .mapValues((v) => `${v}?`);
      stream.join(derived, pair).to('joined-derived');
      stream
        .selectKey((_k, v) => v.slice(-1))
        .groupByKey({ name: 'by-last-digit' })
        .count()
        .toStream()
        .to('rekeyed-counts');
      stream.join(stream, pair, JoinWindows.ofTimeDifferenceWithNoGrace(difference!), { name: 'self' }).to('self');
      return t;
    },
  },
  assorted: {
    outputs: ['global-joined', 'global-left', 'flat-counts', 'sliding-reduced', 'agg-joined'],
    build: () => {
      const t = testTopology();
      const stream = t.stream<string, string>('in');
      const table = t.table<string, string>('table');
      const global = t.globalTable<string, string>('g');
      stream.join(global, (k) => k, pair).to('global-joined');
      stream.leftJoin(global, (k) => k, pair).to('global-left');
      stream
        .flatMap((k, v) => [[k, v] as const, [v.slice(-1), v] as const])
        .groupByKey({ name: 'flat' })
        .count()
        .toStream()
        .to('flat-counts');
      windowedTo(
        stream
          .groupByKey()
          .windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(10, 5))
          .reduce((a, v) => `${a}+${v}`),
        'sliding-reduced',
      );
      stream
        .groupByKey()
        .count()
        .join(table, (count, value) => `${count}/${value}`)
        .toStream()
        .to('agg-joined');
      return t;
    },
  },
  'table-regroup': {
    outputs: ['inner-counts', 'left-sums', 'outer-filtered', 'joined-mapped'],
    build: () => {
      const t = testTopology();
      const left = t.table<string, string>('left');
      const right = t.table<string, string>('right');
      const inner = left.join(right, pair);
      inner
        .groupBy((_k, v) => [String(v.length), v], { name: 'inner-by-length' })
        .count()
        .toStream()
        .to('inner-counts');
      left
        .leftJoin(right, pair)
        .groupBy((_k, v) => [v.slice(-1), v], { name: 'left-by-last' })
        .aggregate(
          () => 0,
          (_k, v, sum) => sum + v.length,
          (_k, v, sum) => sum - v.length,
        )
        .toStream()
        .to('left-sums');
      left
        .outerJoin(right, pair)
        .filter((_k, v) => v.length % 2 === 0)
        .toStream()
        .to('outer-filtered');
      inner
        .mapValues((v) => v.toUpperCase())
        .toStream()
        .to('joined-mapped');
      return t;
    },
  },
  'session-reduce': {
    outputs: ['reduced', 'reduced-finals'],
    build: ({ gap, grace }) => {
      const t = testTopology();
      const reduced = t
        .stream<string, string>('in')
        .groupByKey()
        .windowedBy(SessionWindows.ofInactivityGapAndGrace(gap!, grace!))
        .reduce((a, v) => `${a}+${v}`);
      windowedTo(reduced, 'reduced');
      windowedTo(reduced.suppressUntilWindowCloses(), 'reduced-finals');
      return t;
    },
  },
  routes: {
    outputs: ['merged-counts', 'long', 'repartitioned', 'rekeyed-joined', 'rekeyed-left'],
    build: () => {
      const t = testTopology();
      const input = t.stream<string, string>('in');
      const other = t.stream<string, string>('other');
      const table = t.table<string, string>('table');
      const branches = input
        .split({ name: 'split-' })
        .branch((_k, v) => v.length === 2, { name: 'short' })
        .defaultBranch({ name: 'long' });
      branches['split-short']!.merge(other).groupByKey().count().toStream().to('merged-counts');
      branches['split-long']!.mapValues((v) => `${v}!`).to('long');
      input
        .selectKey((_k, v) => v.slice(-1))
        .repartition({ name: 'by-last' })
        .groupByKey()
        .reduce((a, v) => `${a}+${v}`)
        .toStream()
        .to('repartitioned');
      const rekeyed = input.selectKey((_k, v) => String.fromCharCode(97 + (Number(v.slice(-1)) % 4)));
      rekeyed.join(table, pair).to('rekeyed-joined');
      rekeyed.leftJoin(table, pair).to('rekeyed-left');
      return t;
    },
  },
  'foreign-key': {
    outputs: ['fk-inner', 'fk-left', 'fk-counts', 'fk-filtered'],
    recordByRecord: true,
    build: () => {
      const t = testTopology();
      const orders = t.table<string, string>('orders');
      const customers = t.table<string, string>('customers');
      // An order's customer is a to d by its value's last digit; none for a 9.
      const customerOf = (v: string) => (v.endsWith('9') ? null : String.fromCharCode(97 + (Number(v.slice(-1)) % 4)));
      orders.join(customers, customerOf, pair).toStream().to('fk-inner');
      orders.leftJoin(customers, customerOf, pair).toStream().to('fk-left');
      const named = orders.join(customers, customerOf, pair, { name: 'named' });
      named
        .groupBy((_k, v) => [v.slice(-1), v], { name: 'fk-by-last' })
        .count()
        .toStream()
        .to('fk-counts');
      named
        .filter((_k, v) => v.length % 2 === 0)
        .toStream()
        .to('fk-filtered');
      return t;
    },
  },
  cogroup: {
    outputs: ['totals', 'windowed', 'sliding', 'sessions'],
    build: ({ size, grace, gap, difference }) => {
      const t = testTopology();
      const clicks = t.stream<string, string>('clicks');
      const views = t.stream<string, string>('views');
      const buys = t.stream<string, string>('buys');
      /** Clicks, views and buys (re-keyed by their last digit, through a repartition topic named `buys`) cogrouped into one string per key. */
      const cogrouped = (buysName: string) =>
        clicks
          .groupByKey()
          .cogroup<string>((_k, v, agg) => `${agg}c${v.slice(1)}`)
          .cogroup(views.groupByKey(), (_k, v, agg) => `${agg}v${v.slice(1)}`)
          .cogroup(
            buys.selectKey((_k, v) => String.fromCharCode(97 + (Number(v.slice(-1)) % 4))).groupByKey({ name: buysName }),
            (_k, v, agg) => `${agg}b${v}`,
          );
      cogrouped('buys-totals')
        .aggregate(() => '')
        .toStream()
        .to('totals');
      windowedTo(
        cogrouped('buys-windowed')
          .windowedBy(TimeWindows.ofSizeAndGrace(size!, grace!))
          .aggregate(() => '', { retentionMs: size! + grace! }),
        'windowed',
      );
      windowedTo(
        cogrouped('buys-sliding')
          .windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(difference!, grace!))
          .aggregate(() => ''),
        'sliding',
      );
      windowedTo(
        cogrouped('buys-sessions')
          .windowedBy(SessionWindows.ofInactivityGapAndGrace(gap!, grace!))
          .aggregate(
            () => '',
            (_k, a1, a2) => `(${a1}|${a2})`,
          ),
        'sessions',
      );
      return t;
    },
  },
  retained: {
    outputs: ['sliding-retained', 'sessions-retained'],
    build: ({ difference, gap, grace, extra }) => {
      const t = testTopology();
      const grouped = t.stream<string, string>('in').groupByKey();
      windowedTo(
        grouped.windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(difference!, grace!)).reduce((a, v) => `${a}+${v}`, { retentionMs: 2 * difference! + grace! + extra! }),
        'sliding-retained',
      );
      windowedTo(
        grouped.windowedBy(SessionWindows.ofInactivityGapAndGrace(gap!, grace!)).reduce((a, v) => `${a}+${v}`, { retentionMs: gap! + grace! + extra! }),
        'sessions-retained',
      );
      return t;
    },
  },
  'emit-final': {
    outputs: ['closed-counts', 'closed-folds', 'closed-sliding'],
    build: ({ size, advance, grace, extra }) => {
      const t = testTopology();
      const grouped = t.stream<string, string>('in').groupByKey();
      const windowed = grouped
        .windowedBy(TimeWindows.ofSizeAndGrace(size!, grace!).advanceBy(advance!))
        .emitStrategy(EmitStrategy.onWindowClose());
      windowedTo(windowed.count({ retentionMs: 86_400_000 }), 'closed-counts');
      windowedTo(windowed.aggregate(() => '[', (_k, v, agg) => agg + v, { retentionMs: size! + grace! + extra! }), 'closed-folds');
      windowedTo(
        grouped
          .windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(size!, grace!))
          .emitStrategy(EmitStrategy.onWindowClose())
          .reduce((a, v) => `${a}+${v}`),
        'closed-sliding',
      );
      return t;
    },
  },
  'suppressed-table': {
    outputs: ['even-finals'],
    build: ({ size, grace }) => {
      const t = testTopology();
      const counts = t
        .stream<string, string>('in')
        .groupByKey()
        .windowedBy(TimeWindows.ofSizeAndGrace(size!, grace!))
        .count({ retentionMs: size! + grace! });
      // A filter over the finals sees each final's change as the buffer forwards it: the last update's old value.
      windowedTo(
        counts.suppressUntilWindowCloses().filter((_k, v) => v % 2 === 0),
        'even-finals',
      );
      return t;
    },
  },
  'aggregate-regroup': {
    outputs: ['by-count', 'long-aggregates', 'reduced-regrouped'],
    build: () => {
      const t = testTopology();
      const grouped = t.stream<string, string>('in').groupByKey();
      // A new aggregate's old value is what it started from: regrouping subtracts it from its group.
      grouped
        .count()
        .groupBy((k, n) => [String(n % 3), k], { name: 'by-count' })
        .count()
        .toStream()
        .to('by-count');
      grouped
        .aggregate(() => '', (_k, v, agg) => agg + v.slice(1))
        .filter((_k, v) => v.length > 2)
        .toStream()
        .to('long-aggregates');
      grouped
        .reduce((_a, v) => v)
        .groupBy((k, v) => [v.slice(-1), k], { name: 'by-last' })
        .count()
        .toStream()
        .to('reduced-regrouped');
      return t;
    },
  },
  'time-limit': {
    outputs: ['limited-counts', 'limited-table'],
    build: ({ limit }) => {
      const t = testTopology();
      t.stream<string, string>('in')
        .groupByKey()
        .count()
        .suppressUntilTimeLimit(limit!)
        .toStream()
        .to('limited-counts');
      t.table<string, string>('t')
        .suppressUntilTimeLimit(limit!)
        .toStream()
        .to('limited-table');
      return t;
    },
  },
  join: {
    outputs: ['inner', 'left-joined', 'outer'],
    build: ({ difference, grace }) => {
      const t = testTopology();
      const left = t.stream<string, string>('left');
      const right = t.stream<string, string>('right');
      const windows = JoinWindows.ofTimeDifferenceAndGrace(difference!, grace!);
      left.join(right, pair, windows, { name: 'inner' }).to('inner');
      left.leftJoin(right, pair, windows, { name: 'left' }).to('left-joined');
      left.outerJoin(right, pair, windows, { name: 'outer' }).to('outer');
      return t;
    },
  },
};

/** Writes a windowed table's updates to `topic` with their keys as the Java side writes them: `key@start,end`. */
function windowedTo<V>(table: Table<Windowed<string>, V>, topic: string): void {
  table
    .toStream()
    .map((k, v) => [`${k.key}@${k.window.start},${k.window.end}`, v])
    .to(topic);
}

/** A windowed count's updates and its suppressed finals. */
function windowedCounts(count: (t: TopologyBuilder) => WindowedTable<string, number>): TopologyBuilder {
  const t = testTopology();
  const counts = count(t);
  windowedTo(counts, 'updates');
  windowedTo(counts.suppressUntilWindowCloses(), 'finals');
  return t;
}

/** An output record as cases.txt writes it: `key value timestamp`. */
export function shownOutput(r: { key: unknown; value: unknown; timestamp: number }): string {
  return `${r.key} ${r.value} ${r.timestamp}`;
}
