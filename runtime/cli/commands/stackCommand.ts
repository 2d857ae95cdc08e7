import { Command } from 'commander';
import { loadStackConfig } from '../../config.ts';
import { createLogger } from '../../logger.ts';
import { parseComponentNames } from '../../stack/componentName.ts';
import { runCompose } from '../../stack/dockerStack.ts';
import { LocalStack, type ComponentStatus, type UpOutcome } from '../../stack/localStack.ts';
import { terminalProgress } from '../../stack/terminalProgress.ts';

interface StackOptions {
  docker?: boolean;
  json?: boolean;
}

/** `tributary stack up|down|status [component...]`: the local Kafka, schema registry and Redis. */
export function stackCommand(): Command {
  const stack = new Command('stack').description('start, stop and inspect the local stack (kafka, registry, redis) as local processes');

  stack
    .command('up')
    .description('start components (default: all) and wait until each answers; a running one is left alone')
    .argument('[component...]', 'kafka, registry, redis')
    .option('--docker', 'run docker compose up -d with docker-compose.yml instead (needs a Docker engine)')
    .action(async (names: string[], options: StackOptions) => {
      const components = parseComponentNames(names);
      if (options.docker) return runCompose(['up', '-d', '--wait']);
      const outcomes = await localStack().up(components);
      process.stdout.write(outcomes.map(formatOutcome).join('\n') + '\n');
    });

  stack
    .command('down')
    .description('stop components (default: all) that `stack up` started: SIGTERM, then SIGKILL after a grace period')
    .argument('[component...]', 'kafka, registry, redis')
    .option('--docker', 'run docker compose down instead')
    .action(async (names: string[], options: StackOptions) => {
      const components = parseComponentNames(names);
      if (options.docker) return runCompose(['down']);
      const stopped = await localStack().down(components);
      for (const name of components) process.stdout.write(`${name.padEnd(9)} ${stopped.includes(name) ? 'stopped' : 'was not running'}\n`);
    });

  stack
    .command('status')
    .description('print each component with its address, pid and health')
    .argument('[component...]', 'kafka, registry, redis')
    .option('--json', 'print a JSON array instead of a table')
    .option('--docker', 'run docker compose ps instead')
    .action(async (names: string[], options: StackOptions) => {
      const components = parseComponentNames(names);
      if (options.docker) return runCompose(['ps']);
      const statuses = await localStack().status(components);
      process.stdout.write(options.json ? JSON.stringify(statuses.map(toJson), null, 2) + '\n' : formatStatusTable(statuses));
    });

  return stack;
}

function localStack(): LocalStack {
  const logger = createLogger(process.env.TRIBUTARY_LOG_LEVEL ?? 'warn');
  return new LocalStack(loadStackConfig(), { logger, progress: terminalProgress() });
}

function formatOutcome(outcome: UpOutcome): string {
  const what = outcome.action === 'started' ? `started (pid ${outcome.pid}, ${(outcome.elapsedMs / 1000).toFixed(1)} s)` : 'already running';
  return `${outcome.name.padEnd(9)} ${outcome.address.padEnd(40)} ${what}`;
}

const HEALTH: Record<ComponentStatus['state'], string> = {
  up: 'healthy',
  external: 'healthy (not started by this stack)',
  unresponsive: 'not answering',
  down: 'down',
};

function formatStatusTable(statuses: ComponentStatus[]): string {
  const rows = [['COMPONENT', 'ADDRESS', 'PID', 'HEALTH'], ...statuses.map((s) => [s.name, s.address, s.pid === undefined ? '-' : String(s.pid), HEALTH[s.state]])];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!))).join('  ')).join('\n') + '\n';
}

function toJson(status: ComponentStatus): Record<string, unknown> {
  return { name: status.name, address: status.address, pid: status.pid ?? null, state: status.state, healthy: status.healthy };
}
