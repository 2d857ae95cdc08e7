import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { TributaryError } from '../errors.ts';
import { DockerUnavailableError } from './stackErrors.ts';

const COMPOSE_FILE = fileURLToPath(new URL('../../docker-compose.yml', import.meta.url));

/** Throws DockerUnavailableError unless `docker info` reaches an engine within 10 s. */
export function requireDockerEngine(): void {
  const info = spawnSync('docker', ['info', '--format', '{{.ServerVersion}}'], { encoding: 'utf8', timeout: 10_000 });
  if (info.error) throw new DockerUnavailableError(`docker: ${info.error.message}`);
  if (info.status !== 0) throw new DockerUnavailableError((info.stderr.trim().split('\n').pop() ?? `docker info exited with ${info.status}`).trim());
}

/**
 * Runs `docker compose -f docker-compose.yml <args>` with its output on our stderr/stdout
 * (compose draws its own progress). The engine must answer first.
 */
export function runCompose(args: string[]): void {
  requireDockerEngine();
  const result = spawnSync('docker', ['compose', '-f', COMPOSE_FILE, ...args], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.status !== 0) throw new TributaryError('STACK_COMPOSE_FAILED', `docker compose ${args.join(' ')} exited with ${result.status ?? result.signal}`);
}
