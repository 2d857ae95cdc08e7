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

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
