import { merge, type OperatorFunction } from 'rxjs';
import type { StreamJoined } from './options.ts';
import { joinWindow } from './operators/joinWindow.ts';
import { streamStreamJoin, type StreamJoiner, type StreamStreamJoinSide } from './operators/streamStreamJoin.ts';
import type { TopologyBuilder } from './topologyBuilder.ts';
import type { AnyRecord } from './topologyGraph.ts';
import type { JoinWindows } from './windows/joinWindows.ts';

/** Which sides of a stream-stream join keep their unmatched records: inner, left or outer join. */
export interface StreamJoinKind {
  readonly leftOuter: boolean;
  readonly rightOuter: boolean;
}

/**
 * Adds the nodes and stores of a stream-stream join of two co-partitioned inputs, named
 * as Kafka Streams names them (`KStreamImplJoin`), and returns the merge node whose output
 * is the join's result:
 *
 *     left  → KSTREAM-WINDOWED-a (this store) → KSTREAM-JOINTHIS-c  (other store[, shared]) ┐
 *     right → KSTREAM-WINDOWED-b (other store) → KSTREAM-JOINOTHER-d (this store[, shared]) ┴→ KSTREAM-MERGE-e
 *
 * JOINTHIS becomes OUTERTHIS in an outer join, JOINOTHER becomes OUTEROTHER in a left or
 * outer join. Stores: `<JOINTHIS/OUTERTHIS name>-store` and `<JOINOTHER/OUTEROTHER name>-store`
 * (or `<storeName>-this-join-store` …), and in left and outer joins the shared store of
 * unmatched records `KSTREAM-OUTERSHARED-c-store` (or `<storeName>-left-shared-join-store` /
 * `-outer-shared-join-store`). With a `StreamJoined` name, the nodes are `<name>-this-windowed`,
 * `<name>-other-windowed`, `<name>-this-join` / `-outer-this-join`, `<name>-other-join` /
 * `-outer-other-join` and `<name>-merge`.
 */
export function addStreamStreamJoin(
  builder: TopologyBuilder,
  inputs: { readonly left: string; readonly right: string },
  joiner: StreamJoiner<unknown, unknown, unknown, unknown>,
  windows: JoinWindows,
  streamJoined: StreamJoined<unknown, unknown, unknown>,
  { leftOuter, rightOuter }: StreamJoinKind,
): string {
  const name = streamJoined.name;
  const thisSuffix = rightOuter ? '-outer-this-join' : '-this-join';
  const otherSuffix = leftOuter ? '-outer-other-join' : '-other-join';
  // The generated names take their numbers even when a name is given, as in Kafka Streams.
  const thisWindowed = name ? `${name}-this-windowed` : builder.nextName('KSTREAM-WINDOWED');
  const otherWindowed = name ? `${name}-other-windowed` : builder.nextName('KSTREAM-WINDOWED');
  const thisPrefix = rightOuter ? 'KSTREAM-OUTERTHIS' : 'KSTREAM-JOINTHIS';
  const thisGenerated = builder.nextName(thisPrefix);
  const otherGenerated = builder.nextName(leftOuter ? 'KSTREAM-OUTEROTHER' : 'KSTREAM-JOINOTHER');
  const joinThis = name ? `${name}${thisSuffix}` : thisGenerated;
  const joinOther = name ? `${name}${otherSuffix}` : otherGenerated;
  const mergeName = name ? `${name}-merge` : builder.nextName('KSTREAM-MERGE');

  const base = streamJoined.storeName;
  const thisStore = `${base ? base + thisSuffix : thisGenerated}-store`;
  const otherStore = `${base ? base + otherSuffix : otherGenerated}-store`;
  const retentionMs = windows.retentionMs();
  // Neither side reads what the other's store hides (before its observed time minus retention).
  builder.addStore({ name: thisStore, kind: 'window', retentionMs, readHorizonMs: retentionMs, internal: true });
  builder.addStore({ name: otherStore, kind: 'window', retentionMs, readHorizonMs: retentionMs, internal: true });
  let sharedStore: string | undefined;
  if (leftOuter) {
    const sharedSuffix = rightOuter ? '-outer-shared-join' : '-left-shared-join';
    sharedStore = `${base ? base + sharedSuffix : 'KSTREAM-OUTERSHARED' + thisGenerated.slice(thisPrefix.length)}-store`;
    // No retention, as Kafka Streams' shared store (a key-value store) has none: a waiting
    // record leaves when its window closes and it is emitted. Expiring it by the store's own
    // latest time could drop it a millisecond before stream time closed its window.
    builder.addStore({ name: sharedStore, kind: 'window', internal: true });
  }
  const shared = sharedStore ? [sharedStore] : [];

  const erase = <T>(op: OperatorFunction<T, unknown>) => op as unknown as OperatorFunction<AnyRecord, AnyRecord>;
  builder.addProcessor(thisWindowed, [inputs.left], [thisStore], (ctx, [input]) => input!.pipe(erase(joinWindow(ctx, thisWindowed, thisStore, retentionMs))), thisWindowed);
  builder.addProcessor(otherWindowed, [inputs.right], [otherStore], (ctx, [input]) => input!.pipe(erase(joinWindow(ctx, otherWindowed, otherStore, retentionMs))), otherWindowed);
  const side = (side: 'left' | 'right'): StreamStreamJoinSide => ({
    side,
    node: side === 'left' ? joinThis : joinOther,
    // Both sides advance one stream time: the largest timestamp either side has seen.
    sharedTimeNode: joinThis,
    otherStore: side === 'left' ? otherStore : thisStore,
    otherWindowedNode: side === 'left' ? otherWindowed : thisWindowed,
    windows,
    outer: side === 'left' ? leftOuter : rightOuter,
    outerStore: sharedStore,
  });
  builder.addProcessor(joinThis, [thisWindowed], [otherStore, ...shared], (ctx, [input]) => input!.pipe(erase(streamStreamJoin(ctx, side('left'), joiner))), joinThis);
  builder.addProcessor(joinOther, [otherWindowed], [thisStore, ...shared], (ctx, [input]) => input!.pipe(erase(streamStreamJoin(ctx, side('right'), joiner))), joinOther);
  builder.addProcessor(mergeName, [joinThis, joinOther], [], (_ctx, outputs) => merge(...outputs), mergeName);
  return mergeName;
}
