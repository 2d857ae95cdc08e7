import assert from 'node:assert/strict';
import fc from 'fast-check';
import { partitionLag } from '../../../runtime/lag/partitionLag.ts';

describe('partition lag', () => {
  it("counts the offsets from the group's committed offset up to the log end, as kafka-consumer-groups does, offsets deleted below the log start included", () => {
    // A log of `end` offsets whose first `start` were deleted (retention, deleteRecords), and a group that committed `committed`.
    const partition = fc.nat(10_000).chain((end) => fc.record({ end: fc.constant(end), start: fc.nat(end), committed: fc.nat(end) }));
    fc.assert(
      fc.property(partition, ({ end, committed }) => {
        let unread = 0;
        for (let offset = committed; offset < end; offset++) unread++;
        assert.equal(partitionLag(committed, end), unread);
      }),
    );
  });

  it('is unknown, not the whole log, for a partition the group has committed no offset for', () => {
    fc.assert(fc.property(fc.nat(), (end) => assert.equal(partitionLag(null, end), null)));
  });
});
