import type { Admin, Kafka, KafkaMessage } from 'kafkajs';
import { until } from '../support/until.ts';
import type { BenchPhase } from './benchPhase.ts';
import type { Workload } from './workloads.ts';

/** What a follower of a workload's output has read so far. */
export interface OutputFollower {
  /** Outputs read: the orders completed (each once) for a workload that says which records complete one, else every record. */
  readonly outputs: number;
  /** The largest timestamp among those outputs; 0 before the first. */
  readonly lastTimestamp: number;
  /** Leaves and deletes its group. */
  stop(): Promise<void>;
}

/**
 * Reads a workload's output topic from its beginning as the throwaway consumer group
 * `groupId`, and hands each output to `each` with its timestamp and when its fetch arrived
 * (before any decoding): for a workload that says which records complete an order
 * (`Workload.completes`), only an order's first completion, so an order counts once whatever
 * the workload repeats; for the others, every record. Resolves once the group has joined.
 */
export async function followOutput(
  kafka: Kafka,
  admin: Admin,
  workload: Workload,
  phase: BenchPhase,
  groupId: string,
  each: (timestamp: number, receivedAt: number) => void = () => undefined,
): Promise<OutputFollower> {
  const completed = new Set<string>();
  const isOutput = async (message: KafkaMessage): Promise<boolean> => {
    if (!workload.completes) return true;
    const order = await workload.completes(phase, message);
    if (order === undefined || completed.has(order)) return false;
    completed.add(order);
    return true;
  };
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100, allowAutoTopicCreation: false });
  let joined = false;
  consumer.on(consumer.events.GROUP_JOIN, () => (joined = true));
  const follower = {
    outputs: 0,
    lastTimestamp: 0,
    stop: async () => {
      await consumer.disconnect().catch(() => undefined);
      await admin.deleteGroups([groupId]).catch(() => undefined);
    },
  };
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [workload.output(phase.topics)], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        const receivedAt = Date.now();
        for (const message of batch.messages) {
          if (!(await isOutput(message))) continue;
          const timestamp = Number(message.timestamp);
          follower.outputs++;
          follower.lastTimestamp = Math.max(follower.lastTimestamp, timestamp);
          each(timestamp, receivedAt);
        }
      },
    });
    await until([], `the follower of ${workload.name}'s output has joined`, () => joined);
    return follower;
  } catch (error) {
    await follower.stop();
    throw error;
  }
}
