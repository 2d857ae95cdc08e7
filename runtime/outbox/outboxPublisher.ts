import type { EventPublisher } from '../../processors/cqrs/eventPublisher.ts';
import { RedisCommandOutbox, type OutboxRecord } from '../../state/redis/commandOutbox.ts';

/**
 * The publisher one command's handler is given: it keeps what the handler publishes, each
 * record with its event id, for the one outbox write that commits the command. Nothing
 * leaves the process before that write.
 */
export class OutboxPublisher implements EventPublisher<Record<string, unknown>> {
  readonly records: OutboxRecord[] = [];

  async publish(topic: string, key: string, value: unknown): Promise<void> {
    this.records.push(RedisCommandOutbox.record(topic, key, value));
  }
}
