import { randomUUID } from 'node:crypto';
import { Partitioners, type Admin, type Message, type Producer, type TopicMessages } from 'kafkajs';
import type { DeadLetterInfo } from '../../schemas/deadLetterHeaders.ts';
import { originalHeaders, type DeadLetter } from './deadLetter.ts';
import { ReplayTargetNotFoundError } from './deadLetterErrors.ts';
import { requireTopic, type DeadLetterKafka } from './deadLetterKafka.ts';
import { resolveDeadLetterTopic } from './deadLetterTopicPattern.ts';
import { scanTopic } from './scanTopic.ts';

export interface ReplayOptions {
  /** Write every dead letter here instead of to its original topic. */
  readonly to?: string;
  /** Only dead letters with this error code (`tributary.dlq.error.code`). */
  readonly filterCode?: string;
  /** Read and report; write nothing, commit nothing. */
  readonly dryRun?: boolean;
  /** The workers' dead-letter topic pattern (default `{topic}.dlq`), to find the dead-letter topic of `topic`. */
  readonly deadLetterTopic?: string;
  /** Called for each dead letter replayed (after Kafka has it), or that would be with `dryRun`. */
  onReplayed?(replay: Replay): void;
}

/** A dead letter (with its dead-letter headers) and where its original record goes. */
export interface Replay {
  readonly letter: DeadLetter & { readonly info: DeadLetterInfo };
  readonly topic: string;
  /** The original partition when going back to the original topic; else the key decides (murmur2). */
  readonly partition: number | undefined;
}

export interface ReplayReport {
  readonly dlqTopic: string;
  /** The consumer group whose committed offsets record this replay's progress. */
  readonly groupId: string;
  /** Replayed (or, with `dryRun`, to be replayed). */
  readonly replayed: number;
  /** Topics written to (or that would be). */
  readonly topics: readonly string[];
  /** Read, not replayed yet, but left for a replay without `filterCode` or with theirs. */
  readonly otherCodes: number;
  /** Read but skipped because an earlier replay took them. */
  readonly alreadyReplayed: number;
  /** Records without `tributary.dlq.*` headers: nowhere to send them, skipped. */
  readonly notDeadLetters: number;
}

/**
 * The consumer group that records how far replays of `dlqTopic` got: `tributary-dlq-replay-<dlq
 * topic>` for replays of every code, `tributary-dlq-replay-<dlq topic>:<code>` for `--filter-code`.
 */
export function replayGroupId(dlqTopic: string, code?: string): string {
  return `tributary-dlq-replay-${dlqTopic}${code === undefined ? '' : `:${code}`}`;
}

/**
 * Copies dead letters back: each one's original key, value, timestamp and headers (all but
 * `tributary.dlq.*`) to its original topic and partition (or to `to`, partitioned by key), with an
 * idempotent producer, so a fixed worker processes them again.
 *
 * Progress lives in consumer-group offsets, committed after Kafka acknowledged each batch:
 * - a replay of every code reads as `replayGroupId(dlq)` and commits there;
 * - a replay of one code reads as `replayGroupId(dlq, code)` and commits there, leaving the
 *   other codes' dead letters for later.
 * A dead letter at offset o with code c counts as replayed when o is below either group's
 * offset, so replays with and without filters, in any order, take each dead letter once.
 * A crash between a batch's send and its commit sends that batch again on the next run: the
 * copies carry the same `tributary.id`, by which a consumer can drop them. Two replays of one
 * topic must not run at once.
 */
export async function replayDeadLetters(client: DeadLetterKafka, topic: string, options: ReplayOptions = {}): Promise<ReplayReport> {
  const { kafka, admin } = client;
  const dlqTopic = resolveDeadLetterTopic(topic, options.deadLetterTopic);
  await requireTopic(admin, dlqTopic);
  const targets = new TargetTopics(admin, dlqTopic);
  if (options.to !== undefined) await targets.require(options.to);
  const groupId = replayGroupId(dlqTopic, options.filterCode);
  const progress = new ReplayProgress(admin, dlqTopic);
  // Read before this run commits anything: the offsets earlier runs left.
  await progress.committed(replayGroupId(dlqTopic));
  await progress.committed(groupId);

  let producer: Producer | undefined;
  if (!options.dryRun) {
    producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
  }
  const counts = { replayed: 0, otherCodes: 0, alreadyReplayed: 0, notDeadLetters: 0 };
  const topics = new Set<string>();
  try {
    await scanTopic(kafka, admin, dlqTopic, {
      // A dry run reads as a throwaway group, so it moves no progress.
      groupId: options.dryRun ? `tributary-dlq-dry-run-${randomUUID()}` : groupId,
      commit: !options.dryRun,
      deleteGroupAfter: Boolean(options.dryRun),
      logger: client.logger,
      onBatch: async (letters) => {
        const replays: Replay[] = [];
        for (const letter of letters) {
          const { info } = letter;
          if (!info) counts.notDeadLetters++;
          else if (await progress.replayed(letter, info)) counts.alreadyReplayed++;
          else if (options.filterCode !== undefined && info.errorCode !== options.filterCode) counts.otherCodes++;
          else {
            const to = options.to ?? info.topic;
            replays.push({ letter: { ...letter, info }, topic: to, partition: to === info.topic ? info.partition : undefined });
          }
        }
        if (!replays.length) return;
        if (producer) {
          for (const t of new Set(replays.map((r) => r.topic))) await targets.require(t);
          await producer.sendBatch({ topicMessages: toTopicMessages(replays), acks: -1 });
        }
        counts.replayed += replays.length;
        for (const replay of replays) {
          topics.add(replay.topic);
          options.onReplayed?.(replay);
        }
      },
    });
  } finally {
    await producer?.disconnect().catch((error: unknown) => client.logger.warn({ err: error }, 'disconnecting the replay producer failed'));
  }
  return { dlqTopic, groupId, ...counts, topics: [...topics].sort() };
}

function toTopicMessages(replays: readonly Replay[]): TopicMessages[] {
  const byTopic = new Map<string, Message[]>();
  for (const { letter, topic, partition } of replays) {
    const message: Message = { key: letter.key, value: letter.value, headers: originalHeaders(letter.headers), timestamp: letter.info.timestamp };
    if (partition !== undefined) message.partition = partition;
    byTopic.set(topic, [...(byTopic.get(topic) ?? []), message]);
  }
  return [...byTopic].map(([topic, messages]) => ({ topic, messages }));
}

/** What earlier replays committed, per group and partition (read once per group). */
class ReplayProgress {
  private readonly offsets = new Map<string, Promise<Map<number, number>>>();

  constructor(
    private readonly admin: Admin,
    private readonly dlqTopic: string,
  ) {}

  committed(groupId: string): Promise<Map<number, number>> {
    let known = this.offsets.get(groupId);
    if (!known) {
      known = this.admin
        .fetchOffsets({ groupId, topics: [this.dlqTopic] })
        .then(([t]) => new Map((t?.partitions ?? []).map((p) => [p.partition, Number(p.offset)])));
      this.offsets.set(groupId, known);
    }
    return known;
  }

  /** Below the offset of the every-code group, or of its own code's group. */
  async replayed(letter: DeadLetter, info: DeadLetterInfo): Promise<boolean> {
    const offset = Number(letter.dlqOffset);
    const all = await this.committed(replayGroupId(this.dlqTopic));
    const own = await this.committed(replayGroupId(this.dlqTopic, info.errorCode));
    return offset < (all.get(letter.dlqPartition) ?? -1) || offset < (own.get(letter.dlqPartition) ?? -1);
  }
}

/** Topics known to exist; a missing one is looked up once more (it may have just been made), then refused. */
class TargetTopics {
  private known: Set<string> | undefined;

  constructor(
    private readonly admin: Admin,
    private readonly dlqTopic: string,
  ) {}

  async require(topic: string): Promise<void> {
    if (this.known?.has(topic)) return;
    this.known = new Set(await this.admin.listTopics());
    if (!this.known.has(topic)) throw new ReplayTargetNotFoundError(topic, this.dlqTopic);
  }
}
