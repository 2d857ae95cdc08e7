import { loadConnectionConfig, loadStackConfig, type ConnectionConfig, type StackConfig } from '../../runtime/config.ts';
import { createLogger } from '../../runtime/logger.ts';
import type { ComponentName } from '../../runtime/stack/componentName.ts';
import { kafkaAnswers, redisAnswers, registryAnswers } from '../../runtime/stack/componentProbes.ts';
import { LocalStack } from '../../runtime/stack/localStack.ts';
import { terminalProgress } from '../../runtime/stack/terminalProgress.ts';
import type { ContainerStack } from './containerStack.ts';

/**
 * Mocha's global fixture for `npm test`: makes Kafka, the schema registry and Redis answer at
 * the addresses `loadConnectionConfig()` gives, so every test reads them from there.
 *
 * - Components that already answer are used as they are (a stack you started, or a remote one
 *   named by KAFKA_BROKERS / SCHEMA_REGISTRY_URL / REDIS_URL).
 * - Missing ones are started with the local stack (`LocalStack.up`), when the address is the
 *   local stack's; teardown stops exactly what setup started, nothing else.
 * - `TRIBUTARY_TEST_STACK=containers` starts all three with testcontainers instead and exports
 *   their addresses through the environment variables.
 */
let startedLocally: { stack: LocalStack; components: ComponentName[] } | undefined;
let containers: ContainerStack | undefined;

export async function mochaGlobalSetup(): Promise<void> {
  if (process.env.TRIBUTARY_TEST_STACK === 'containers') {
    const { startContainerStack } = await import('./containerStack.ts');
    containers = await startContainerStack();
    Object.assign(process.env, containers.env);
    return;
  }
  const connection = loadConnectionConfig();
  const stackConfig = loadStackConfig();
  const missing = await componentsNotAnswering(connection);
  if (missing.length === 0) return;

  const notLocal = missing.filter((name) => !pointsAtLocalStack(name, connection, stackConfig));
  if (notLocal.length > 0) {
    throw new Error(`test stack: ${notLocal.map((name) => `${name} at ${addressOf(name, connection)}`).join(', ')} does not answer, and it is not the local stack, so the tests cannot start it`);
  }
  const logger = createLogger(process.env.TRIBUTARY_LOG_LEVEL ?? 'warn');
  const stack = new LocalStack(stackConfig, { logger, progress: terminalProgress() });
  process.stderr.write(`test stack: starting ${missing.join(', ')} (tributary stack up); stopped again after the run\n`);
  const outcomes = await stack.up(missing);
  startedLocally = { stack, components: outcomes.filter((o) => o.action === 'started').map((o) => o.name) };
}

export async function mochaGlobalTeardown(): Promise<void> {
  if (containers) await containers.stop();
  if (startedLocally) {
    await startedLocally.stack.down(startedLocally.components);
    process.stderr.write(`test stack: stopped ${startedLocally.components.join(', ')}\n`);
  }
}

async function componentsNotAnswering(connection: ConnectionConfig): Promise<ComponentName[]> {
  const [kafka, registry, redis] = await Promise.all([
    kafkaAnswers(connection.brokers),
    registryAnswers(connection.registryUrl),
    redisAnswers(connection.redisUrl),
  ]);
  return (['kafka', 'registry', 'redis'] as const).filter((_, i) => ![kafka, registry, redis][i]);
}

function pointsAtLocalStack(name: ComponentName, connection: ConnectionConfig, stack: StackConfig): boolean {
  const local = loadConnectionConfig({}, portsOnly(stack));
  return addressOf(name, connection) === addressOf(name, local);
}

/** An environment with only the stack's ports, so loadConnectionConfig yields the local stack's addresses. */
function portsOnly(stack: StackConfig): Record<string, string> {
  return {
    TRIBUTARY_KAFKA_PORT: String(stack.kafkaPort),
    TRIBUTARY_REGISTRY_PORT: String(stack.registryPort),
    TRIBUTARY_REDIS_PORT: String(stack.redisPort),
  };
}

function addressOf(name: ComponentName, connection: ConnectionConfig): string {
  if (name === 'kafka') return connection.brokers.join(',');
  return name === 'registry' ? connection.registryUrl : connection.redisUrl;
}
