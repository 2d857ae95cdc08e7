import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel, Partitioners, type IHeaders, type Message } from 'kafkajs';
import { loadConnectionConfig } from '../../../runtime/config.ts';
import { replayGroupId } from '../../../runtime/deadLetters/replayDeadLetters.ts';
import { ProcessingError } from '../../../runtime/processingError.ts';
import { OUTPUT_ID_HEADER } from '../../../runtime/worker/outboxRecord.ts';
import { deadLetterHeaders, type FailedRecordOrigin } from '../../../schemas/deadLetterHeaders.ts';
import { NotFramedError } from '../../../schemas/errors.ts';
import { createTopics } from '../../../runtime/kafka/createTopics.ts';

const REPO = fileURLToPath(new URL('../../..', import.meta.url));
const connection = loadConnectionConfig();

/** Runs the CLI as a user would; resolves with its exit code and output, never rejects. */
function tributary(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const env = { ...process.env, KAFKA_BROKERS: connection.brokers.join(',') };
    execFile(process.execPath, ['bin/tributary.js', ...args], { cwd: REPO, env, timeout: 120_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

interface Consumed {
  readonly partition: number;
  readonly key: string | null;
  readonly value: Buffer | null;
  readonly timestamp: string;
  readonly headers: Record<string, Buffer>;
}

// Dead letters as a worker writes them (StreamTask.deadLetter): the original key, value and
// headers, the tributary.dlq.* headers from deadLetterHeaders, a tributary.id, the original timestamp.
describe('tributary dlq (CLI) against Kafka', function () {
  this.timeout(120_000);
  const kafka = new Kafka({ clientId: 'dlq-test', brokers: connection.brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  const topic = `tributary.test.dlq.${Date.now().toString(36)}.${randomUUID().slice(0, 6)}`;
  const dlq = `${topic}.dlq`;
  const elsewhere = `${topic}.elsewhere`;
  const now = Date.now() - 60_000;

  const notFramed = { origin: { topic, partition: 1, offset: '5', timestamp: String(now) }, key: 'order-1', value: Buffer.from([0, 0, 0, 0, 7, 0xff]) };
  const failed = { origin: { topic, partition: 0, offset: '9', timestamp: String(now + 1000) }, key: 'order-2', value: Buffer.from('{"price":-1}') };
  const unknown = { origin: { topic, partition: 0, offset: '12', timestamp: String(now + 2000) }, key: 'order-3', value: null };
  const binaryHeader = Buffer.from([0, 0xff, 1, 0x80]);

  function deadLetter(error: unknown, letter: { origin: FailedRecordOrigin; key: string; value: Buffer | null }, dlqPartition: number, headers: IHeaders = {}): Message {
    const { origin } = letter;
    return {
      partition: dlqPartition,
      key: letter.key,
      value: letter.value,
      timestamp: origin.timestamp,
      headers: { ...headers, ...deadLetterHeaders(error, origin, Number(origin.timestamp)), [OUTPUT_ID_HEADER]: `${origin.topic}/${origin.partition}/${origin.offset}/0` },
    };
  }

  /** Writes dead letters; `transactional` as an exactly_once worker does (a commit marker follows them). */
  async function produce(messages: Message[], transactional = false): Promise<void> {
    const producer = transactional
      ? kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, transactionalId: `dlq-test-${randomUUID()}`, idempotent: true, maxInFlightRequests: 1 })
      : kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    try {
      if (!transactional) return void (await producer.send({ topic: dlq, messages, acks: -1 }));
      const transaction = await producer.transaction();
      await transaction.send({ topic: dlq, messages, acks: -1 });
      await transaction.commit();
    } finally {
      await producer.disconnect();
    }
  }

  /** Every record of `name` up to its current end, read as a throwaway group. */
  async function readTopic(name: string): Promise<Consumed[]> {
    const offsets = await admin.fetchTopicOffsets(name);
    const total = offsets.reduce((sum, o) => sum + Number(o.high) - Number(o.low), 0);
    const records: Consumed[] = [];
    if (!total) return records;
    const groupId = `dlq-test-reader-${randomUUID()}`;
    const consumer = kafka.consumer({ groupId });
    await consumer.connect();
    try {
      await consumer.subscribe({ topics: [name], fromBeginning: true });
      await new Promise<void>((resolve) => {
        void consumer.run({
          eachMessage: async ({ partition, message }) => {
            const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, v as Buffer]));
            records.push({ partition, key: message.key?.toString() ?? null, value: message.value, timestamp: message.timestamp, headers });
            if (records.length >= total) resolve();
          },
        });
      });
    } finally {
      await consumer.disconnect();
      await admin.deleteGroups([groupId]).catch(() => undefined);
    }
    return records.sort((a, b) => (a.key ?? '').localeCompare(b.key ?? ''));
  }

  async function recordCount(name: string): Promise<number> {
    return (await admin.fetchTopicOffsets(name)).reduce((sum, o) => sum + Number(o.high), 0);
  }

  before(async () => {
    await admin.connect();
    await createTopics(admin, [
        { topic, numPartitions: 2 },
        { topic: dlq, numPartitions: 2 },
        { topic: elsewhere, numPartitions: 1 },
      ]);
    await produce([
      deadLetter(new NotFramedError('magic byte is 7, not 0'), notFramed, 0, { trace: 'abc-123', binary: binaryHeader }),
      deadLetter(new ProcessingError('KSTREAM-MAPVALUES-0000000001', { topic, partition: 0, offset: 9 }, new Error('price must be positive')), failed, 1),
      deadLetter(new Error('boom'), unknown, 0),
    ]);
  });

  after(async () => {
    const groups = [replayGroupId(dlq), ...['NOT_FRAMED', 'PROCESSING', 'UNKNOWN'].map((code) => replayGroupId(dlq, code))];
    await admin.deleteGroups(groups).catch(() => undefined);
    await admin.deleteTopics({ topics: [topic, dlq, elsewhere] }).catch(() => undefined);
    await admin.disconnect();
  });

  it('lists each dead letter with its original position, error code, class, message and failure time', async () => {
    const run = await tributary('dlq', 'list', topic);
    assert.equal(run.code, 0, run.stderr);
    const lines = run.stdout.trimEnd().split('\n');
    assert.equal(lines.length, 3, run.stdout);
    // Dead-letter partition 0 first (notFramed, then unknown), then partition 1.
    const escaped = topic.replace(/\./g, '\\.');
    assert.match(lines[0]!, new RegExp(`^${escaped}\\[1\\]@5 +NOT_FRAMED +NotFramedError +magic byte is 7, not 0 +failed at ${new Date(now).toISOString()}$`));
    assert.match(lines[1]!, new RegExp(`^${escaped}\\[0\\]@12 +UNKNOWN +Error +boom +failed at ${new Date(now + 2000).toISOString()}$`));
    assert.match(lines[2]!, new RegExp(`^${escaped}\\[0\\]@9 +PROCESSING +ProcessingError +processor 'KSTREAM-MAPVALUES-0000000001' failed on ${escaped}\\[0\\]@9: price must be positive +failed at `));
  });

  it('accepts the dead-letter topic itself and prints a JSON array with --json', async () => {
    const run = await tributary('dlq', 'list', dlq, '--json');
    assert.equal(run.code, 0, run.stderr);
    const letters = JSON.parse(run.stdout) as Record<string, unknown>[];
    assert.equal(letters.length, 3);
    assert.deepEqual(letters[0], {
      topic,
      partition: 1,
      offset: 5,
      errorCode: 'NOT_FRAMED',
      errorClass: 'NotFramedError',
      errorMessage: 'magic byte is 7, not 0',
      failedAt: new Date(now).toISOString(),
      timestamp: new Date(now).toISOString(),
      key: Buffer.from('order-1').toString('base64'),
      dlq: { topic: dlq, partition: 0, offset: 0 },
    });
    assert.deepEqual(letters.map((l) => l.errorCode), ['NOT_FRAMED', 'UNKNOWN', 'PROCESSING']);
  });

  it('prints only the first N dead letters with --limit N', async () => {
    const run = await tributary('dlq', 'list', topic, '--limit', '2');
    assert.equal(run.code, 0, run.stderr);
    const lines = run.stdout.trimEnd().split('\n');
    assert.equal(lines.length, 2);
    assert.match(lines[1]!, /@12 +UNKNOWN/);
  });

  it('leaves no consumer group behind and moves no replay progress when listing', async () => {
    const { groups } = await admin.listGroups();
    assert.deepEqual(groups.filter((g) => g.groupId.startsWith('tributary-dlq-list-')), []);
    const [replay] = await admin.fetchOffsets({ groupId: replayGroupId(dlq), topics: [dlq] });
    assert.ok(replay!.partitions.every((p) => p.offset === '-1'));
  });

  it('says what it would replay with --dry-run, and writes and commits nothing', async () => {
    const run = await tributary('dlq', 'replay', topic, '--dry-run');
    assert.equal(run.code, 0, run.stderr);
    const lines = run.stdout.trimEnd().split('\n');
    assert.equal(lines.length, 4, run.stdout);
    assert.match(lines[0]!, new RegExp(`^would replay +${topic.replace(/\./g, '\\.')}\\[1\\]@5 +NOT_FRAMED +→ ${topic.replace(/\./g, '\\.')}\\[1\\]`));
    assert.equal(lines[3], `would replay 3 dead letters from ${dlq} to ${topic}`);
    assert.equal(await recordCount(topic), 0);
    const [replay] = await admin.fetchOffsets({ groupId: replayGroupId(dlq), topics: [dlq] });
    assert.ok(replay!.partitions.every((p) => p.offset === '-1'));
  });

  it('replays only the dead letters of one code with --filter-code, leaving the others for later', async () => {
    const run = await tributary('dlq', 'replay', topic, '--filter-code', 'NOT_FRAMED');
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, `replayed 1 dead letter from ${dlq} to ${topic} (2 with other codes left for later)\n`);
    const records = await readTopic(topic);
    assert.deepEqual(records.map((r) => r.key), ['order-1']);
  });

  it('replays the rest to their original partitions with key, value, timestamp and original headers, without the dead-letter headers', async () => {
    const run = await tributary('dlq', 'replay', topic);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, `replayed 2 dead letters from ${dlq} to ${topic}\n`, 'the one --filter-code replayed is not replayed again');
    const records = await readTopic(topic);
    assert.deepEqual(records.map((r) => [r.key, r.partition, r.timestamp]), [
      ['order-1', 1, String(now)],
      ['order-2', 0, String(now + 1000)],
      ['order-3', 0, String(now + 2000)],
    ]);
    const [one, two, three] = records;
    assert.deepEqual(one!.value, notFramed.value);
    assert.deepEqual(two!.value, failed.value);
    assert.equal(three!.value, null);
    assert.deepEqual(Object.keys(one!.headers).sort(), ['binary', 'trace', OUTPUT_ID_HEADER]);
    assert.equal(one!.headers.trace!.toString(), 'abc-123');
    assert.deepEqual(one!.headers.binary, binaryHeader);
    assert.equal(one!.headers[OUTPUT_ID_HEADER]!.toString(), `${topic}/1/5/0`);
    for (const record of records) assert.ok(Object.keys(record.headers).every((h) => !h.startsWith('tributary.dlq.')), `${record.key} has no dead-letter headers`);
  });

  it('replays nothing the second time', async () => {
    const run = await tributary('dlq', 'replay', topic);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, `replayed 0 dead letters from ${dlq}\n`);
    assert.equal(await recordCount(topic), 3);
    const dry = await tributary('dlq', 'replay', topic, '--dry-run');
    assert.equal(dry.stdout, `would replay 0 dead letters from ${dlq}\n`);
    const filtered = await tributary('dlq', 'replay', topic, '--filter-code', 'PROCESSING');
    assert.equal(filtered.stdout, `replayed 0 dead letters from ${dlq}\n`, 'what a replay of every code took is not left for later');
  });

  it('takes only the dead letters that arrived since the last replay, and writes them to --to partitioned by key', async () => {
    const late = { origin: { topic, partition: 1, offset: '20', timestamp: String(now + 3000) }, key: 'order-4', value: Buffer.from('late') };
    await produce([deadLetter(new Error('late failure'), late, 1, { trace: 'def' })], true);
    const run = await tributary('dlq', 'replay', topic, '--to', elsewhere);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stderr, '');
    assert.equal(run.stdout, `replayed 1 dead letter from ${dlq} to ${elsewhere}\n`);
    const records = await readTopic(elsewhere);
    assert.deepEqual(records.map((r) => [r.key, r.value?.toString(), r.headers.trace?.toString()]), [['order-4', 'late', 'def']]);
    assert.equal(await recordCount(topic), 3);
  });

  it('prints one error line and exits 1 for a topic that does not exist', async () => {
    for (const command of ['list', 'replay']) {
      const run = await tributary('dlq', command, `${topic}.missing`);
      assert.equal(run.code, 1);
      assert.equal(run.stdout, '');
      assert.equal(run.stderr, `error: topic ${topic}.missing.dlq does not exist (a worker creates <topic>.dlq for each topic it reads)\n`);
    }
  });

  it('refuses bad flags with one error line and a non-zero exit', async () => {
    const limit = await tributary('dlq', 'list', topic, '--limit', 'ten');
    assert.notEqual(limit.code, 0);
    assert.equal(limit.stderr, "error: --limit must be a positive integer, not 'ten'\n");
    const brokers = await tributary('dlq', 'list', topic, '--brokers', 'no-port');
    assert.notEqual(brokers.code, 0);
    assert.equal(brokers.stderr, 'error: invalid connection setting brokers.0: a broker is host:port\n');
    const unknown = await tributary('dlq', 'replay', topic, '--dryrun');
    assert.notEqual(unknown.code, 0);
    assert.match(unknown.stderr.split('\n')[0]!, /^error: unknown option '--dryrun'/);
  });
});
