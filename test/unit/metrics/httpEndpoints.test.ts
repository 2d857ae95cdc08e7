import assert from 'node:assert/strict';
import { ConfigError } from '../../../runtime/errors.ts';
import { startHttpServer, type HttpServer } from '../../../runtime/http/httpServer.ts';
import type { Readiness } from '../../../runtime/http/readiness.ts';
import { createLogger } from '../../../runtime/logger.ts';
import { WorkerMetrics } from '../../../runtime/metrics/workerMetrics.ts';

describe('a worker process\'s HTTP endpoints', () => {
  const metrics = new WorkerMetrics();
  let readiness: Readiness = { ready: false, reason: 'joining the consumer group' };
  let server: HttpServer;
  const url = (path: string) => `http://127.0.0.1:${server.port}${path}`;

  before(async () => {
    server = await startHttpServer({ port: 0, registry: metrics.registry, readiness: () => readiness, logger: createLogger('silent') });
  });
  after(() => server.close());

  it('listen on a free port when asked for port 0', () => {
    assert.ok(server.port > 0);
  });

  it('answer /healthz with 200 while the process runs, ready or not', async () => {
    const response = await fetch(url('/healthz'));
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { status: 'ok' });
  });

  it('answer /readyz with 503 and the reason until the workers are ready, then 200', async () => {
    const waiting = await fetch(url('/readyz'));
    assert.equal(waiting.status, 503);
    assert.deepEqual(await waiting.json(), { status: 'not ready', reason: 'joining the consumer group' });
    readiness = { ready: true };
    const ready = await fetch(url('/readyz'));
    assert.equal(ready.status, 200);
    assert.deepEqual(await ready.json(), { status: 'ready' });
  });

  it('serve the registry in the text exposition format on /metrics', async () => {
    metrics.rebalances.inc({ application: 'orders' });
    const response = await fetch(url('/metrics'));
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type')!, /^text\/plain; version=0\.0\.4/);
    assert.match(await response.text(), /^tributary_rebalances_total\{application="orders"\} 1$/m);
  });

  it('refuse a port another program holds with a ConfigError naming the setting', async () => {
    await assert.rejects(
      startHttpServer({ port: server.port, registry: metrics.registry, readiness: () => readiness, logger: createLogger('silent') }),
      (error: unknown) => error instanceof ConfigError && /http port \d+ is in use .*TRIBUTARY_HTTP_PORT/.test(error.message),
    );
  });
});
