/**
 * The port through which command handlers emit what they decided: an event or a command
 * record on a topic, keyed for partitioning. The caller that builds the mediator plugs in
 * an adapter (a Kafka producer, an outbox, a list in a test); handlers never see which.
 * `Topics` maps each topic to its value type, so a wrong value for a topic does not compile.
 * The promise resolves once the record is accepted (for Kafka: acknowledged).
 */
export interface EventPublisher<Topics extends object> {
  publish<Topic extends keyof Topics & string>(topic: Topic, key: string, value: Topics[Topic]): Promise<void>;
}
