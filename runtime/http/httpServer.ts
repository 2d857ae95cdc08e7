import Fastify from 'fastify';
import type { Registry } from 'prom-client';
import { ConfigError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { registerApiRoutes, type MountedApi } from './apiRoutes.ts';
import type { Readiness } from './readiness.ts';

/** A running HTTP server: the port it listens on (the one picked when 0 was asked) and how to stop it. */
export interface HttpServer {
  readonly port: number;
  close(): Promise<void>;
}

export interface HttpServerOptions {
  /** 0 picks a free port. */
  readonly port: number;
  readonly registry: Registry;
  readiness(): Readiness;
  readonly logger: Logger;
  /** Topology APIs to serve under `/commands/:type` and `/queries/:type` (none unless given). */
  readonly apis?: readonly MountedApi[];
}

/**
 * The operational endpoints of a worker process:
 * - `GET /metrics`: the registry in Prometheus' text exposition format;
 * - `GET /healthz`: 200 `{"status":"ok"}` while the process runs (liveness);
 * - `GET /readyz`: 200 `{"status":"ready"}` when every worker in the process is ready,
 *   else 503 `{"status":"not ready","reason":…}` (readiness);
 * - with `apis`: `POST /commands/:type` and `GET /queries/:type` (see apiRoutes.ts).
 */
export async function startHttpServer(options: HttpServerOptions): Promise<HttpServer> {
  const server = Fastify({ logger: false });
  server.get('/metrics', async (_request, reply) => {
    const body = await options.registry.metrics();
    return reply.header('content-type', options.registry.contentType).send(body);
  });
  server.get('/healthz', async () => ({ status: 'ok' }));
  server.get('/readyz', async (_request, reply) => {
    const readiness = options.readiness();
    if (readiness.ready) return { status: 'ready' };
    return reply.code(503).send({ status: 'not ready', reason: readiness.reason });
  });
  const apis = options.apis ?? [];
  if (apis.length) registerApiRoutes(server, { apis, logger: options.logger });
  // Every interface: Prometheus and orchestrators' probes reach workers from other hosts.
  await server.listen({ port: options.port, host: '0.0.0.0' }).catch((error: unknown) => {
    if ((error as { code?: string }).code !== 'EADDRINUSE') throw error;
    throw new ConfigError(`http port ${options.port} is in use by another program (set --http-port or TRIBUTARY_HTTP_PORT; 0 picks a free port)`);
  });
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  options.logger.info({ port, endpoints: ['/metrics', '/healthz', '/readyz', ...(apis.length ? ['/commands/:type', '/queries/:type'] : [])] }, `http endpoints listening on port ${port}`);
  return { port, close: () => server.close() };
}
