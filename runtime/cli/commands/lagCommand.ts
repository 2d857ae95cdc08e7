import { Command } from 'commander';
import { connectDeadLetterKafka } from '../../deadLetters/deadLetterKafka.ts';
import { readApplicationLag, type ApplicationLag } from '../../lag/applicationLag.ts';
import { textTable } from '../../lag/textTable.ts';
import { topologyForApplication } from '../../../processors/applicationTopology.ts';
import { loadTopology } from '../../loadTopology.ts';
import { createLogger } from '../../logger.ts';
import { loadWorkerConfig } from '../../worker/workerConfig.ts';
import { activeNamespace } from '../../../state/redis/namespacePointer.ts';
import { closeRedis } from '../../../state/redis/redisConnection.ts';
import { connectRedisWithin } from '../connectRedisWithin.ts';

interface LagOptions {
  applicationId?: string;
  brokers?: string;
  json?: boolean;
}

/**
 * `tributary lag <topology>`: per partition the application reads (source and repartition
 * topics), the consumer group's committed offset, the log end offset and the lag, and the total.
 */
export function lagCommand(): Command {
  return new Command('lag')
    .summary("how far an application's consumer group is behind, per input partition and in total")
    .description("print how far an application's consumer group is behind: per input partition (source and repartition topics) the committed offset, log end offset and lag, and the total")
    .argument('<topology>', 'a module whose default export is the topology (e.g. topologies/orderSaga.ts)')
    .option('--application-id <id>', 'the consumer group (default: the topology name; env TRIBUTARY_APPLICATION_ID)')
    .option('--brokers <list>', 'Kafka bootstrap brokers, host:port,… (env KAFKA_BROKERS)')
    .option('--json', 'print one JSON object for scripts')
    .action(async (file: string, options: LagOptions) => {
      const loaded = await loadTopology(file);
      const config = loadWorkerConfig(loaded.name, { applicationId: options.applicationId, brokers: options.brokers?.split(',').map((b) => b.trim()) });
      // After a shadow replay switched namespaces, the workers read that namespace's own repartition topics.
      const redis = await connectRedisWithin(config.redisUrl);
      let namespace: string;
      try {
        namespace = await activeNamespace(redis, { app: config.applicationId, prefix: config.redisKeyPrefix }, config.stateNamespace);
      } finally {
        await closeRedis(redis);
      }
      const topology = topologyForApplication(loaded, config.applicationId, namespace);
      const client = await connectDeadLetterKafka(config, createLogger(process.env.TRIBUTARY_LOG_LEVEL ?? 'warn'));
      let lag: ApplicationLag;
      try {
        lag = await readApplicationLag(client.admin, topology, config.applicationId);
      } finally {
        await client.close();
      }
      process.stdout.write(options.json ? `${JSON.stringify(lag, null, 2)}\n` : lagText(lag));
    });
}

/** The layout of `kafka-consumer-groups --describe`: `-` where the group has committed nothing. */
function lagText(lag: ApplicationLag): string {
  const rows = lag.partitions.map((p) => [p.topic, String(p.partition), p.committedOffset?.toString() ?? '-', String(p.logEndOffset), p.lag?.toString() ?? '-']);
  const unknown = lag.partitionsWithoutOffset;
  const note = unknown ? ` (${unknown} partition${unknown === 1 ? '' : 's'} without a committed offset not counted)` : '';
  return [...textTable([['TOPIC', 'PARTITION', 'CURRENT-OFFSET', 'LOG-END-OFFSET', 'LAG'], ...rows]), `total lag of ${lag.applicationId}: ${lag.totalLag}${note}`, ''].join('\n');
}
