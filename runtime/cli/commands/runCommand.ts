import { Command, Option } from 'commander';
import { ConfigError } from '../../errors.ts';
import { startHttpServer, type HttpServer } from '../../http/httpServer.ts';
import { loadTopologyApi } from '../../http/loadTopologyApi.ts';
import { allReady } from '../../http/readiness.ts';
import { startTopologyApiService, type TopologyApiService } from '../../http/topologyApiService.ts';
import { loadTopology } from '../../loadTopology.ts';
import { createLogger } from '../../logger.ts';
import { WorkerMetrics } from '../../metrics/workerMetrics.ts';
import { NamespaceFollower } from '../../worker/namespaceFollower.ts';
import { loadWorkerConfig, type WorkerConfig } from '../../worker/workerConfig.ts';

interface RunOptions {
  applicationId?: string;
  guarantee?: WorkerConfig['guarantee'];
  brokers?: string;
  redisUrl?: string;
  registryUrl?: string;
  commitIntervalMs?: string;
  unitRecords?: string;
  stateCacheEntries?: string;
  concurrency?: string;
  stateNamespace?: string;
  httpPort?: string;
  deadLetterTopic?: string;
}

/**
 * `tributary run <topology...>`: one worker per topology in this process, until SIGTERM
 * or SIGINT, which drain and commit the work in flight and exit 0 (1 if that took longer
 * than the shutdown timeout, or a worker failed). The process serves `/metrics`, `/healthz`
 * and `/readyz` for all its workers on one HTTP port, from before the first worker starts
 * (not ready until every worker is). A topology module that exports an `api` has it served
 * on the same port (`POST /commands/:type`, `GET /queries/:type`, docs/http.md), with its
 * outbox relay running in this process. Each worker follows its application's namespace
 * pointer, so a shadow replay's switch moves it to the rebuilt namespace without a restart.
 */
export function runCommand(): Command {
  return new Command('run')
    .description('run topologies as workers of their consumer groups, with state in Redis')
    .argument('<topology...>', 'modules whose default export is a topology (e.g. topologies/orderSaga.ts)')
    .option('--application-id <id>', 'consumer group and state namespace owner (default: the topology name; one topology only)')
    .addOption(new Option('--guarantee <guarantee>', 'processing guarantee').choices(['at_least_once', 'exactly_once']))
    .option('--brokers <list>', 'Kafka bootstrap brokers, host:port,… (env KAFKA_BROKERS)')
    .option('--redis-url <url>', 'Redis URL; several hosts name a cluster (env REDIS_URL)')
    .option('--registry-url <url>', 'schema registry URL (env SCHEMA_REGISTRY_URL)')
    .option('--commit-interval-ms <ms>', 'how often idle tasks punctuate and commit (env TRIBUTARY_COMMIT_INTERVAL_MS)')
    .option('--unit-records <n>', 'records per unit of work: one state load, one Redis commit, one send; default 500 (env TRIBUTARY_UNIT_RECORDS)')
    .option('--state-cache-entries <n>', "entries the tasks' state caches hold together, per worker; default 200000, about 1 KB each (env TRIBUTARY_STATE_CACHE_ENTRIES)")
    .option('--concurrency <n>', 'partitions processed at once (env TRIBUTARY_CONCURRENCY)')
    .option('--state-namespace <ns>', 'state namespace in Redis (env TRIBUTARY_STATE_NAMESPACE)')
    .option('--http-port <port>', 'port of /metrics, /healthz and /readyz; 0 (the default) picks a free one and logs it (env TRIBUTARY_HTTP_PORT)')
    .option('--dead-letter-topic <pattern>', "where unreadable or failing records go: a topic, {topic} standing for the input's; default {topic}.dlq (env TRIBUTARY_DEAD_LETTER_TOPIC)")
    .action(async (files: string[], options: RunOptions) => {
      if (options.applicationId && files.length > 1) throw new ConfigError('--application-id names one application; run one topology with it');
      const logger = createLogger(process.env.TRIBUTARY_LOG_LEVEL ?? 'info');
      const topologies = await Promise.all(files.map((file) => loadTopology(file)));
      const apis = await Promise.all(files.map((file) => loadTopologyApi(file)));
      const configs = topologies.map((topology) =>
        loadWorkerConfig(topology.name, {
          applicationId: options.applicationId,
          guarantee: options.guarantee,
          brokers: options.brokers?.split(',').map((b) => b.trim()),
          redisUrl: options.redisUrl,
          registryUrl: options.registryUrl,
          commitIntervalMs: options.commitIntervalMs === undefined ? undefined : Number(options.commitIntervalMs),
          unitRecords: options.unitRecords === undefined ? undefined : Number(options.unitRecords),
          stateCacheEntries: options.stateCacheEntries === undefined ? undefined : Number(options.stateCacheEntries),
          concurrency: options.concurrency === undefined ? undefined : Number(options.concurrency),
          stateNamespace: options.stateNamespace,
          httpPort: options.httpPort === undefined ? undefined : Number(options.httpPort),
          deadLetterTopic: options.deadLetterTopic,
        }),
      );
      const workers: NamespaceFollower[] = [];
      const apiServices: TopologyApiService[] = [];
      const metrics = new WorkerMetrics();
      let http: HttpServer | undefined;
      const stopAll = async () => {
        await Promise.allSettled(workers.map((w) => w.stop()));
        const server = http;
        http = undefined;
        await server?.close();
        await Promise.allSettled(apiServices.splice(0).map((service) => service.close()));
      };
      let signalled = false;
      for (const signal of ['SIGTERM', 'SIGINT'] as const) {
        process.once(signal, () => {
          signalled = true;
          logger.info({ signal }, 'draining');
          void stopAll();
        });
      }
      try {
        for (const [i, api] of apis.entries()) if (api) apiServices.push(await startTopologyApiService(topologies[i]!, api, configs[i]!, logger));
        http = await startHttpServer({
          port: configs[0]!.httpPort,
          registry: metrics.registry,
          readiness: () =>
            allReady(configs.map((config, i) => ({ name: config.applicationId, readiness: workers[i]?.readiness() ?? { ready: false, reason: 'starting' } }))),
          logger,
          apis: apiServices.map((service) => service.mounted),
        });
        for (const [i, topology] of topologies.entries()) workers.push(await NamespaceFollower.start(topology, configs[i]!, logger, metrics));
      } catch (error) {
        await stopAll();
        throw error;
      }
      const results = await Promise.allSettled(workers.map((w) => w.done));
      await stopAll();
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
      if (!signalled) throw new Error('workers stopped without a signal');
    });
}
