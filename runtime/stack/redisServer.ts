import fs from 'node:fs';
import path from 'node:path';
import type { StackConfig } from '../config.ts';
import { ManagedProcess, type ProcessSpec } from './managedProcess.ts';
import { REDIS_SERVER, type Prerequisite } from './prerequisites.ts';
import type { StackComponent } from './stackComponent.ts';
import { redisAnswers } from './componentProbes.ts';

/**
 * Debian's redis-server on `redisPort`, data in `<dir>/redis`.
 *
 * Persistence is append-only (AOF, fsync every second) with RDB snapshots off: tributary keeps
 * operator state in Redis, so a restarted Redis (fault tests kill it) must come back with its
 * data, as a production Redis would; AOF loses at most a second, RDB snapshots up to minutes.
 * `--daemonize no` because ManagedProcess does the detaching and must know the real pid.
 */
export class RedisServer implements StackComponent {
  readonly name = 'redis' as const;
  readonly address: string;
  readonly ports: readonly number[];
  readonly processes: readonly ManagedProcess[];
  readonly startTimeoutMs = 15_000;
  readonly stopGraceMs = 10_000;
  private readonly dataDir: string;

  constructor(private readonly config: StackConfig) {
    this.address = `redis://localhost:${config.redisPort}`;
    this.ports = [config.redisPort];
    this.processes = [new ManagedProcess('redis', config.dir)];
    this.dataDir = path.join(config.dir, 'redis');
  }

  prerequisites(): Prerequisite[] {
    return [REDIS_SERVER];
  }

  async prepare(): Promise<void> {
    fs.mkdirSync(this.dataDir, { recursive: true });
  }

  processSpecs(): ProcessSpec[] {
    return [redisServerSpec(this.config.redisPort, this.dataDir)];
  }

  /** Answers when `PING` returns `+PONG` (a Redis still loading its AOF answers `-LOADING`). */
  isHealthy(): Promise<boolean> {
    return redisAnswers(this.address);
  }

  isReady(): Promise<boolean> {
    return this.isHealthy();
  }
}

/**
 * The command line of a loopback-only redis-server on `port` with its data (AOF) in `dataDir`;
 * `extraArgs` are appended (the Redis Cluster's nodes add cluster mode and a memory cap).
 */
export function redisServerSpec(port: number, dataDir: string, extraArgs: readonly string[] = []): ProcessSpec {
  return {
    command: 'redis-server',
    args: [
      '--port', String(port),
      // Loopback only; '-::1' is optional so machines without IPv6 still start.
      '--bind', '127.0.0.1', '-::1',
      '--dir', dataDir,
      '--save', '',
      '--appendonly', 'yes',
      '--appendfsync', 'everysec',
      '--daemonize', 'no',
      '--logfile', '',
      ...extraArgs,
    ],
    cwd: dataDir,
  };
}
