import { randomBytes } from 'node:crypto';
import { AssignerProtocol, type Admin, type Kafka } from 'kafkajs';

/** True once `group` has committed, on every partition of every topic, the topic's end offset: it has processed everything there is. */
export async function caughtUp(admin: Admin, group: string, topics: readonly string[]): Promise<boolean> {
  const committed = await admin.fetchOffsets({ groupId: group, topics: [...topics] });
  for (const topic of topics) {
    const ends = await admin.fetchTopicOffsets(topic);
    const mine = committed.find((c) => c.topic === topic)?.partitions ?? [];
    for (const end of ends) {
      if (Number(end.high) === Number(end.low)) continue;
      if (Number(mine.find((p) => p.partition === end.partition)?.offset ?? -1) < Number(end.high)) return false;
    }
  }
  return true;
}

/** Records in a topic now, over all partitions (those emptyTopic deleted not counted). */
export async function recordCount(admin: Admin, topic: string): Promise<number> {
  const offsets = await admin.fetchTopicOffsets(topic);
  return offsets.reduce((n, o) => n + Number(o.high) - Number(o.low), 0);
}

/** Deletes every record of a topic now (the log start moves to its end), so a workload run again over the same output starts from an empty topic. */
export async function emptyTopic(admin: Admin, topic: string): Promise<void> {
  const offsets = await admin.fetchTopicOffsets(topic);
  await admin.deleteTopicRecords({ topic, partitions: offsets.map((o) => ({ partition: o.partition, offset: o.high })) });
}

/**
 * The largest timestamp among the last record of each partition: for a topic created with
 * `message.timestamp.type=LogAppendTime`, when the broker appended the last record. Reads
 * only those records, as a throwaway group that it deletes afterwards.
 */
export async function lastTimestamp(kafka: Kafka, admin: Admin, topic: string): Promise<number> {
  const offsets = (await admin.fetchTopicOffsets(topic)).filter((o) => Number(o.high) > Number(o.low));
  if (!offsets.length) throw new Error(`${topic} is empty`);
  const groupId = `bench-probe-${randomBytes(4).toString('hex')}`;
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100, allowAutoTopicCreation: false });
  const pending = new Set(offsets.map((o) => o.partition));
  let latest = 0;
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [topic] });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        const high = Number(offsets.find((o) => o.partition === batch.partition)?.high ?? -1);
        const last = batch.messages.find((m) => Number(m.offset) === high - 1);
        if (!last || !pending.has(batch.partition)) return;
        latest = Math.max(latest, Number(last.timestamp));
        pending.delete(batch.partition);
        if (!pending.size) done();
      },
    });
    for (const o of offsets) consumer.seek({ topic, partition: o.partition, offset: String(Number(o.high) - 1) });
    const timeout = setTimeout(() => done(), 60_000);
    await finished;
    clearTimeout(timeout);
    if (pending.size) throw new Error(`could not read the last record of ${topic} partitions ${[...pending].join(', ')}`);
    return latest;
  } finally {
    await consumer.disconnect().catch(() => undefined);
    await admin.deleteGroups([groupId]).catch(() => undefined);
  }
}

/** True once `group` is stable and its members between them own every partition of `topics` (`partitions` each). */
export async function groupOwnsAll(admin: Admin, group: string, topics: readonly string[], partitions: number): Promise<boolean> {
  const [description] = (await admin.describeGroups([group])).groups;
  if (description?.state !== 'Stable') return false;
  let owned = 0;
  for (const member of description.members) {
    const decoded = AssignerProtocol.MemberAssignment.decode(member.memberAssignment);
    for (const topic of topics) owned += decoded?.assignment[topic]?.length ?? 0;
  }
  return owned >= topics.length * partitions;
}
