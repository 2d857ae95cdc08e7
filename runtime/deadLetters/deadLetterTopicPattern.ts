/** Stands for the input topic's name in a dead-letter topic pattern. */
const TOPIC = '{topic}';

/** Each input's dead letters go beside it, to `<topic>.dlq`. */
export const DEFAULT_DEAD_LETTER_TOPIC = `${TOPIC}.dlq`;

/**
 * Dead-letter topic patterns (`--dead-letter-topic`, `TRIBUTARY_DEAD_LETTER_TOPIC`): a topic
 * name in which `{topic}` stands for the input topic. With it, each input has its own
 * dead-letter topic (the default, `{topic}.dlq`); without it the pattern names one topic for
 * the whole application, as Kafka Streams' `errors.dead.letter.queue.topic.name` (KIP-1034).
 * Either way each dead letter's headers name its original topic.
 */
export const DEAD_LETTER_TOPIC_PATTERN = /^(?:[A-Za-z0-9._-]|\{topic\})+$/;

/** Whether the pattern names one topic for every input. */
export function isSharedDeadLetterTopic(pattern: string): boolean {
  return !pattern.includes(TOPIC);
}

/** The dead-letter topic of input `topic` under `pattern`. */
export function deadLetterTopicOf(pattern: string, topic: string): string {
  return pattern.replaceAll(TOPIC, topic);
}

/**
 * What the `dlq` commands read for the name a user typed: the name itself when it already is
 * a dead-letter topic under `pattern` (`orders.dlq` under `{topic}.dlq`), else the dead-letter
 * topic of the input it names (`orders` → `orders.dlq`); the shared topic when there is one.
 */
export function resolveDeadLetterTopic(name: string, pattern: string = DEFAULT_DEAD_LETTER_TOPIC): string {
  if (isSharedDeadLetterTopic(pattern)) return pattern;
  const [before, ...rest] = pattern.split(TOPIC).map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  const isDeadLetterTopic = new RegExp(`^${before}${rest.map((part) => `.+${part}`).join('')}$`);
  return isDeadLetterTopic.test(name) ? name : deadLetterTopicOf(pattern, name);
}
