import type { Admin, Kafka } from 'kafkajs';
import { connectKafka } from '../kafka/kafkaConnection.ts';
import type { Logger } from '../logger.ts';
import { tcpExchange } from '../stack/tcpProbe.ts';
import type { WorkerConfig } from '../worker/workerConfig.ts';
import { DeadLetterTopicNotFoundError, KafkaUnreachableError } from './deadLetterErrors.ts';

/** A kafkajs client with a connected admin, for the `dlq` commands. */
export interface DeadLetterKafka {
  readonly kafka: Kafka;
  readonly admin: Admin;
  readonly logger: Logger;
  close(): Promise<void>;
}

/**
 * Connects like a worker does (`connectKafka`: brokers, SSL, SASL, logs to pino), but first checks
 * that some broker accepts TCP connections: the worker's client rides out a minute of outage,
 * which a command typed with a wrong port should not make its user wait through.
 */
export async function connectDeadLetterKafka(config: Pick<WorkerConfig, 'brokers' | 'kafkaSsl' | 'kafkaSasl'>, logger: Logger): Promise<DeadLetterKafka> {
  const answers = await Promise.all(
    config.brokers.map((broker) => {
      const at = broker.lastIndexOf(':');
      return tcpExchange(broker.slice(0, at), Number(broker.slice(at + 1)), 3000);
    }),
  );
  if (answers.every((a) => a === undefined)) throw new KafkaUnreachableError(config.brokers);
  // At the CLI's default level (warn) kafkajs' warnings are noise here: the one every replay would
  // print is that an idempotent producer with bounded retries may resend, and a replay's batch that
  // fails is resent by the next run anyway (see replayDeadLetters). Errors still reach the user.
  const kafkaLogger = logger.isLevelEnabled('warn') && !logger.isLevelEnabled('info') ? logger.child({}, { level: 'error' }) : logger;
  const kafka = connectKafka(config, 'tributary-dlq', kafkaLogger);
  const admin = kafka.admin();
  await admin.connect();
  return { kafka, admin, logger, close: () => admin.disconnect() };
}

/** Throws DeadLetterTopicNotFoundError unless `topic` exists. */
export async function requireTopic(admin: Admin, topic: string): Promise<void> {
  if (!(await admin.listTopics()).includes(topic)) throw new DeadLetterTopicNotFoundError(topic);
}
