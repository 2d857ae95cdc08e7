import assert from 'node:assert/strict';
import type { Admin } from 'kafkajs';
import { readPartitionLags } from '../../../runtime/lag/readPartitionLags.ts';

/** An admin whose offsets answer fails first with the given errors, then answers. */
function adminFailingFirst(errors: readonly Error[]): { admin: Admin; calls: () => number } {
  let calls = 0;
  const admin = {
    fetchOffsets: async () => [{ topic: 'orders', partitions: [{ partition: 0, offset: '3' }] }],
    fetchTopicOffsets: async () => {
      const error = errors[calls++];
      if (error) throw error;
      return [{ partition: 0, offset: '10', high: '10', low: '0' }];
    },
  } as unknown as Admin;
  return { admin, calls: () => calls };
}

const retriable = (message: string) => Object.assign(new Error(message), { retriable: true });

describe('reading partition lags', () => {
  it('asks again while the broker answers with a retriable error, as a partition created a moment ago does (NOT_LEADER)', async () => {
    const { admin, calls } = adminFailingFirst([retriable('This server is not the leader for that topic-partition'), retriable('again')]);
    assert.deepEqual(await readPartitionLags(admin, 'app', ['orders']), [{ topic: 'orders', partition: 0, committedOffset: 3, logStartOffset: 0, logEndOffset: 10, lag: 7 }]);
    assert.equal(calls(), 3);
  });

  it('gives up at once on an error no retry can fix, and after six tries on one that persists', async function () {
    this.timeout(20_000);
    const fatal = adminFailingFirst([new Error('topic authorization failed')]);
    await assert.rejects(readPartitionLags(fatal.admin, 'app', ['orders']), /authorization/);
    assert.equal(fatal.calls(), 1);
    const stuck = adminFailingFirst(Array.from({ length: 10 }, () => retriable('not the leader')));
    await assert.rejects(readPartitionLags(stuck.admin, 'app', ['orders']), /not the leader/);
    assert.equal(stuck.calls(), 6);
  });
});
