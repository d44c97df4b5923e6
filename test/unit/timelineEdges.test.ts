import assert from 'node:assert/strict';
import { edgeEndpointResolver } from '../../src/core/timeline/edgeEndpoints';
import { emptyLayout, layoutLanes } from '../../src/core/timeline/laneTree';
import { indexTrace } from '../../src/core/timeline/traceIndex';
import { makeTask, makeTrace } from './timelineFixtures';

// main(1) ─┬─ pool(2) ─┬─ worker1(3) ── helper(5)
//          │           └─ worker2(4)
//          └─ logger(6)
const trace = makeTrace([
  makeTask(1, null, [0, 100], 'main'),
  makeTask(2, 1, [1, 90], 'pool'),
  makeTask(3, 2, [2, 50], 'worker1'),
  makeTask(4, 2, [3, 60], 'worker2'),
  makeTask(5, 3, [4, 40], 'helper'),
  makeTask(6, 1, [5, 20], 'logger'),
]);
const idx = indexTrace(trace);
const resolve = (collapsed: number[], filter = '') =>
  edgeEndpointResolver(idx, layoutLanes(idx, { collapsed: new Set(collapsed), filter }));

describe('timeline: await-edge endpoints', () => {
  it('a visible task is its own endpoint', () => {
    const r = resolve([]);
    assert.deepEqual(r(3), { row: 2, folded: false });
    assert.deepEqual(r(6), { row: 5, folded: false });
  });

  it('a task folded into a collapsed ancestor lands on the nearest visible one', () => {
    const r = resolve([2]);
    // rows: main, pool (collapsed), logger
    assert.deepEqual(r(3), { row: 1, folded: true }, 'worker1 → pool');
    assert.deepEqual(r(5), { row: 1, folded: true }, 'helper (two levels down) → pool');
    assert.deepEqual(r(6), { row: 2, folded: false }, 'logger stays');
    // Nested collapses: the nearest VISIBLE ancestor wins, not the nearest collapsed one.
    const n = resolve([2, 3]);
    assert.deepEqual(n(5), { row: 1, folded: true });
    const inner = resolve([3]);
    assert.deepEqual(inner(5), { row: 2, folded: true }, 'helper → worker1 when only worker1 folds');
    assert.deepEqual(inner(4), { row: 3, folded: false });
  });

  it('repeated look-ups agree (memoised walk)', () => {
    const r = resolve([1]);
    for (let i = 0; i < 3; i++)
      for (const id of [2, 3, 4, 5, 6]) assert.deepEqual(r(id), { row: 0, folded: true });
  });

  it('tasks hidden by the filter, or unknown, have no endpoint', () => {
    const r = resolve([], 'logger');
    // rows: main (context), logger
    assert.equal(r(3), null, 'worker1 is filtered out, not folded');
    assert.equal(r(5), null);
    assert.equal(r(99), null, 'unknown task');
    assert.deepEqual(r(6), { row: 1, folded: false });
  });

  it('survives a deep chain and a parent cycle', () => {
    const chain = Array.from({ length: 10_000 }, (_, i) => makeTask(i + 1, i === 0 ? null : i, [i, i + 1]));
    const ci = indexTrace(makeTrace(chain, 10_001));
    const r = edgeEndpointResolver(ci, layoutLanes(ci, { collapsed: new Set([1]), filter: '' }));
    assert.deepEqual(r(10_000), { row: 0, folded: true });
    assert.deepEqual(r(5_000), { row: 0, folded: true });
    const cyc = indexTrace(makeTrace([makeTask(1, 2, [0, 1]), makeTask(2, 1, [0, 1])]));
    const rc = edgeEndpointResolver(cyc, emptyLayout());
    assert.equal(rc(1), null);
  });
});
