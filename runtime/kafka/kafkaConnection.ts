import { Kafka, type KafkaConfig, type SASLOptions } from 'kafkajs';
import type { Logger } from '../logger.ts';
import type { WorkerConfig } from '../worker/workerConfig.ts';
import { kafkajsLogs } from './kafkajsLogs.ts';

/** A kafkajs client for the worker's brokers, with its SASL/SSL settings and logs routed to pino. */
export function connectKafka(config: Pick<WorkerConfig, 'brokers' | 'kafkaSsl' | 'kafkaSasl'>, clientId: string, logger: Logger): Kafka {
  const options: KafkaConfig = {
    clientId,
    brokers: config.brokers,
    ssl: config.kafkaSsl,
    logCreator: kafkajsLogs(logger.child({ client: 'kafkajs' })),
    // Broker restarts are outages to ride out, not reasons to stop: retry for about a minute, then the caller's own loop.
    retry: { initialRetryTime: 200, maxRetryTime: 5_000, retries: 15 },
  };
  if (config.kafkaSasl) options.sasl = config.kafkaSasl as SASLOptions;
  return new Kafka(options);
}
