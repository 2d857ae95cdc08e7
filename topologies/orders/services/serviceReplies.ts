import { DeadlineIndex, type CustomProcessorContext, type Stream, type WindowStore } from '../../../index.ts';
import type { OrderTopic, TopicBinding } from '../orderTopics.ts';
import type { TopicValues } from '../../../index.ts';

/** One event a service answers with: the topic it goes to (full name), and its value. */
export interface Reply {
  readonly topic: string;
  readonly value: unknown;
}

/** What a service's `answer` sees besides the request: the processor's context (its stores, the clock). */
export type ServiceContext = CustomProcessorContext<string, Reply>;

/** How a simulated service answers its requests. */
export interface ServiceOptions<C> {
  /** Names the processor and its pending-replies store `<name>-pending`. */
  readonly name: string;
  /** The service's latency: replies leave this long (wall clock) after the request; 0 sends them at once. */
  readonly latencyMs: number;
  /** The stores `answer` uses, declared on the topology. */
  readonly stores?: readonly string[];
  /** The replies to one request (keyed like it), decided when it arrives. Must be deterministic. */
  answer(key: string, request: C, context: ServiceContext): readonly Reply[];
}

interface Pending {
  readonly key: string;
  readonly replies: readonly Reply[];
}

/** How often a service with latency looks for replies that are due. */
const PUNCTUATION_MS = 100;

/**
 * A service as a topology step: each request's replies are decided when it arrives and
 * sent after the service's latency. Pending replies sit in a deadline index in the task's
 * state, so a crash or a partition move neither loses nor repeats them.
 */
export function answerRequests<C>(requests: Stream<string, C>, options: ServiceOptions<C>): Stream<string, Reply> {
  const pendingStore = `${options.name}-pending`;
  requests.builder.addStore({ name: pendingStore, kind: 'window', internal: true });
  return requests.process<string, Reply>(
    (context) => {
      const pending = new DeadlineIndex(context.store<WindowStore<string, Pending>>(pendingStore));
      if (options.latencyMs > 0) {
        context.schedule(PUNCTUATION_MS, 'wall-clock', (now) => {
          for (const [id, at, due] of pending.due(now)) {
            pending.remove(id, at);
            for (const reply of due.replies) context.forward(due.key, reply, { timestamp: now });
          }
        });
      }
      return {
        process(record) {
          const replies = options.answer(record.key, record.value, context);
          if (options.latencyMs === 0) for (const reply of replies) context.forward(record.key, reply);
          else pending.add(`${record.topic}/${record.partition}/${record.offset}`, context.wallClockTime() + options.latencyMs, { key: record.key, replies });
        },
      };
    },
    { name: options.name, stores: [pendingStore, ...(options.stores ?? [])] },
  );
}

/** Writes the replies meant for one topic to it, with its serdes. */
export function sendReplies<T extends OrderTopic>(replies: Stream<string, Reply>, topic: TopicBinding<T>): void {
  replies
    .filter((_key, reply) => reply.topic === topic.name, { name: `to-${topic.name}-filter` })
    .mapValues((reply) => reply.value as TopicValues[T], { name: `to-${topic.name}-value` })
    .to(topic.name, { serdes: topic.serdes, name: `to-${topic.name}` });
}
