import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { loadStackConfig } from '../../../runtime/config.ts';
import { createLogger } from '../../../runtime/logger.ts';
import { LocalStack, type ComponentStatus } from '../../../runtime/stack/localStack.ts';
import { waitFor } from '../../../runtime/stack/waitFor.ts';

const REPO = fileURLToPath(new URL('../../..', import.meta.url));

/** Runs the CLI as a user would; resolves with its exit code and output, never rejects. */
function tributary(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('node', ['bin/tributary.js', ...args], { cwd: REPO, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

/** Runs redis-cli with `args`, feeding `input` (one command a line) on stdin; rejects when it fails. */
function redisCli(args: string[], input = ''): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile('redis-cli', args, { timeout: 10_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`redis-cli ${args.join(' ')} failed: ${stderr || error.message}`));
      else resolve(stdout);
    });
    // redis-cli given a command may exit before reading stdin: a write to its closed pipe is not a failure.
    child.stdin!.on('error', () => undefined);
    child.stdin!.end(input);
  });
}

/** The slot ranges `redis-cli --cluster create` gives three masters, in node order. */
const SLOT_RANGES = [
  [0, 5460],
  [5461, 10922],
  [10923, 16383],
] as const;
const KEYS_PER_RANGE = 4;

describe('the local Redis Cluster (`tributary stack … redis-cluster`)', function () {
  this.timeout(60_000);
  const stack = new LocalStack(loadStackConfig(), { logger: createLogger('silent') });
  const ports = [0, 1, 2].map((i) => stack.config.redisClusterPort + i);
  const address = `redis://${ports.map((port) => `127.0.0.1:${port}`).join(',')}`;
  const clusterStatus = async (): Promise<ComponentStatus> => (await stack.status(['redis-cluster']))[0]!;
  const clusterInfos = () => Promise.all(ports.map((port) => redisCli(['-p', String(port), 'cluster', 'info'])));
  const prefix = `tributary:test:cluster:${Date.now()}:`;
  /** Keys of this run by the node whose slot range holds them (filled once the cluster is up). */
  const keysByNode: string[][] = [[], [], []];
  let startedHere = false;

  before(async function () {
    const { state } = await clusterStatus();
    // Someone else's cluster on our ports: these tests restart and kill nodes, so leave it alone.
    if (state === 'external') this.skip();
    startedHere = state === 'down';
  });

  after(async () => {
    if (keysByNode.flat().length > 0) await redisCli(['-c', '-p', String(ports[0])], keysByNode.flat().map((key) => `DEL ${key}\n`).join('')).catch(() => {});
    if (startedHere) {
      const down = await tributary('stack', 'down', 'redis-cluster');
      assert.equal(down.code, 0, down.stderr);
    }
  });

  it('starts three nodes with `stack up redis-cluster` and every node reports cluster_state:ok with all 16384 slots', async () => {
    const up = await tributary('stack', 'up', 'redis-cluster');
    assert.equal(up.code, 0, up.stderr);
    const line = up.stdout.trim();
    assert.ok(line.startsWith('redis-cluster '), line);
    assert.ok(line.includes(address), line);
    assert.match(line, startedHere ? /started \(pids \d+,\d+,\d+, [\d.]+ s\)$/ : /already running$/);

    for (const info of await clusterInfos()) {
      assert.match(info, /^cluster_state:ok\r?$/m);
      assert.match(info, /^cluster_slots_assigned:16384\r?$/m);
      assert.match(info, /^cluster_known_nodes:3\r?$/m);
      assert.match(info, /^cluster_size:3\r?$/m);
    }
  });

  it('leaves a formed cluster alone on a second `stack up redis-cluster`', async () => {
    const before = await clusterStatus();
    const up = await tributary('stack', 'up', 'redis-cluster');
    assert.equal(up.code, 0, up.stderr);
    assert.match(up.stdout, /^redis-cluster\s+\S+\s+already running$/m);
    assert.deepEqual((await clusterStatus()).pids, before.pids);
  });

  it('lists the running cluster in `stack status --json` with one pid per node', async () => {
    const { code, stdout } = await tributary('stack', 'status', '--json');
    assert.equal(code, 0);
    const cluster = (JSON.parse(stdout) as ComponentStatus[]).find((s) => s.name === 'redis-cluster');
    assert.ok(cluster, 'redis-cluster is listed while it runs');
    assert.equal(cluster.address, address);
    assert.equal(cluster.state, 'up');
    assert.equal(cluster.pids.length, 3);
  });

  it('stores keys in every slot range through `redis-cli -c`, each on the node that owns its range', async () => {
    // Ask the cluster for each candidate key's slot, and keep a few keys per range.
    const candidates = Array.from({ length: 60 }, (_, i) => `${prefix}${i}`);
    const slots = (await redisCli(['-p', String(ports[0])], candidates.map((key) => `CLUSTER KEYSLOT ${key}\n`).join(''))).trim().split('\n').map(Number);
    candidates.forEach((key, i) => {
      const node = SLOT_RANGES.findIndex(([low, high]) => slots[i]! >= low && slots[i]! <= high);
      if (keysByNode[node]!.length < KEYS_PER_RANGE) keysByNode[node]!.push(key);
    });
    assert.deepEqual(keysByNode.map((keys) => keys.length), [KEYS_PER_RANGE, KEYS_PER_RANGE, KEYS_PER_RANGE]);

    // Written through node 0, so two thirds of the writes follow a MOVED redirect.
    const keys = keysByNode.flat();
    const written = await redisCli(['-c', '-p', String(ports[0])], keys.map((key) => `SET ${key} value-of-${key}\n`).join(''));
    assert.equal(written.split('\n').filter((line) => line === 'OK').length, keys.length, written);

    for (const [node, port] of ports.entries()) {
      const held = (await redisCli(['-p', String(port), '--scan', '--pattern', `${prefix}*`])).trim().split('\n').filter(Boolean);
      assert.deepEqual(held.sort(), [...keysByNode[node]!].sort(), `node ${node} (port ${port}) holds exactly the keys of slots ${SLOT_RANGES[node]!.join('–')}`);
    }
    assert.deepEqual(await readBack(keys), keys.map((key) => `value-of-${key}`));
  });

  it('comes back as the same cluster with its keys after `stack down redis-cluster` and `stack up redis-cluster`', async () => {
    const nodeIds = await Promise.all(ports.map((port) => redisCli(['-p', String(port), 'cluster', 'myid'])));
    const down = await tributary('stack', 'down', 'redis-cluster');
    assert.equal(down.code, 0, down.stderr);
    assert.match(down.stdout, /^redis-cluster\s+stopped$/m);
    assert.equal((await clusterStatus()).state, 'down');

    const up = await tributary('stack', 'up', 'redis-cluster');
    assert.equal(up.code, 0, up.stderr);
    assert.match(up.stdout, /^redis-cluster\s+\S+\s+started \(pids \d+,\d+,\d+/m);
    for (const info of await clusterInfos()) assert.match(info, /^cluster_state:ok\r?$/m);
    assert.deepEqual(await Promise.all(ports.map((port) => redisCli(['-p', String(port), 'cluster', 'myid']))), nodeIds, 'each node kept its nodes.conf');
    const keys = keysByNode.flat();
    assert.deepEqual(await readBack(keys), keys.map((key) => `value-of-${key}`));
  });

  it('shows one killed node as not answering, and `stack up redis-cluster` restarts the nodes into a healthy cluster', async () => {
    const before = await clusterStatus();
    assert.equal(stack.kill('redis-cluster', 'SIGKILL', 1), true);
    // SIGKILL is delivered asynchronously; the pid file stays until the process is gone.
    await waitFor(async () => (await clusterStatus()).pids.length === 2, { timeoutMs: 5000, intervalMs: 50 });
    const killed = await clusterStatus();
    assert.equal(killed.state, 'unresponsive');
    assert.deepEqual(killed.pids, [before.pids[0], before.pids[2]]);

    const up = await tributary('stack', 'up', 'redis-cluster');
    assert.equal(up.code, 0, up.stderr);
    assert.equal((await clusterStatus()).state, 'up');
    const keys = keysByNode.flat();
    assert.deepEqual(await readBack(keys), keys.map((key) => `value-of-${key}`));
  });

  /** GETs every key through node 2, following redirects; the values in key order. */
  async function readBack(keys: readonly string[]): Promise<string[]> {
    const output = await redisCli(['-c', '-p', String(ports[2])], keys.map((key) => `GET ${key}\n`).join(''));
    return output.split('\n').filter((line) => line !== '' && !line.startsWith('-> Redirected'));
  }
});
