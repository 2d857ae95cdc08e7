import type { OperatorFunction } from 'rxjs';
import type { Serde } from '../schemas/serde.ts';
import { responseSerdes, subscriptionSerdes } from './foreignKeyJoinSerdes.ts';
import {
  foreignTableJoin,
  responseJoin,
  subscriptionJoin,
  subscriptionReceive,
  subscriptionSend,
  type SubscriptionResponse,
} from './operators/foreignKeyJoin.ts';
import { tableSource } from './operators/tableSource.ts';
import type { Materialized } from './options.ts';
import type { Serdes } from './serdes.ts';
import { Table } from './table.ts';
import { TableOldValues } from './tableOldValues.ts';
import { TopologyError } from './topologyError.ts';
import type { AnyRecord } from './topologyGraph.ts';

/**
 * Adds the nodes, stores and topics of a foreign-key table join (`KTable#join(other,
 * foreignKeyExtractor, joiner)`), named as Kafka Streams names them (`KTableImpl#doJoinOnForeignKey`),
 * and returns the result table. The two tables need not be co-partitioned:
 *
 *     rows → SUBSCRIPTION-REGISTRATION (send) → <app>-…-SUBSCRIPTION-REGISTRATION-n-topic, keyed by foreign key
 *       → SUBSCRIPTION-PROCESSOR (receive; the subscription store) → SUBSCRIPTION-PROCESSOR (join the foreign value) ┐
 *     foreign table → SUBSCRIPTION-PROCESSOR (each subscriber of the changed key; the subscription store)        ┴→
 *       <app>-…-SUBSCRIPTION-RESPONSE-m-topic, keyed by row, to the row's partition
 *       → SUBSCRIPTION-RESPONSE-RESOLVER-PROCESSOR (joins if the row is unchanged) → FK-JOIN-OUTPUT (the result's store)
 *
 * With a name (`materialized.name`) the parts are `<name>-subscription-registration-topic`,
 * `<name>-subscription-store`, `<name>-subscription-response-resolver`, `<name>-result` and so on.
 */
export function addForeignKeyJoin<K, V, KF, VF, VR>(
  rows: Table<K, V>,
  foreign: Table<KF, VF>,
  foreignKey: (value: V, key: K) => KF | null,
  joiner: (value: V | null, foreignValue: VF | null, key: K) => VR,
  materialized: Materialized,
  leftJoin: boolean,
): Table<K, VR> {
  const builder = rows.builder;
  if (foreign.builder !== builder) throw new TopologyError(`cannot join tables of different topologies ('${builder.name}' and '${foreign.builder.name}')`);
  if (rows.getterStores.length === 0 || foreign.getterStores.length === 0) throw new TopologyError('a foreign-key join reads both tables by key: both must be materialized');
  rows.oldValues.enable(true);
  foreign.oldValues.enable(true);
  const named = (suffix: string, prefix: string) => builder.partName(materialized.name, suffix, prefix);
  const erase = <I, O>(op: OperatorFunction<I, O>) => op as unknown as OperatorFunction<AnyRecord, AnyRecord>;

  const subscriptionTopic = builder.addInternalTopic(`${named('-subscription-registration', 'KTABLE-FK-JOIN-SUBSCRIPTION-REGISTRATION')}-topic`);
  const send = builder.addProcessor(
    'KTABLE-FK-JOIN-SUBSCRIPTION-REGISTRATION',
    [rows.node],
    [],
    (ctx, [input]) => input!.pipe(erase(subscriptionSend(ctx, send.name, foreignKey, leftJoin))),
    named('-subscription-registration-processor', 'KTABLE-FK-JOIN-SUBSCRIPTION-REGISTRATION'),
  );
  const rowSerdes = serdesOf(rows, builder.options.serdes);
  const foreignSerdes = serdesOf(foreign, builder.options.serdes);
  const subscribing = rowSerdes && foreignSerdes && subscriptionSerdes(foreignSerdes.key, rowSerdes.key);
  builder.addSink(send.name, subscriptionTopic, subscribing as Serdes<unknown, unknown> | undefined, true, named('-subscription-registration-sink', 'KTABLE-SINK'));
  const subscriptions = builder.addSource(
    [subscriptionTopic],
    { serdes: subscribing as Serdes<never, never> | undefined, name: named('-subscription-registration-source', 'KTABLE-SOURCE') },
    'KTABLE-SOURCE',
    true,
  );
  builder.requireCoPartitioned([subscriptionTopic, ...foreign.sourceTopics]);

  // A window store without retention: subscriptions by foreign key and a slot per row (see `subscriptionReceive`).
  const store = builder.addStore({ name: named('-subscription-store', 'KTABLE-FK-JOIN-SUBSCRIPTION-STATE-STORE'), kind: 'window', internal: true }).name;
  const receive = builder.addProcessor(
    'KTABLE-FK-JOIN-SUBSCRIPTION-PROCESSOR',
    [subscriptions.name],
    [store],
    (ctx, [input]) => input!.pipe(erase(subscriptionReceive(ctx, receive.name, store))),
    named('-subscription-receive', 'KTABLE-FK-JOIN-SUBSCRIPTION-PROCESSOR'),
  );
  const answer = builder.addProcessor(
    'KTABLE-FK-JOIN-SUBSCRIPTION-PROCESSOR',
    [receive.name],
    foreign.getterStores,
    (ctx, [input]) => input!.pipe(erase(subscriptionJoin(foreign.getter(ctx)))),
    named('-subscription-join-foreign', 'KTABLE-FK-JOIN-SUBSCRIPTION-PROCESSOR'),
  );
  const fanOut = builder.addProcessor(
    'KTABLE-FK-JOIN-SUBSCRIPTION-PROCESSOR',
    [foreign.node],
    [store],
    (ctx, [input]) => input!.pipe(erase(foreignTableJoin(ctx, fanOut.name, store))),
    named('-foreign-join-subscription', 'KTABLE-FK-JOIN-SUBSCRIPTION-PROCESSOR'),
  );

  const responseTopic = builder.addInternalTopic(`${named('-subscription-response', 'KTABLE-FK-JOIN-SUBSCRIPTION-RESPONSE')}-topic`);
  const responses = rowSerdes && foreignSerdes && responseSerdes(rowSerdes.key, foreignSerdes.value);
  // An answer goes back to the partition its row came from, whatever the row's key hashes to.
  const toRowPartition = (record: AnyRecord) => (record.value as SubscriptionResponse<VF>).primaryPartition;
  builder.addSink([answer.name, fanOut.name], responseTopic, responses as Serdes<unknown, unknown> | undefined, true, named('-subscription-response-sink', 'KTABLE-SINK'), toRowPartition);
  const answers = builder.addSource(
    [responseTopic],
    { serdes: responses as Serdes<never, never> | undefined, name: named('-subscription-response-source', 'KTABLE-SOURCE') },
    'KTABLE-SOURCE',
    true,
  );
  builder.requireCoPartitioned([responseTopic, ...rows.sourceTopics]);

  const resolve = builder.addProcessor(
    'KTABLE-FK-JOIN-SUBSCRIPTION-RESPONSE-RESOLVER-PROCESSOR',
    [answers.name],
    rows.getterStores,
    (ctx, [input]) => input!.pipe(erase(responseJoin(rows.getter(ctx), joiner, leftJoin))),
    named('-subscription-response-resolver', 'KTABLE-FK-JOIN-SUBSCRIPTION-RESPONSE-RESOLVER-PROCESSOR'),
  );
  const resultName = named('-result', 'KTABLE-FK-JOIN-OUTPUT');
  const resultStore = builder.addStore({ name: materialized.store ?? builder.nextName('KTABLE-FK-JOIN-OUTPUT-STATE-STORE'), kind: 'keyValue', internal: !materialized.store }).name;
  const result = builder.addProcessor('KTABLE-FK-JOIN-OUTPUT', [resolve.name], [resultStore], (ctx, [input]) => input!.pipe(erase(tableSource(ctx, resultStore))), resultName);
  return new Table<K, VR>(builder, result.name, [...new Set([...rows.sourceTopics, responseTopic])], resultStore, undefined, undefined, undefined, TableOldValues.source(materialized.store !== undefined));
}

/** A table's serdes, else the topology's: both sides' keys and the foreign values cross topics. */
function serdesOf<K, V>(table: Table<K, V>, fallback: Serdes<unknown, unknown> | undefined): { key: Serde<NonNullable<K>>; value: Serde<NonNullable<V>> } | undefined {
  return (table.serdes ?? fallback) as Serdes<K, V> | undefined;
}
