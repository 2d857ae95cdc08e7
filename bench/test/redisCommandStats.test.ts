import assert from 'node:assert/strict';
import fc from 'fast-check';
import { commandsBetween } from '../support/redisCommandStats.ts';

const commands = ['evalsha', 'get', 'hset', 'info', 'hmget'] as const;

describe('commandsBetween', () => {
  it('is what ran between two readings, less the first reading’s two INFO calls', () => {
    fc.assert(
      fc.property(
        fc.record(Object.fromEntries(commands.map((c) => [c, fc.nat(1000)])) as Record<(typeof commands)[number], fc.Arbitrary<number>>),
        fc.record(Object.fromEntries(commands.map((c) => [c, fc.nat(1000)])) as Record<(typeof commands)[number], fc.Arbitrary<number>>),
        (before, ran) => {
          // The first reading's two INFO calls ran after its own counters were read.
          const ranWithInfo = { ...ran, info: ran.info + 2 };
          const total = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);
          const after = Object.fromEntries(commands.map((c) => [c, before[c] + ranWithInfo[c]]));
          const delta = commandsBetween(
            { total: total(before), byCommand: new Map(Object.entries(before)) },
            { total: total(after), byCommand: new Map(Object.entries(after)) },
          );
          assert.equal(delta.total, total(ran));
          for (const c of commands) assert.equal(delta.byCommand.get(c) ?? 0, ran[c]);
        },
      ),
    );
  });
});
