import { Command } from 'commander';
import { loadConnectionConfig, loadStackConfig, type ConnectionConfig } from '../../config.ts';
import { parseDemoOptions } from '../../demo/demoOptions.ts';
import { runDemo, type DemoOutput } from '../../demo/runDemo.ts';
import { TributaryError } from '../../errors.ts';
import { createLogger } from '../../logger.ts';
import { COMPONENT_NAMES, type ComponentName } from '../../stack/componentName.ts';
import { kafkaAnswers, redisAnswers, registryAnswers } from '../../stack/componentProbes.ts';
import { LocalStack } from '../../stack/localStack.ts';
import { terminalProgress } from '../../stack/terminalProgress.ts';

/**
 * `tributary demo` (what `npm start` runs): brings up the local stack when nothing answers at
 * the configured addresses, then runs the order system on topics of its own and drives it
 * with generated orders (see docs/demo.md). Ctrl-C stops producing; the demo then drains,
 * stops the workers and prints totals. Exits non-zero when the totals do not reconcile.
 */
export function demoCommand(): Command {
  return new Command('demo')
    .description('start the local stack if needed, run the order system and drive it with generated orders; totals must reconcile')
    .option('--rate <n>', 'orders per second', '20')
    .option('--duration <seconds>', 'stop producing after this long (default: until Ctrl-C)')
    .option('--orders <n>', 'stop producing after this many orders (default: until Ctrl-C)')
    .option('--declined <share>', 'share of orders whose customer is declined (payment fails)', '0.05')
    .option('--out-of-stock <share>', 'share of orders holding a sold-out SKU (inventory fails)', '0.05')
    .option('--no-carrier <share>', 'share of orders shipping to a country no carrier serves (shipping fails) (default: "0.03")')
    .option('--customer-cancels <share>', 'share of orders the customer cancels right after placing them', '0.02')
    .option('--groups <share>', 'share of orders placed in group checkouts (2–4 guests)', '0.05')
    .option('--payment-failure-rate <share>', 'the payment service declines this share of the other orders too', '0')
    .option('--inventory-failure-rate <share>', 'the inventory service is short for this share of the other orders', '0')
    .option('--shipping-failure-rate <share>', 'the shipping service fails this share of the other orders', '0')
    .option('--service-latency-ms <ms>', 'every service answers this late (above the saga step timeout, 10 s, steps time out)', '0')
    .option('--partitions <n>', 'partitions of each order topic', '4')
    .option('--workers <n>', 'worker processes, each running every order topology', '1')
    .option('--topic-prefix <prefix>', 'prefix of the run\'s topics and application ids (default: demo-<time>.)')
    .option('--drain-timeout <seconds>', 'how long to wait for orders in flight once production stops', '60')
    .option('--seed <n>', 'seed of the order generator (default: the time)')
    .option('--flow <flow>', 'orchestrated (the order saga runs each order) or choreographed (policies react to each other\'s events)', 'orchestrated')
    .action(async (flags: Record<string, string | boolean | undefined>) => {
      // Commander reads a `--no-…` flag as the negation of `--…`: it hands --no-carrier over as `carrier`, true when absent.
      const { carrier, ...rest } = flags;
      const options = parseDemoOptions({ ...rest, noCarrier: typeof carrier === 'string' ? carrier : undefined });
      const logger = createLogger(process.env.TRIBUTARY_LOG_LEVEL ?? 'warn');
      const connection = loadConnectionConfig();
      const out = terminalOutput();
      await ensureStack(connection, logger, out.line);
      out.line(`stack: kafka ${connection.brokers.join(',')} · registry ${connection.registryUrl} · redis ${connection.redisUrl}`);
      const stop = new AbortController();
      const onSignal = () => {
        out.line('stopping: no more orders; draining the ones in flight (Ctrl-C again to abandon)');
        stop.abort();
        process.once('SIGINT', () => process.exit(130));
      };
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      try {
        await runDemo(options, connection, logger, out, stop.signal);
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    });
}

/** Plain lines on stdout; on a terminal the live summary is redrawn in place, elsewhere printed every time. */
function terminalOutput(): DemoOutput {
  let liveLines = 0;
  const write = (text: string) => process.stdout.write(text);
  return {
    line(text) {
      liveLines = 0;
      write(`${text}\n`);
    },
    live(lines) {
      if (process.stdout.isTTY && liveLines > 0) write(`\x1b[${liveLines}A`);
      for (const line of lines) write(process.stdout.isTTY ? `\x1b[2K${line}\n` : `${line}\n`);
      liveLines = lines.length;
    },
  };
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
