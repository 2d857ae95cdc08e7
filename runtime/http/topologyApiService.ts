import { Partitioners } from 'kafkajs';
import { topologyForApplication } from '../../processors/applicationTopology.ts';
import type { Topology } from '../../processors/topologyGraph.ts';
import { RedisCommandOutbox } from '../../state/redis/commandOutbox.ts';
import { closeRedis, connectRedis } from '../../state/redis/redisConnection.ts';
import { activeNamespace } from '../../state/redis/namespacePointer.ts';
import { RedisStoreReader } from '../../state/redis/storeReader.ts';
import { connectKafka } from '../kafka/kafkaConnection.ts';
import type { Logger } from '../logger.ts';
import { kafkaRecordSender } from '../outbox/kafkaRecordSender.ts';
import { OutboxRelay } from '../outbox/outboxRelay.ts';
import { ActiveNamespaceStoreReader } from '../queries/activeNamespaceStoreReader.ts';
import { TopologyStoreReader } from '../queries/topologyStoreReader.ts';
import { serdeContext } from '../worker/configureSerdes.ts';
import type { WorkerConfig } from '../worker/workerConfig.ts';
import type { MountedApi } from './apiRoutes.ts';
import type { TopologyApi } from './topologyApi.ts';

/** A topology's API served by this process: what the HTTP routes use, and how to stop its relay and connections. */
export interface TopologyApiService {
  readonly mounted: MountedApi;
  close(): Promise<void>;
}

/**
 * Connects what a topology's API needs, for the application `config` names: a store reader
 * over the application's active state namespace in Redis (asked per request, so a shadow
 * replay's switch takes effect from the next query) (partition counts from Kafka metadata),
 * the application's command outbox, and its relay to Kafka (an idempotent producer,
 * records serialized with the API's serdes bound to the worker's registry).
 */
export async function startTopologyApiService(topology: Topology, api: TopologyApi, config: WorkerConfig, logger: Logger): Promise<TopologyApiService> {
  const application = config.applicationId;
  const log = logger.child({ app: application, component: 'api' });
  const redis = connectRedis(config.redisUrl, { connectionName: `${application}-api`, logger: log });
  const kafka = connectKafka(config, `${application}-api`, log);
  const admin = kafka.admin();
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
  try {
    await Promise.all([admin.connect(), producer.connect()]);
  } catch (error) {
    await Promise.allSettled([admin.disconnect(), producer.disconnect(), closeRedis(redis)]);
    throw error;
  }
  const scope = { app: application, prefix: config.redisKeyPrefix };
  const stores = new ActiveNamespaceStoreReader(
    () => activeNamespace(redis, scope, config.stateNamespace),
    (namespace) =>
      new TopologyStoreReader(
        topologyForApplication(topology, application, namespace),
        new RedisStoreReader(redis, { ...scope, namespace }),
        async (topic) => (await admin.fetchTopicMetadata({ topics: [topic] })).topics[0]!.partitions.length,
      ),
  );
  const outbox = new RedisCommandOutbox(redis, { app: application, prefix: config.redisKeyPrefix });
  const context = serdeContext(config);
  const serdesOf = (topic: string) => {
    const serdes = api.serdesOf(topic);
    serdes.key.configure?.(context);
    serdes.value.configure?.(context);
    return serdes;
  };
  const relay = OutboxRelay.start({ outbox, sender: kafkaRecordSender(producer, serdesOf), logger: log });
  return {
    mounted: { application, api, stores: () => stores.forRequest(), outbox },
    async close() {
      await relay.stop();
      await Promise.allSettled([admin.disconnect(), producer.disconnect()]);
      await closeRedis(redis);
    },
  };
}
