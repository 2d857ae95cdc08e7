import { TributaryError } from '../errors.ts';

/** `dlq list|replay` named a dead-letter topic that Kafka does not have. */
export class DeadLetterTopicNotFoundError extends TributaryError {
  constructor(readonly topic: string) {
    super('DLQ_TOPIC_NOT_FOUND', `topic ${topic} does not exist (a worker creates <topic>.dlq for each topic it reads)`);
  }
}

/** Replay would write to a topic that does not exist; nothing is created on the user's behalf. */
export class ReplayTargetNotFoundError extends TributaryError {
  constructor(readonly topic: string, dlqTopic: string) {
    super('DLQ_REPLAY_TARGET_NOT_FOUND', `cannot replay dead letters of ${dlqTopic} to ${topic}: the topic does not exist (create it, or pass --to <topic>)`);
  }
}

/** No broker of the list accepts connections, so there is nothing to wait for. */
export class KafkaUnreachableError extends TributaryError {
  constructor(brokers: readonly string[]) {
    super('KAFKA_UNREACHABLE', `cannot reach Kafka at ${brokers.join(',')} (set --brokers or KAFKA_BROKERS, or start the local stack with \`tributary stack up\`)`);
  }
}

/** Reading a dead-letter topic stopped moving before it reached the end it started for. */
export class DeadLetterReadStalledError extends TributaryError {
  constructor(topic: string, idleMs: number) {
    super('DLQ_READ_STALLED', `reading ${topic} made no progress for ${Math.round(idleMs / 1000)} s; is the broker healthy?`);
  }
}
