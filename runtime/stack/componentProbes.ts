import { Kafka, Partitioners, logLevel } from 'kafkajs';
import { tcpExchange } from './tcpProbe.ts';

/**
 * Readiness checks that work against any deployment (local stack, containers, a remote cluster),
 * so the CLI, the test fixture and `LocalStack` agree on what "answers" means. None throws.
 */

/**
 * True when a broker answers metadata and a consumer-group coordinator is loaded. A listening port
 * is not enough: for a few seconds after start the coordinators reply COORDINATOR_LOAD_IN_PROGRESS,
 * and a consumer group joined then fails.
 */
export async function kafkaAnswers(brokers: readonly string[], timeoutMs = 3000): Promise<boolean> {
  const kafka = new Kafka({
    clientId: 'tributary-probe',
    brokers: [...brokers],
    connectionTimeout: Math.min(timeoutMs, 1000),
    requestTimeout: timeoutMs,
    retry: { retries: 0 },
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  const probe = (async () => {
    await admin.connect();
    // Fills kafkajs' broker pool (connect alone does not), which the coordinator lookup needs.
    await admin.listTopics();
    const { groups } = await admin.describeGroups(['tributary-readiness-probe']);
    return groups.length === 1;
  })();
  try {
    return await withTimeout(probe, timeoutMs + 1000);
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

/**
 * True when the broker hands out a producer id (InitProducerId), which an idempotent or
 * transactional producer needs first. On a fresh broker the transaction coordinator creates and
 * loads `__transaction_state` on that first request and answers "loading" for a few seconds, so a
 * broker that passes `kafkaAnswers` may still make the first producer retry.
 */
export async function kafkaGivesProducerIds(brokers: readonly string[], timeoutMs = 5000): Promise<boolean> {
  const kafka = new Kafka({ clientId: 'tributary-probe', brokers: [...brokers], connectionTimeout: 1000, requestTimeout: timeoutMs, logLevel: logLevel.NOTHING });
  // One quick retry inside kafkajs only; the caller's wait loop does the patient retrying.
  const producer = kafka.producer({ idempotent: true, createPartitioner: Partitioners.DefaultPartitioner, retry: { retries: 1, initialRetryTime: 100 } });
  try {
    return await withTimeout(producer.connect().then(() => true), timeoutMs + 1000);
  } catch {
    return false;
  } finally {
    await producer.disconnect().catch(() => {});
  }
}

/** True when the schema registry's Confluent API lists subjects (`GET <url>/subjects` is 200). */
export async function registryAnswers(registryUrl: string, timeoutMs = 3000): Promise<boolean> {
  try {
    const response = await fetch(`${registryUrl.replace(/\/$/, '')}/subjects`, { signal: AbortSignal.timeout(timeoutMs) });
    await response.arrayBuffer();
    return response.status === 200;
  } catch {
    return false;
  }
}

/**
 * True when a Redis answers PING. `-NOAUTH` also counts (a password-protected Redis is up);
 * `-LOADING` does not (it is still reading its append-only file). TLS (`rediss://`) is not probed.
 */
export async function redisAnswers(redisUrl: string, timeoutMs = 2000): Promise<boolean> {
  const url = new URL(redisUrl);
  if (url.protocol === 'rediss:') return true;
  const answer = await tcpExchange(url.hostname, Number(url.port || 6379), timeoutMs, 'PING\r\n');
  return answer !== undefined && (answer.startsWith('+PONG') || answer.startsWith('-NOAUTH'));
}

/** Slots of a Redis Cluster; `cluster_state:ok` needs every one assigned to a node that is not failing. */
const CLUSTER_SLOTS = 16384;

/**
 * True when every node of a Redis Cluster reports `cluster_state:ok` with all 16384 slots assigned.
 * A node that answers PING may still be alone (not joined), or refuse writes for two seconds after a
 * restart until it is sure of its slots. `clusterUrl` lists the nodes: `redis://host:port,host:port,…`.
 */
export async function redisClusterAnswers(clusterUrl: string, timeoutMs = 2000): Promise<boolean> {
  const nodes = clusterUrl.replace(/^redis:\/\//, '').split(',');
  const infos = await Promise.all(
    nodes.map((node) => {
      const colon = node.lastIndexOf(':');
      return redisClusterInfo(node.slice(0, colon), Number(node.slice(colon + 1)), timeoutMs);
    }),
  );
  return infos.every((info) => info?.cluster_state === 'ok' && Number(info.cluster_slots_assigned) === CLUSTER_SLOTS);
}

/**
 * One node's `CLUSTER INFO` as fields (`cluster_state`, `cluster_slots_assigned`, `cluster_known_nodes`, …),
 * or undefined when it does not answer, still loads its data, or does not run in cluster mode.
 */
export async function redisClusterInfo(host: string, port: number, timeoutMs = 2000): Promise<Record<string, string> | undefined> {
  // A bulk string ('$<length>'); an error ('-LOADING', '-ERR This instance has cluster support disabled') is no answer.
  const answer = await tcpExchange(host, port, timeoutMs, 'CLUSTER INFO\r\n');
  if (answer === undefined || !answer.startsWith('$')) return undefined;
  const fields = answer
    .split('\r\n')
    .slice(1)
    .map((line) => line.split(':'))
    .filter((field): field is [string, string] => field.length === 2);
  return Object.fromEntries(fields);
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
