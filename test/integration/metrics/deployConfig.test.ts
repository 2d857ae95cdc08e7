import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { WorkerMetrics } from '../../../runtime/metrics/workerMetrics.ts';

const REPO = fileURLToPath(new URL('../../..', import.meta.url));
const read = (file: string) => readFileSync(`${REPO}/${file}`, 'utf8');

/** The tributary metric names an expression text uses, histogram series folded into their histogram. */
function metricNames(text: string): Set<string> {
  return new Set([...text.matchAll(/\btributary_\w+/g)].map(([name]) => name.replace(/_(bucket|sum|count)$/, '')));
}

describe('the Prometheus and Grafana configuration under deploy/', () => {
  const exported = new Set(new WorkerMetrics().registry.getMetricsAsArray().map((m) => m.name));

  it('passes promtool: the scrape config, and the alert rules it loads', () => {
    const result = spawnSync('promtool', ['check', 'config', 'deploy/prometheus.yml'], { cwd: REPO, encoding: 'utf8' });
    assert.equal(result.status, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /SUCCESS: 9 rules found/);
  });

  it('names in the dashboard and the alerts only metrics a worker exports', () => {
    for (const file of ['deploy/grafana/dashboards/tributary.json', 'deploy/alerts.yml']) {
      const unknown = [...metricNames(read(file))].filter((name) => !exported.has(name));
      assert.deepEqual(unknown, [], `${file} names metrics no worker exports`);
    }
  });

  it('has a dashboard panel for throughput, lag, latency, sagas and dead letters', () => {
    const used = metricNames(read('deploy/grafana/dashboards/tributary.json'));
    for (const name of ['tributary_records_consumed_total', 'tributary_consumer_lag', 'tributary_end_to_end_latency_seconds', 'tributary_saga_instances', 'tributary_dead_letter_records_total']) {
      assert.ok(used.has(name), `no panel shows ${name}`);
    }
  });
});
