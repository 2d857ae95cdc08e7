import { Command } from 'commander';
import { loadStackConfig } from '../../config.ts';
import { createLogger } from '../../logger.ts';
import { isDefaultComponent, parseComponentNames, STACK_COMPONENT_NAMES, type StackComponentName } from '../../stack/componentName.ts';
import { runCompose } from '../../stack/dockerStack.ts';
import { LocalStack, type ComponentStatus, type UpOutcome } from '../../stack/localStack.ts';
import { NotInDockerComposeError } from '../../stack/stackErrors.ts';
import { terminalProgress } from '../../stack/terminalProgress.ts';

interface StackOptions {
  docker?: boolean;
  json?: boolean;
}

const COMPONENTS_ARGUMENT = 'kafka, registry, redis, redis-cluster (a 3-node Redis Cluster, started only when named)';

/** `tributary stack up|down|status [component...]`: the local Kafka, schema registry, Redis and the optional Redis Cluster. */
export function stackCommand(): Command {
  const stack = new Command('stack').description('start, stop and inspect the local stack (kafka, registry, redis; redis-cluster on request) as local processes');

  stack
    .command('up')
    .description('start components (default: kafka, registry, redis) and wait until each answers; a running one is left alone')
    .argument('[component...]', COMPONENTS_ARGUMENT)
    .option('--docker', 'run docker compose up -d with docker-compose.yml instead (needs a Docker engine)')
    .action(async (names: string[], options: StackOptions) => {
      const components = parseComponentNames(names);
      if (options.docker) return dockerCompose(['up', '-d', '--wait'], components);
      const outcomes = await localStack().up(components);
      process.stdout.write(outcomes.map(formatOutcome).join('\n') + '\n');
    });

  stack
    .command('down')
    .description('stop components (default: all, redis-cluster included) that `stack up` started: SIGTERM, then SIGKILL after a grace period')
    .argument('[component...]', COMPONENTS_ARGUMENT)
    .option('--docker', 'run docker compose down instead')
    .action(async (names: string[], options: StackOptions) => {
      const components = parseComponentNames(names);
      if (options.docker) return dockerCompose(['down'], components);
      const stopped = await localStack().down(components);
      // Without names, an optional component is mentioned only when it was running.
      const shown = components ?? STACK_COMPONENT_NAMES.filter((name) => isDefaultComponent(name) || stopped.includes(name));
      for (const name of shown) process.stdout.write(`${name.padEnd(NAME_WIDTH)} ${stopped.includes(name) ? 'stopped' : 'was not running'}\n`);
    });

  stack
    .command('status')
    .description('print each component with its address, pids and health (redis-cluster only when it runs, unless named)')
    .argument('[component...]', COMPONENTS_ARGUMENT)
    .option('--json', 'print a JSON array instead of a table')
    .option('--docker', 'run docker compose ps instead')
    .action(async (names: string[], options: StackOptions) => {
      const components = parseComponentNames(names);
      if (options.docker) return dockerCompose(['ps'], components);
      const statuses = await localStack().status(components);
      process.stdout.write(options.json ? JSON.stringify(statuses.map(toJson), null, 2) + '\n' : formatStatusTable(statuses));
    });

  return stack;
}

/** docker-compose.yml has the default components only; the named ones are checked, the command runs for all. */
function dockerCompose(args: string[], components: readonly StackComponentName[] | undefined): void {
  const missing = components?.find((name) => !isDefaultComponent(name));
  if (missing) throw new NotInDockerComposeError(missing);
  runCompose(args);
}

function localStack(): LocalStack {
  const logger = createLogger(process.env.TRIBUTARY_LOG_LEVEL ?? 'warn');
  return new LocalStack(loadStackConfig(), { logger, progress: terminalProgress() });
}

const NAME_WIDTH = Math.max(...STACK_COMPONENT_NAMES.map((name) => name.length));

function formatOutcome(outcome: UpOutcome): string {
  const pids = outcome.pids.length === 1 ? `pid ${outcome.pid}` : `pids ${outcome.pids.join(',')}`;
  const what = outcome.action === 'started' ? `started (${pids}, ${(outcome.elapsedMs / 1000).toFixed(1)} s)` : 'already running';
  return `${outcome.name.padEnd(NAME_WIDTH)} ${outcome.address.padEnd(40)} ${what}`;
}

const HEALTH: Record<ComponentStatus['state'], string> = {
  up: 'healthy',
  external: 'healthy (not started by this stack)',
  unresponsive: 'not answering',
  down: 'down',
};

function formatStatusTable(statuses: ComponentStatus[]): string {
  const rows = [['COMPONENT', 'ADDRESS', 'PID', 'HEALTH'], ...statuses.map((s) => [s.name, s.address, s.pids.length === 0 ? '-' : s.pids.join(','), HEALTH[s.state]])];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!))).join('  ')).join('\n') + '\n';
}

function toJson(status: ComponentStatus): Record<string, unknown> {
  return { name: status.name, address: status.address, pid: status.pid ?? null, pids: status.pids, state: status.state, healthy: status.healthy };
}
