import { Command } from 'commander';
import { loadConnectionConfig, loadStackConfig, type ConnectionConfig } from '../../config.ts';
import { TributaryError } from '../../errors.ts';
import { createLogger } from '../../logger.ts';
import { COMPONENT_NAMES, type ComponentName } from '../../stack/componentName.ts';
import { kafkaAnswers, redisAnswers, registryAnswers } from '../../stack/componentProbes.ts';
import { LocalStack } from '../../stack/localStack.ts';
import { runSmokePipeline } from '../../stack/smokePipeline.ts';
import { terminalProgress } from '../../stack/terminalProgress.ts';

/** The counts in Redis differ from what was produced: a component lost or duplicated records. */
class DemoMismatchError extends TributaryError {
  constructor(detail: string) {
    super('DEMO_MISMATCH', `counts in Redis do not match the records produced: ${detail}`);
  }
}

/**
 * `tributary demo`: brings up the local stack when nothing answers at the configured addresses,
 * then runs the smoke pipeline (Avro through the registry, Kafka consumer group, counts in Redis)
 * and prints what happened. Exits non-zero when the counts do not match.
 */
export function demoCommand(): Command {
  return new Command('demo')
    .description('start the local stack if needed and run the smoke pipeline end to end (Avro → Kafka → consumer group → Redis)')
    .action(async () => {
      const out = (line: string) => process.stdout.write(`${line}\n`);
      const logger = createLogger(process.env.TRIBUTARY_LOG_LEVEL ?? 'warn');
      const connection = loadConnectionConfig();
      await ensureStack(connection, logger, out);
      out(`stack: kafka ${connection.brokers.join(',')} · registry ${connection.registryUrl} · redis ${connection.redisUrl}`);

      const run = await runSmokePipeline({ connection, logger, onUnreadable: () => {} });
      const good = Object.values(run.produced).reduce((a, b) => a + b, 0);
      out(`registered ${run.subject} in the registry: schema id ${run.schemaId}`);
      out(`produced ${good} Avro records and ${run.malformedAt.length} malformed ones to ${run.topic}`);
      out(`consumer group ${run.groupId} read ${run.consumed} records, ${run.unreadable.length} unreadable (reported, and the consumer went on):`);
      for (const error of [...run.unreadable].sort((a, b) => a.partition - b.partition)) out(`  ${error.code}: ${error.message}`);
      out(`counts in Redis (keys ${run.redisPrefix}<sensor>):`);
      const wrong: string[] = [];
      for (const [key, produced] of Object.entries(run.produced)) {
        const counted = run.counted[key] ?? 0;
        if (counted !== produced) wrong.push(`${key} ${counted}/${produced}`);
        out(`  ${key.padEnd(10)} ${String(counted).padStart(4)}  (produced ${produced})${counted === produced ? '' : '  MISMATCH'}`);
      }
      if (wrong.length > 0) throw new DemoMismatchError(wrong.join(', '));
      out('ok: every count in Redis matches what was produced. The stack keeps running; `tributary stack down` stops it.');
    });
}

/** Starts the local stack's components that do not answer, if their addresses are the local stack's. */
async function ensureStack(connection: ConnectionConfig, logger: ReturnType<typeof createLogger>, out: (line: string) => void): Promise<void> {
  const answers = await Promise.all([kafkaAnswers(connection.brokers), registryAnswers(connection.registryUrl), redisAnswers(connection.redisUrl)]);
  const missing = COMPONENT_NAMES.filter((_, i) => !answers[i]);
  if (missing.length === 0) return;
  const configured: Record<ComponentName, boolean> = {
    kafka: process.env.KAFKA_BROKERS !== undefined,
    registry: process.env.SCHEMA_REGISTRY_URL !== undefined,
    redis: process.env.REDIS_URL !== undefined,
  };
  const elsewhere = missing.filter((name) => configured[name]);
  if (elsewhere.length > 0) {
    throw new TributaryError('DEMO_STACK_UNREACHABLE', `${elsewhere.join(', ')} does not answer at the configured address (check KAFKA_BROKERS, SCHEMA_REGISTRY_URL, REDIS_URL)`);
  }
  out(`starting the local stack (${missing.join(', ')}); the first start on a machine downloads Kafka and Apicurio jars, once`);
  const outcomes = await new LocalStack(loadStackConfig(), { logger, progress: terminalProgress() }).up(missing);
  for (const outcome of outcomes) out(`  ${outcome.name.padEnd(9)} ${outcome.address} ${outcome.action === 'started' ? `started (pid ${outcome.pid})` : 'already running'}`);
}
