import assert from 'node:assert/strict';
import { summarizeProfile } from '../profile/cpuProfileSummary.ts';

/** A frame of the synthetic profile: id, function, script URL, children. */
function node(id: number, functionName: string, url: string, children: number[] = []) {
  return { id, callFrame: { functionName, url, lineNumber: 0 }, children };
}

const REPO = 'file:///repo';
// root ─ idle
//      ─ processBatch (runtime/worker/streamTask.ts) ─ fromBuffer (avsc) ─ utf8Slice (builtin)
//                                                   ─ send (kafkajs) ─ FastBuffer (node:buffer)
//                                                   ─ stringify (builtin)
//      ─ (garbage collector)
const profile = {
  nodes: [
    node(1, '(root)', '', [2, 3, 9]),
    node(2, '(idle)', ''),
    node(3, 'processBatch', `${REPO}/runtime/worker/streamTask.ts`, [4, 6, 8]),
    node(4, 'fromBuffer', `${REPO}/node_modules/avsc/lib/types.js`, [5]),
    node(5, 'utf8Slice', ''),
    node(6, 'send', `${REPO}/node_modules/kafkajs/src/producer/index.js`, [7]),
    node(7, 'FastBuffer', 'node:internal/buffer'),
    node(8, 'stringify', ''),
    node(9, '(garbage collector)', ''),
  ],
  // Before the first and after the last streamTask sample: start-up and shutdown, left out.
  samples: [6, 3, 5, 7, 8, 2, 9, 4, 3, 6],
  timeDeltas: [1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000, 10000],
};

describe('summarizeProfile', () => {
  const summary = summarizeProfile(profile, 10, /streamTask\.ts/);
  const byComponent = new Map(summary.byComponent);

  it('charges builtins and Node core frames to the code that called them, JSON apart, and leaves idle out', () => {
    assert.equal(byComponent.get('Avro (avsc)'), 3 + 8);
    assert.equal(byComponent.get('kafkajs'), 4);
    assert.equal(byComponent.get('JSON (builtins)'), 5);
    assert.equal(byComponent.get('garbage collection'), 7);
    assert.equal(byComponent.get('tributary runtime/'), 2 + 9);
    assert.equal(byComponent.has('idle'), false);
  });

  it('counts only the samples from the first to the last in the marked file', () => {
    assert.equal(summary.busyMs, 2 + 3 + 4 + 5 + 7 + 8 + 9);
  });

  it('ranks functions by self time', () => {
    assert.deepEqual(
      summary.topFunctions.slice(0, 2).map((f) => f.name),
      ['processBatch runtime/worker/streamTask.ts:1', 'fromBuffer node_modules/avsc/lib/types.js:1'],
    );
  });
});
