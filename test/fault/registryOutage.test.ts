import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import avro from 'avsc';
import { loadConnectionConfig, loadStackConfig } from '../../runtime/config.ts';
import { createLogger } from '../../runtime/logger.ts';
import { LocalStack } from '../../runtime/stack/localStack.ts';
import { frame } from '../../schemas/wireFormat.ts';
import { assignedTimes, AvroTotalsScenario, sortedByKey, totalsByAccount } from './avroScenario.ts';
import { RegistrySnapshot } from './registrySnapshot.ts';
import { TcpGate } from '../support/tcpGate.ts';

/**
 * The registry stopped mid-stream and started again. What makes this test correct:
 *
 * - Ids are facts: records in Kafka and the workers' caches hold them. The local registry is
 *   in memory and forgets them on restart, so the test puts its whole content back (Apicurio's
 *   export/import keeps ids) instead of re-registering, which would hand out other ids.
 * - Workers reach the registry through a gate that stays shut until the schemas are back: the
 *   local stack's Apicurio keeps schemas in memory, so after a restart it answers before they
 *   are restored, and a worker asking for an id then would be told, rightly, that it does not
 *   exist (40403) and dead-letter the record. A production registry keeps its schemas across
 *   restarts (Confluent's `_schemas` topic, Apicurio on SQL): it is unreachable until it is back
 *   with them. To the workers the outage is reset connections, then the same registry as before.
 * - The outage must cost cache misses, or it tests nothing (cached schemas need no registry):
 *   records written during it carry a second writer schema the workers have not seen yet, and
 *   a third worker, with empty caches, joins during it and takes tasks over.
 * - The producer needs no registry during the outage: it encodes before it (cached ids).
 */
describe('workers reading Avro while the schema registry is stopped and started again', function () {
  this.timeout(240_000);
  const stack = new LocalStack(loadStackConfig(), { logger: createLogger('silent') });
  let scenario: AvroTotalsScenario | undefined;
  let gate: TcpGate | undefined;
  let snapshot: RegistrySnapshot | undefined;
  let ids: number[] = [];

  before(async function () {
    const [registry] = await stack.status(['registry']);
    // Only a registry this stack started can be stopped and started, and only if the tests use it.
    if (registry!.state !== 'up' || loadConnectionConfig().registryUrl !== registry!.address) this.skip();
  });

  afterEach(async () => {
    await scenario?.teardown();
    await gate?.close();
  });

  after(async () => {
    // Leave the registry as it was found: running, with every schema it held (other tests' too).
    if (!snapshot) return;
    await stack.up(['registry']);
    await snapshot.restore(ids);
  });

  it('exactly_once: workers wait out the outage; nothing is lost, nothing dead-lettered, the totals are exact', async () => {
    const registry = new URL(stack.component('registry').address);
    gate = new TcpGate({ host: registry.hostname, port: Number(registry.port) });
    await gate.open();
    registry.hostname = '127.0.0.1';
    registry.port = String(gate.port);
    scenario = new AvroTotalsScenario('exactly_once', { SCHEMA_REGISTRY_URL: registry.href });
    await scenario.setup();
    const input = scenario.catalogue.entry(scenario.input);
    const output = scenario.catalogue.entry(scenario.output);
    // A second writer of the input: a newer producer that added an optional field (BACKWARD-compatible).
    const v2Schema = { ...(input.schema as avro.schema.RecordType) };
    v2Schema.fields = [...v2Schema.fields, { name: 'channel', type: ['null', 'string'], default: null }];
    const v2 = avro.Type.forSchema(v2Schema);
    const v2Id = await scenario.registry.register(input.subject, v2Schema, input.compatibility);
    ids = [(await scenario.registry.idForSchema(input.subject, input.schema))!, v2Id, (await scenario.registry.idForSchema(output.subject, output.schema))!];

    const workers = [scenario.worker(), scenario.worker()];
    await assignedTimes(workers);
    await scenario.send(await scenario.encode(240));
    await scenario.readTotals(scenario.total); // both workers have read and written: v1 and the output id are cached

    // Encoded before the outage: v1 and v2 records take turns, 24 of each (one per account) at a time.
    const duringOutage = [];
    for (let round = 0; round < 10; round++) {
      duringOutage.push(...(await (round % 2 ? scenario.encode(24, (v) => frame(v2Id, v2.toBuffer({ ...v, channel: 'web' }))) : scenario.encode(24))));
    }
    const afterOutage = await scenario.encode(120);
    snapshot = await RegistrySnapshot.take(stack.component('registry').address);

    gate.shut();
    assert.ok(stack.kill('registry', 'SIGKILL'), 'the registry was ours to kill');
    while ((await stack.status(['registry']))[0]!.state !== 'down') await sleep(100);
    // It restarts (10–20 s) while the workers, shut out by the gate, meet the outage.
    const restarting = stack.up(['registry']);
    restarting.catch(() => undefined); // awaited below
    const joiner = scenario.worker();
    await assignedTimes([joiner]);
    await scenario.send(duringOutage);
    // Every worker meets an id it has not cached (v2; the joiner: all of them) and waits.
    await Promise.all([...workers, joiner].map((w) => w.waitForLog(/registry unavailable; retrying/, 30_000)));

    await restarting;
    const restored = await snapshot.restore(ids);
    await gate.open();
    await scenario.send(afterOutage);

    const totals = await scenario.readTotals(scenario.total);
    assert.equal(totals.length, scenario.total, `one committed total per record, no more (registry ${restored})`);
    assert.deepEqual(sortedByKey(totalsByAccount(totals)), sortedByKey(scenario.expectedTotals()));
    const expectedState = new Map([...scenario.expectedTotals()].map(([account, t]) => [account, t.at(-1)!]));
    assert.deepEqual(sortedByKey(await scenario.stateTotals()), sortedByKey(expectedState));
    assert.equal(await scenario.recordsIn(scenario.deadLetters), 0, 'nothing was ever written to the dead-letter topic');
    for (const w of [...workers, joiner]) assert.ok(w.running, `${w.name} is still running`);
  });
});
