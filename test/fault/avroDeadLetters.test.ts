import assert from 'node:assert/strict';
import { DLQ_HEADERS } from '../../schemas/deadLetterHeaders.ts';
import type { DeserializationCode } from '../../schemas/errors.ts';
import { frame } from '../../schemas/wireFormat.ts';
import { accountName, assignedTimes, AvroTotalsScenario, sortedByKey, totalsByAccount, type Landed, type Outgoing } from './avroScenario.ts';

/** The four ways an Avro topic's record can be unreadable, made from one valid record's bytes. */
const BAD: ReadonlyArray<{ kind: string; code: DeserializationCode; spoil: (valid: Buffer, account: string) => Buffer }> = [
  // A producer that writes JSON to an Avro topic.
  { kind: 'garbage bytes', code: 'NOT_FRAMED', spoil: (_valid, account) => Buffer.from(JSON.stringify({ account, amountMinor: 5 })) },
  { kind: 'wrong magic byte', code: 'NOT_FRAMED', spoil: (valid) => Buffer.concat([Buffer.from([1]), valid.subarray(1)]) },
  { kind: 'unknown schema id', code: 'UNKNOWN_SCHEMA_ID', spoil: (valid) => frame(2_000_000_000, valid.subarray(5)) },
  { kind: 'truncated payload', code: 'DECODE_FAILED', spoil: (valid) => valid.subarray(0, valid.length - 3) },
];

describe('workers reading Avro through the registry, with bad records among good ones', function () {
  this.timeout(240_000);
  let scenario: AvroTotalsScenario;
  afterEach(() => scenario.teardown());

  it('exactly_once: each unreadable record lands once in <topic>.dlq with its code, origin and bytes; every good record around it is applied exactly', async () => {
    scenario = new AvroTotalsScenario('exactly_once');
    await scenario.setup();
    await assignedTimes([scenario.worker(), scenario.worker()]);

    const bad: Array<Landed & { kind: string; code: DeserializationCode }> = [];
    for (let round = 0; round < 6; round++) {
      await scenario.send(await scenario.encode(60));
      for (const [i, { kind, code, spoil }] of BAD.entries()) {
        // Bad records carry real accounts, so they sit in the partitions of good ones, between them.
        const account = accountName((round * BAD.length + i) % scenario.accounts);
        const valid = await scenario.serde.serialize(scenario.input, { eventId: `bad-${round}-${i}`, account, amountMinor: 1 });
        const record: Outgoing = { key: account, value: spoil(valid, account) };
        bad.push({ ...(await scenario.sendOne(record)), kind, code });
      }
    }
    await scenario.send(await scenario.encode(60));
    assert.ok(new Set(bad.map((b) => b.partition)).size >= 3, 'bad records in several partitions');

    const totals = await scenario.readTotals(scenario.total);
    assert.equal(totals.length, scenario.total, 'one committed total per good record, no more');
    assert.deepEqual(sortedByKey(totalsByAccount(totals)), sortedByKey(scenario.expectedTotals()));
    const expectedState = new Map([...scenario.expectedTotals()].map(([account, t]) => [account, t.at(-1)!]));
    assert.deepEqual(sortedByKey(await scenario.stateTotals()), sortedByKey(expectedState));

    const letters = await scenario.readDeadLetters(bad.length);
    assert.equal(letters.length, bad.length, 'one dead letter per bad record, no more');
    const byOrigin = new Map(letters.map((l) => [`${l.headers[DLQ_HEADERS.originalPartition]}/${l.headers[DLQ_HEADERS.originalOffset]}`, l]));
    for (const b of bad) {
      const letter = byOrigin.get(`${b.partition}/${b.offset}`);
      assert.ok(letter, `${b.kind} at ${b.partition}/${b.offset} is in the dead-letter topic`);
      assert.equal(letter.headers[DLQ_HEADERS.errorCode], b.code, `${b.kind}: ${letter.headers[DLQ_HEADERS.errorMessage]}`);
      assert.equal(letter.headers[DLQ_HEADERS.originalTopic], scenario.input);
      assert.ok(letter.headers[DLQ_HEADERS.errorMessage], `${b.kind} says why`);
      assert.deepEqual(letter.value, b.value, `${b.kind}: the original bytes`);
      assert.equal(letter.key?.toString(), b.key, `${b.kind}: the original key`);
    }
  });
});
