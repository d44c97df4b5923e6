import assert from 'node:assert/strict';
import { ancestorsOf, type LayoutRow, layoutLanes } from '../../src/core/timeline/laneTree';
import { indexTrace, RUNNING, SUSPENDED } from '../../src/core/timeline/traceIndex';
import { loadTrace, makeTask, makeTrace } from './timelineFixtures';

const names = (trace: ReturnType<typeof loadTrace>, rows: LayoutRow[]) =>
  rows.map(
    (r) =>
      `${'-'.repeat(r.depth)}${r.kind === 'task' ? trace.tasks.find((t) => t.id === r.taskId)!.name : `[group ${r.groupId}]`}`,
  );

describe('timeline: trace index and lane layout', () => {
  it('indexes segments into sorted typed arrays with running-time prefix sums', () => {
    const idx = indexTrace(loadTrace('workers'));
    const main = idx.lanes.get(1)!;
    assert.equal(main.starts.length, 5);
    assert.deepEqual([...main.suspended], [RUNNING, SUSPENDED, RUNNING, SUSPENDED, RUNNING]);
    assert.ok(Math.abs(main.runCum[5] - (0.35 + 0.3 + 0.2)) < 1e-9);
    assert.deepEqual(idx.roots, [1]);
    assert.deepEqual(main.children, [2, 3]);
    assert.equal(idx.endT, 2002.5);
    assert.equal(idx.callbacksByTask.get(1)!.length, 1);
  });

  it('resolves open ends (pending at exit) to the end of the trace', () => {
    const idx = indexTrace(loadTrace('edgeCases'));
    const waiting = idx.lanes.get(3)!;
    assert.equal(waiting.openEnd, true);
    assert.equal(waiting.ends[waiting.ends.length - 1], idx.endT);
    assert.equal(waiting.end, idx.endT);
  });

  it('clamps out-of-order segments so binary searches stay valid', () => {
    const t = makeTask(1, null, [0, 10, 20]);
    t.segments[1].start = 5; // overlaps the previous segment
    const lane = indexTrace(makeTrace([t])).lanes.get(1)!;
    assert.ok(lane.starts[1] >= lane.ends[0]);
  });

  it('puts one lane per task under its creator, children in creation order', () => {
    const trace = loadTrace('edgeCases');
    const idx = indexTrace(trace);
    const layout = layoutLanes(idx, { collapsed: new Set(), filter: '' });
    assert.deepEqual(names(trace, layout.rows), [
      'main',
      '-fetchUser',
      '-waitForever',
      '-timeoutAfter',
      '-loadAll',
      '--loadPart',
    ]);
    assert.equal(layout.rowOf.get(6), 5);
    assert.equal(layout.rows[4].hasChildren, true);
  });

  it('collapses subtrees and counts what they hide', () => {
    const trace = loadTrace('edgeCases');
    const idx = indexTrace(trace);
    const l1 = layoutLanes(idx, { collapsed: new Set([5]), filter: '' });
    assert.deepEqual(names(trace, l1.rows), [
      'main',
      '-fetchUser',
      '-waitForever',
      '-timeoutAfter',
      '-loadAll',
    ]);
    assert.equal(l1.rows[4].collapsed, true);
    assert.equal(l1.rows[4].hiddenCount, 1);
    const l2 = layoutLanes(idx, { collapsed: new Set([1]), filter: '' });
    assert.deepEqual(names(trace, l2.rows), ['main']);
    assert.equal(l2.rows[0].hiddenCount, 5);
    // Collapsing a leaf is a no-op.
    assert.equal(layoutLanes(idx, { collapsed: new Set([2]), filter: '' }).rows.length, 6);
  });

  it('filters by name or creation site, keeping ancestors as unmatched context', () => {
    const trace = loadTrace('edgeCases');
    const idx = indexTrace(trace);
    const l = layoutLanes(idx, { collapsed: new Set(), filter: 'LOADPART' });
    assert.deepEqual(names(trace, l.rows), ['main', '-loadAll', '--loadPart']);
    assert.deepEqual(
      l.rows.map((r) => r.kind === 'task' && r.matched),
      [false, false, true],
    );
    assert.equal(layoutLanes(idx, { collapsed: new Set(), filter: 'edge.ts:52' }).rows.length, 3);
    assert.equal(layoutLanes(idx, { collapsed: new Set(), filter: 'zzz' }).rows.length, 0);
  });

  it('survives a 10,000-deep creation chain and a parent cycle', () => {
    const tasks = Array.from({ length: 10_000 }, (_, i) => makeTask(i + 1, i === 0 ? null : i, [i, i + 1]));
    const idx = indexTrace(makeTrace(tasks, 10_001));
    const layout = layoutLanes(idx, { collapsed: new Set(), filter: '' });
    assert.equal(layout.rows.length, 10_000);
    assert.equal(layout.rows[9999].depth, 9999);
    assert.equal(ancestorsOf(idx, 10_000).length, 9999);
    const cyc = [makeTask(1, 2, [0, 1]), makeTask(2, 1, [0, 1])];
    const ci = indexTrace(makeTrace(cyc));
    assert.doesNotThrow(() => layoutLanes(ci, { collapsed: new Set(), filter: '' }));
    assert.doesNotThrow(() => ancestorsOf(ci, 1));
  });

  it('orphans (unknown parent) become roots', () => {
    const idx = indexTrace(makeTrace([makeTask(5, 99, [0, 1])]));
    assert.deepEqual(idx.roots, [5]);
  });
});
