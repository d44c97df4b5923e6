import assert from 'node:assert/strict';
import { criticalPath } from '../../src/core/criticalPath';
import { narrate } from '../../src/core/narration';
import {
  CRITICAL_COLUMN,
  criticalLanes,
  criticalShareCell,
  intervalsIn,
  withCriticalShare,
} from '../../src/core/timeline/criticalLanes';
import {
  CURSOR_LAND_SHARE,
  findRow,
  moveCursor,
  revealTime,
  stepRows,
  stepTaskIds,
} from '../../src/core/timeline/stepCursor';
import { initialView, viewReducer } from '../../src/core/timeline/viewController';
import { plotWidth, timeToX } from '../../src/core/timeline/viewport';
import type { CriticalStep, Step } from '../../src/protocol/trace';
import { loadTrace } from './timelineFixtures';
import { VP } from './timelineFixtures';

const step = (t: number, taskIds: number[], members?: Step[]): Step => ({
  kind: members ? 'repeat' : 'resume',
  t,
  end: t + 1,
  taskIds,
  site: null,
  output: [],
  text: `at ${t}`,
  ...(members ? { members } : {}),
});

describe('timeline: the Steps cursor', () => {
  const steps = [step(0, [1]), step(10, [2], [step(10, [2]), step(12, [3]), step(14, [4])]), step(20, [1])];

  it('lists a folded step as one row until it is expanded, then its members after it, numbered 2.1, 2.2…', () => {
    assert.deepEqual(
      stepRows(steps, new Set()).map((r) => r.label),
      ['1', '2', '3'],
    );
    const open = stepRows(steps, new Set([1]));
    assert.deepEqual(
      open.map((r) => r.label),
      ['1', '2', '2.1', '2.2', '2.3', '3'],
    );
    assert.deepEqual(
      open.map((r) => [r.top, r.member]),
      [
        [0, null],
        [1, null],
        [1, 0],
        [1, 1],
        [1, 2],
        [2, null],
      ],
    );
    assert.equal(open[3].step.t, 12);
  });

  it('moves one row at a time and stops at the ends; with no cursor, next starts at the first, prev at the last', () => {
    assert.equal(moveCursor(null, 'next', 5), 0);
    assert.equal(moveCursor(null, 'prev', 5), 4);
    assert.equal(moveCursor(2, 'next', 5), 3);
    assert.equal(moveCursor(2, 'prev', 5), 1);
    assert.equal(moveCursor(4, 'next', 5), 4);
    assert.equal(moveCursor(0, 'prev', 5), 0);
    assert.equal(moveCursor(2, 'first', 5), 0);
    assert.equal(moveCursor(2, 'last', 5), 4);
    // A cursor left past the end by a shorter list (a collapse) comes back inside.
    assert.equal(moveCursor(9, 'prev', 5), 3);
    assert.equal(moveCursor(0, 'next', 0), null);
  });

  it('finds the same step after the rows change: a member of a collapsed step falls back to the step', () => {
    const open = stepRows(steps, new Set([1]));
    const closed = stepRows(steps, new Set());
    assert.equal(findRow(open, 1, 1, 12), 3);
    assert.equal(findRow(closed, 1, 1, 12), 1);
    assert.equal(findRow(closed, 2, null, 20), 2);
    // A step that is gone (a shorter live trace): the last row at or before its time.
    assert.equal(findRow(closed, 7, null, 15), 1);
    assert.equal(findRow([], 0, null, 0), null);
  });

  it("names a folded step's members' tasks too, capped", () => {
    assert.deepEqual(stepTaskIds(steps[1]), [2, 3, 4]);
    assert.deepEqual(stepTaskIds(steps[1], 2), [2, 3]);
  });

  it('keeps the cursor in sight without changing the zoom: no move while it is inside, else it lands a third in', () => {
    // Plot: x 200..1000 shows t 0..800.
    assert.equal(revealTime(VP, 400), null);
    assert.equal(revealTime(VP, 20), null);
    assert.equal(revealTime(VP, 780), null);
    for (const t of [-50, 5, 795, 5000]) {
      const vp = revealTime(VP, t);
      assert.ok(vp, `moves for ${t}`);
      assert.equal(vp.msPerPx, VP.msPerPx);
      assert.equal(vp.scrollTop, VP.scrollTop);
      const x = timeToX(vp, t);
      assert.ok(
        Math.abs(x - (vp.gutter + plotWidth(vp) * CURSOR_LAND_SHARE)) < 1e-6,
        `lands a third in: ${x}`,
      );
      assert.equal(revealTime(vp, t), null, 'and then stays');
    }
  });

  it('never moves a fitted view: the first and last steps are inside the air a fit leaves', () => {
    const fitted = viewReducer(initialView(VP), {
      type: 'trace',
      startT: 0,
      endT: 2002,
      live: false,
      sameRun: false,
      restore: null,
    });
    assert.equal(revealTime(fitted.vp, 0), null);
    assert.equal(revealTime(fitted.vp, 2002), null);
  });

  it('on the workers trace: stepping forward never goes back in time', () => {
    const s = narrate(loadTrace('workers'));
    const rows = stepRows(s, new Set(s.map((_, i) => i)));
    let c: number | null = null;
    let lastT = -Infinity;
    for (let i = 0; i < rows.length + 2; i++) {
      c = moveCursor(c, 'next', rows.length);
      assert.ok(rows[c!].step.t >= lastT, `row ${c} at ${rows[c!].step.t} after ${lastT}`);
      lastT = rows[c!].step.t;
    }
    assert.equal(c, rows.length - 1);
  });
});

describe('timeline: critical path lanes', () => {
  const run = (taskId: number, start: number, end: number): CriticalStep => ({
    taskId,
    start,
    end,
    kind: 'running',
    site: null,
    waitingOn: null,
  });
  const wait = (taskId: number, start: number, end: number): CriticalStep => ({
    taskId,
    start,
    end,
    kind: 'waiting',
    site: null,
    waitingOn: { kind: 'promise', taskIds: [] },
  });

  it('merges touching stretches of one kind per task, keeps kinds apart, and notes hand-overs', () => {
    const lanes = criticalLanes([run(1, 0, 2), run(1, 2, 3), wait(1, 3, 5), run(2, 5, 9), run(1, 9, 10)]);
    const one = lanes.byTask.get(1)!;
    assert.deepEqual([...one.starts], [0, 3, 9]);
    assert.deepEqual([...one.ends], [3, 5, 10]);
    assert.deepEqual([...one.running], [1, 0, 1]);
    assert.deepEqual([...lanes.byTask.get(2)!.starts], [5]);
    assert.equal(lanes.total, 10);
    assert.equal(lanes.share.get(1), 6);
    assert.equal(lanes.share.get(2), 4);
    assert.deepEqual(lanes.handOvers, [
      { t: 5, from: 1, to: 2 },
      { t: 9, from: 2, to: 1 },
    ]);
  });

  it('finds the intervals overlapping a visible range by binary search', () => {
    const lanes = criticalLanes([run(1, 0, 1), run(1, 5, 6), run(1, 10, 11), run(1, 20, 21)]);
    const iv = lanes.byTask.get(1)!;
    assert.deepEqual(intervalsIn(iv, 2, 4), [1, 1], 'a gap: nothing');
    assert.deepEqual(intervalsIn(iv, 2, 10.5), [1, 3]);
    assert.deepEqual(intervalsIn(iv, 1, 5), [0, 2], 'touching counts');
    assert.deepEqual(intervalsIn(iv, -10, 100), [0, 4]);
    assert.deepEqual(intervalsIn(iv, 30, 40), [4, 4]);
  });

  it("says each task's share of the path in the table, and a dash off it", () => {
    const lanes = criticalLanes([run(1, 0, 250), wait(1, 250, 1000), run(2, 1000, 1005)]);
    assert.equal(criticalShareCell(lanes, 1), '99.5% (1.00 s)');
    assert.equal(criticalShareCell(lanes, 2), '0.5% (5.00 ms)');
    assert.equal(criticalShareCell(lanes, 3), '—');
    const tiny = criticalLanes([run(1, 0, 10000), run(2, 10000, 10001)]);
    assert.equal(criticalShareCell(tiny, 2), '<0.1% (1.00 ms)', 'on the path, however little, is never 0%');
  });

  it("appends the share as the table's last column, one cell per row, leaving the rows as they were", () => {
    const lanes = criticalLanes([run(1, 0, 10), run(2, 10, 20)]);
    const rows = [
      { taskId: 1, depth: 0, cells: ['main'] },
      { taskId: 3, depth: 1, cells: ['other'] },
    ];
    const out = withCriticalShare(rows, lanes);
    assert.deepEqual(
      out.map((r) => r.cells),
      [
        ['main', '50.0% (10.0 ms)'],
        ['other', '—'],
      ],
    );
    assert.deepEqual(rows[0].cells, ['main'], 'input untouched');
    assert.equal(CRITICAL_COLUMN, 'Critical path');
  });

  it("on the workers trace: worker2's sleep is nearly all of the path, worker1 only its eager first run, and the shares tile the path", () => {
    const t = loadTrace('workers');
    const lanes = criticalLanes(criticalPath(t));
    assert.ok(lanes.byTask.has(1), 'main');
    assert.ok(lanes.share.get(3)! > 0.9 * lanes.total, 'worker2 (sleep 2 s)');
    assert.ok((lanes.share.get(2) ?? 0) < 0.01 * lanes.total, 'worker1: a sliver at most');
    const sum = [...lanes.share.values()].reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(sum - lanes.total) < 1e-6, `shares add up: ${sum} vs ${lanes.total}`);
  });
});
