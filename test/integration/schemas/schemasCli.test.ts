import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { shipmentBroken, shipmentV1, shipmentV2, writeCatalogue } from '../../unit/schemas/catalogueFixture.ts';
import { registry, registryUrl, runPrefix } from './registryFixture.ts';

const bin = fileURLToPath(new URL('../../../bin/tributary.js', import.meta.url));

/** Runs the CLI as a deploy pipeline would: a child process, its exit code and output. */
function tributary(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { cwd: path.dirname(path.dirname(bin)), env: { ...process.env, SCHEMA_REGISTRY_URL: registryUrl } }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

describe('tributary schemas (CLI)', () => {
  const topic = `${runPrefix}cli.shipment.booked`;
  const subject = `${topic}-value`;
  const v1 = writeCatalogue([{ topic, schema: shipmentV1, key: 'orderId' }], 'v1');
  const v2 = writeCatalogue([{ topic, schema: shipmentV2, key: 'orderId' }], 'v2');
  const broken = writeCatalogue([{ topic, schema: shipmentBroken, key: 'orderId' }], 'broken');

  it('register --dry-run says what it would register and writes nothing', async () => {
    const run = await tributary('schemas', 'register', '--dry-run', '--catalogue', v1);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, new RegExp(`would-register +${subject.replace(/\./g, '\\.')}`));
    assert.deepEqual(await registry.versions(subject), []);
  });

  it('register registers the catalogue and sets the subject rule', async () => {
    const run = await tributary('schemas', 'register', '--catalogue', v1);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /registered/);
    assert.deepEqual(await registry.versions(subject), [1]);
    assert.equal(await registry.compatibility(subject), 'BACKWARD');
  });

  it('check exits 0 for a compatible v2', async () => {
    const run = await tributary('schemas', 'check', '--catalogue', v2);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /compatible/);
  });

  it('check exits non-zero for an incompatible v2, naming the subject and the field', async () => {
    const run = await tributary('schemas', 'check', '--catalogue', broken);
    assert.notEqual(run.code, 0);
    assert.match(run.stdout, new RegExp(`INCOMPATIBLE +${subject.replace(/\./g, '\\.')}`));
    assert.match(run.stdout, /ShipmentBooked\.warehouseId: field added without a default/);
    assert.match(run.stderr, /^error: 1 of 1 schema\(s\) incompatible/);
  });

  it('register refuses an incompatible v2, names the field, and exits non-zero', async () => {
    const run = await tributary('schemas', 'register', '--catalogue', broken);
    assert.notEqual(run.code, 0);
    assert.match(run.stdout, /refused.*warehouseId/s);
    assert.deepEqual(await registry.versions(subject), [1]);
  });

  it('list --json shows the subject with its versions, ids and rule', async () => {
    const run = await tributary('schemas', 'list', '--json', '--prefix', runPrefix + 'cli.');
    assert.equal(run.code, 0, run.stderr);
    const rows = JSON.parse(run.stdout) as { subject: string; compatibility: string; versions: { version: number; id: number }[] }[];
    const row = rows.find((r) => r.subject === subject);
    assert.ok(row);
    assert.equal(row.compatibility, 'BACKWARD');
    assert.deepEqual(row.versions.map((v) => v.version), [1]);
    assert.equal(typeof row.versions[0]!.id, 'number');
  });

  it('prints one error line and exits non-zero for a catalogue directory that does not exist', async () => {
    const run = await tributary('schemas', 'check', '--catalogue', '/nonexistent/catalogue');
    assert.notEqual(run.code, 0);
    assert.equal(run.stderr.trim().split('\n').length, 1);
    assert.match(run.stderr, /^error: cannot read \/nonexistent\/catalogue\/catalogue\.json/);
  });

  it('prints one error line and exits non-zero when the registry is unreachable', async () => {
    const run = await tributary('schemas', 'list', '--registry', 'http://127.0.0.1:9');
    assert.notEqual(run.code, 0);
    assert.match(run.stderr, /^error: schema registry at http:\/\/127\.0\.0\.1:9 is unreachable/);
  });
});
