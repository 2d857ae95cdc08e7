import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { ConfigError } from './errors.ts';

/**
 * Where tributary finds its three components. Resolved once at the edge, in this
 * order: explicit values (CLI flags, library options), then the environment, then
 * defaults that point at the local stack (`tributary stack up`).
 */
export const connectionSchema = z.object({
  brokers: z.array(z.string().regex(/^[^:\s]+:\d+$/, 'a broker is host:port')).min(1),
  // Not z.url: a cluster is a host list (redis://h1:7000,h2:7001), which URL parsing refuses.
  redisUrl: z.string().regex(/^rediss?:\/\/([^\s@/]+@)?[^\s@/,:]+(:\d+)?(,[^\s@/,:]+:\d+)*(\/\d+)?(\?\S*)?$/, 'REDIS_URL must be redis://[user:pass@]host:port[,host:port…] or rediss://…'),
  registryUrl: z.url({ protocol: /^https?$/, error: 'SCHEMA_REGISTRY_URL must be an http(s) URL' }),
});
export type ConnectionConfig = z.infer<typeof connectionSchema>;

/** Ports and folders of the local stack that `tributary stack` manages. */
export const stackSchema = z.object({
  kafkaPort: z.coerce.number().int().min(1).max(65535),
  controllerPort: z.coerce.number().int().min(1).max(65535),
  registryPort: z.coerce.number().int().min(1).max(65535),
  redisPort: z.coerce.number().int().min(1).max(65535),
  /** First of the optional Redis Cluster's three ports (node i listens on it + i, its cluster bus on it + 10000 + i). */
  redisClusterPort: z.coerce
    .number()
    .int()
    .min(1)
    .max(65535 - 10002, { error: 'the cluster also needs the ports up to this + 10002, so at most 55533' }),
  /** Data, logs and pid files of the running stack (git-ignored). */
  dir: z.string().min(1),
  /** Downloaded jars, shared by every clone on this machine. */
  cacheDir: z.string().min(1),
});
export type StackConfig = z.infer<typeof stackSchema>;

type Env = Record<string, string | undefined>;

/** The local stack's settings from the environment (`TRIBUTARY_*`), with defaults. */
export function loadStackConfig(overrides: Partial<StackConfig> = {}, env: Env = process.env): StackConfig {
  return parse(stackSchema, 'stack', {
    kafkaPort: env.TRIBUTARY_KAFKA_PORT ?? 9092,
    controllerPort: env.TRIBUTARY_CONTROLLER_PORT ?? 9093,
    registryPort: env.TRIBUTARY_REGISTRY_PORT ?? 8081,
    redisPort: env.TRIBUTARY_REDIS_PORT ?? 6379,
    redisClusterPort: env.TRIBUTARY_REDIS_CLUSTER_PORT ?? 7000,
    dir: path.resolve(env.TRIBUTARY_STACK_DIR ?? '.tributary/stack'),
    cacheDir: path.resolve(env.TRIBUTARY_CACHE_DIR ?? path.join(env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'tributary')),
    ...defined(overrides),
  });
}

/** Where the components are: flags/options, then `KAFKA_BROKERS`, `REDIS_URL`, `SCHEMA_REGISTRY_URL`, then the local stack. */
export function loadConnectionConfig(overrides: Partial<ConnectionConfig> = {}, env: Env = process.env): ConnectionConfig {
  const stack = loadStackConfig({}, env);
  return parse(connectionSchema, 'connection', {
    brokers: (env.KAFKA_BROKERS ?? `localhost:${stack.kafkaPort}`).split(',').map((b) => b.trim()).filter(Boolean),
    redisUrl: env.REDIS_URL ?? `redis://localhost:${stack.redisPort}`,
    registryUrl: env.SCHEMA_REGISTRY_URL ?? `http://localhost:${stack.registryPort}/apis/ccompat/v7`,
    ...defined(overrides),
  });
}

function defined<T extends object>(values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Parses once at the edge; the first problem becomes a one-line ConfigError naming the setting. */
export function parse<S extends z.ZodType>(schema: S, what: string, input: unknown): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const where = issue.path.length ? issue.path.join('.') : what;
  throw new ConfigError(`invalid ${what} setting ${where}: ${issue.message}`);
}
