import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import { loadConnectionConfig } from '../../../runtime/config.ts';
import { createTopics } from '../../../runtime/kafka/createTopics.ts';

const REPO = fileURLToPath(new URL('../../..', import.meta.url));
const FIXTURE = 'test/fault/fixtures/sumTopology.ts';

function run(env: Record<string, string>, ...args: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile('node', ['bin/tributary.js', 'run', ...args], { cwd: REPO, timeout: 60_000, env: { ...process.env, TRIBUTARY_LOG_LEVEL: 'silent', ...env } }, (error, _stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stderr }),
    );
  });
}

describe('tributary run with a setup that makes no sense', function () {
  this.timeout(90_000);
  const id = randomBytes(4).toString('hex');
  const topics = { SUM_INPUT_TOPIC: `run.${id}.numbers`, SUM_OUTPUT_TOPIC: `run.${id}.sums`, SUM_FACTORS_TOPIC: `run.${id}.factors`, SUM_SCALED_TOPIC: `run.${id}.scaled` };
  const kafka = new Kafka({ brokers: loadConnectionConfig().brokers, logLevel: logLevel.NOTHING });

  after(async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: Object.values(topics) }).catch(() => undefined);
    await admin.disconnect();
  });

  it('exits 1 naming the input topic that does not exist', async () => {
    const { code, stderr } = await run(topics, FIXTURE, '--application-id', `run-${id}`);
    assert.equal(code, 1);
    assert.equal(stderr, `error: input topics ${topics.SUM_INPUT_TOPIC}, ${topics.SUM_FACTORS_TOPIC} of application 'run-${id}' do not exist\n`);
  });

  it('exits 1 naming joined topics whose partition counts differ', async () => {
    const admin = kafka.admin();
    await admin.connect();
    await createTopics(admin, [
      { topic: topics.SUM_INPUT_TOPIC, numPartitions: 6 },
      { topic: topics.SUM_FACTORS_TOPIC, numPartitions: 3 },
    ]);
    await admin.disconnect();
    const { code, stderr } = await run(topics, FIXTURE, '--application-id', `run-${id}`);
    assert.equal(code, 1);
    assert.equal(stderr, `error: ${topics.SUM_INPUT_TOPIC} (6 partitions) and ${topics.SUM_FACTORS_TOPIC} (3 partitions) are joined, so they must have the same partition count\n`);
  });

  it('exits non-zero on a guarantee it does not know, before connecting', async () => {
    const { code, stderr } = await run(topics, FIXTURE, '--guarantee', 'exactly_twice');
    assert.notEqual(code, 0);
    assert.match(stderr.split('\n')[0]!, /^error: option '--guarantee <guarantee>' argument 'exactly_twice' is invalid/);
  });

  it('exits 1 when --application-id is given for several topologies', async () => {
    const { code, stderr } = await run(topics, FIXTURE, FIXTURE, '--application-id', 'x');
    assert.equal(code, 1);
    assert.equal(stderr, 'error: --application-id names one application; run one topology with it\n');
  });
});
