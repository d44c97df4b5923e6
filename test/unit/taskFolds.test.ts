import assert from 'node:assert/strict';
import { narrate } from '../../src/core/narration';
import { buildTableRows, TABLE_COLUMNS } from '../../src/core/timeline/accessibleTable';
import { FOLDED_AT, foldLanes } from '../../src/core/timeline/laneFolds';
import { layoutLanes, type LayoutRow, tasksInLayout } from '../../src/core/timeline/laneTree';
import { indexTrace } from '../../src/core/timeline/traceIndex';
import { percentile, taskFolds } from '../../src/core/taskFolds';
import { renderTextTimeline } from '../../src/core/textTimeline';
import type { TaskRecord } from '../../src/protocol/trace';
import { FILE, r, task, trace, w } from './helpers/explainTraces';

const HANDLER = { file: FILE, line: 5, column: 1 };

/** A handler created by `parent` at `t`: runs `run` ms, waits `wait` ms, runs 0.1 ms, settles. */
function handler(id: number, parent: number | null, t: number, run: number, wait: number): TaskRecord {
  return task(
    id,
    'GET /user/:id',
    parent,
    [r(t, t + run), w(t + run, t + run + wait, 7), r(t + run + wait, t + run + wait + 0.1)],
    { t: t + run + wait + 0.1, state: 'fulfilled' },
    3,
    { definition: HANDLER, kind: 'arrow' },
  );
}

/** main (1) idles 5 s, then creates `n` handlers 10 ms apart; handler i runs i+1 ms and waits 10·(i+1) ms. */
function server(n: number) {
  const tasks: TaskRecord[] = [];
  const end = 5000 + 10 * n + 200;
  tasks.push(
    task(1, 'main', null, [r(0, 1), w(1, end, 20), r(end, end + 1)], { t: end + 1, state: 'fulfilled' }),
  );
  for (let i = 0; i < n; i++) tasks.push(handler(i + 2, 1, 5000 + 10 * i, i + 1, 10 * (i + 1)));
  return trace(tasks);
}

describe('core/taskFolds: many similar tasks read as one', () => {
  it('folds the tasks of one definition and one parent, with count, p50/p95 of running and waiting, first start and last end', () => {
    const folds = taskFolds(server(40));
    assert.equal(folds.length, 1);
    const f = folds[0];
    assert.equal(f.name, 'GET /user/:id');
    assert.equal(f.parentId, 1);
    assert.deepEqual(
      f.taskIds,
      Array.from({ length: 40 }, (_, i) => i + 2),
    );
    // Running: 1.1 … 40.1 ms (the first stretch plus 0.1 ms); waiting 10 … 400 ms. Nearest rank.
    assert.ok(Math.abs(f.run.p50 - 20.1) < 1e-9, String(f.run.p50));
    assert.ok(Math.abs(f.run.p95 - 38.1) < 1e-9, String(f.run.p95));
    assert.equal(f.wait.p50, 200);
    assert.equal(f.wait.p95, 380);
    assert.equal(f.firstStart, 5000);
    assert.ok(Math.abs(f.lastEnd - (5390 + 40 + 400 + 0.1)) < 1e-9, String(f.lastEnd));
  });

  it('two of a kind do not fold; three do (the default minimum), and minMembers changes it', () => {
    assert.deepEqual(taskFolds(server(2)), []);
    assert.equal(taskFolds(server(3)).length, 1);
    assert.deepEqual(taskFolds(server(3), { minMembers: 4 }), []);
  });

  it('different parents never merge, and neither do different definitions of the same name', () => {
    const t = server(0);
    t.tasks.push(task(2, 'worker', null, [r(1, 2)], { t: 2, state: 'fulfilled' }));
    for (let i = 0; i < 3; i++) t.tasks.push(handler(3 + i, 1, 10 + i, 1, 1));
    for (let i = 0; i < 3; i++) t.tasks.push(handler(6 + i, 2, 10 + i, 1, 1));
    const other = handler(9, 1, 20, 1, 1);
    other.definition = { file: FILE, line: 50, column: 1 };
    t.tasks.push(other);
    const folds = taskFolds(t);
    assert.deepEqual(
      folds.map((f) => [f.parentId, f.taskIds]),
      [
        [1, [3, 4, 5]],
        [2, [6, 7, 8]],
      ],
    );
  });

  it('ties: members created at the same moment keep id order; equal times give equal percentiles', () => {
    const t = server(0);
    for (let i = 0; i < 4; i++) t.tasks.push(handler(5 - i, 1, 100, 2, 3));
    t.tasks.sort((a, b) => a.id - b.id);
    const [f] = taskFolds(t);
    assert.deepEqual(f.taskIds, [2, 3, 4, 5]);
    assert.ok(Math.abs(f.run.p50 - 2.1) < 1e-9 && Math.abs(f.run.p95 - 2.1) < 1e-9);
    assert.equal(percentile([], 50), 0);
    assert.equal(percentile([1, 2, 3, 4], 50), 2);
    assert.equal(percentile([1, 2, 3, 4], 95), 4);
  });

  it('the text timeline draws a fold as one row with its numbers, and shows every member with foldMin 0', () => {
    const folded = renderTextTimeline(server(40), { width: 160 });
    const lines = folded.split('\n');
    const row = lines.find((l) => l.includes('GET /user/:id ×40'));
    assert.ok(row, folded);
    assert.match(row, /p50 run 20\.1 ms \/ wait 200 ms, p95 38\.1 ms \/ 380 ms/);
    assert.ok(!folded.includes('#2'), 'no member row');
    assert.equal(lines.filter((l) => l.includes('GET /user')).length, 1);
    const open = renderTextTimeline(server(40), { width: 100, foldMin: 0, maxRows: 100 });
    assert.equal(open.split('\n').filter((l) => l.includes('GET /user/:id #')).length, 40);
    assert.ok(!open.includes('×40'));
  });

  it('the text timeline axis can be fitted to a span: ticks start inside it, not at 0', () => {
    const text = renderTextTimeline(server(5), { width: 100, span: { from: 4990, to: 5300 } });
    const axis = text.split('\n').at(-2)!;
    assert.ok(!/(^|\s)0(\s|$)/.test(axis), axis);
    assert.match(axis, /5\.0 s|5 s|5\.1 s/);
  });

  describe('narration', () => {
    /** Handlers created by `parent` 10 ms apart from 5 s, waiting these times: their steps interleave irregularly. */
    function irregular(waits: number[], parent: (i: number) => number = () => 1) {
      const t = server(0);
      t.tasks[0].segments[1].end = 5300;
      t.tasks[0].segments[2] = r(5300, 5301);
      t.tasks[0].settled = { t: 5301, state: 'fulfilled' };
      if (waits.some((_, i) => parent(i) === 2))
        t.tasks.push(
          task(2, 'other', null, [r(2, 3), w(3, 5300, 30), r(5300, 5300.5)], {
            t: 5300.5,
            state: 'fulfilled',
          }),
        );
      const first = t.tasks.length + 1;
      waits.forEach((wait, i) => t.tasks.push(handler(first + i, parent(i), 5000 + 10 * i, 1, wait)));
      t.durationMs = 5302;
      return t;
    }

    it('interleaved steps of many tasks of one function are one step naming the function, its count and numbers', () => {
      const t = irregular([35, 5, 50, 12, 3]);
      const steps = narrate(t);
      const fold = steps.find((s) => s.kind === 'repeat' && s.text.startsWith('GET /user/:id ×5'));
      assert.ok(fold, steps.map((s) => s.text).join('\n'));
      assert.match(
        fold.text,
        /^GET \/user\/:id ×5 \(tasks of one function, created by main\) take \d+ steps/,
      );
      assert.match(fold.text, /5 starts/);
      assert.match(fold.text, /the first: main calls GET \/user\/:id\(\) at L3/);
      // Nothing is lost: every step of the unfolded narration is still there, as a member.
      const count = (list: typeof steps): number =>
        list.reduce((n, s) => n + (s.members ? count(s.members) : 1), 0);
      assert.equal(count(steps), narrate(t, { fold: false }).length);
      assert.ok(!narrate(t, { foldTasks: 0 }).some((s) => s.text.startsWith('GET /user/:id ×')));
    });

    it('two of a kind are told step by step; different parents do not fold together', () => {
      assert.ok(!narrate(irregular([35, 5])).some((s) => /×2/.test(s.text)));
      const mixed = irregular([35, 5, 50, 12, 3, 20], (i) => (i % 2 ? 2 : 1));
      const text = narrate(mixed).map((s) => s.text);
      assert.ok(!text.some((x) => /GET \/user\/:id ×6/.test(x)), text.join('\n'));
    });
  });

  it('the accessible table says a fold in a header row, its members one level in under it', () => {
    const idx = indexTrace(server(5));
    const rows = buildTableRows(idx, layoutLanes(idx, { collapsed: new Set(), filter: '' }));
    assert.deepEqual(
      rows.map((r) => [r.taskId, r.depth, r.foldMembers ? 'fold' : '']),
      [
        [1, 0, ''],
        [2, 1, 'fold'],
        [2, 2, ''],
        [3, 2, ''],
        [4, 2, ''],
        [5, 2, ''],
        [6, 2, ''],
      ],
    );
    const head = rows[1];
    assert.equal(head.cells.length, TABLE_COLUMNS.length);
    assert.match(head.cells[0], /^GET \/user\/:id ×5/);
    assert.equal(head.cells[1], 'main (#1)');
    assert.equal(head.cells[3], '5 fulfilled');
    assert.match(head.cells[4], /^p50 3\.10 ms, p95 5\.10 ms$/);
    assert.match(head.cells[6], /^members #2, #3, #4, #5, #6$/);
    // Two of a kind: no header.
    const two = indexTrace(server(2));
    assert.ok(
      !buildTableRows(two, layoutLanes(two, { collapsed: new Set(), filter: '' })).some((r) => r.foldMembers),
    );
  });

  it('the viewer folds a fold of many into one row (first member, union drawn), unfolds on request, and leaves small folds open', () => {
    const show = (rows: LayoutRow[]) =>
      rows.map((r) =>
        r.kind === 'task'
          ? `${r.taskId}${r.fold ? (r.collapsed ? ` fold+${r.hiddenCount}` : ' fold-open') : ''}`
          : 'group',
      );
    const big = indexTrace(server(FOLDED_AT + 1));
    const folds = taskFolds(big.trace);
    const tree = layoutLanes(big, { collapsed: new Set(), filter: '' });
    const folded = foldLanes(tree, folds, new Map());
    assert.deepEqual(show(folded.rows), ['1', `2 fold+${FOLDED_AT}`]);
    const row = folded.rows[1];
    assert.ok(row.kind === 'task' && row.fold);
    assert.deepEqual(row.fold.memberIds, [2, 3, 4, 5, 6, 7]);
    assert.equal(row.fold.name, 'GET /user/:id');
    assert.equal(folded.rowOf.get(2), 1);
    assert.equal(folded.rowOf.get(3), undefined, 'a hidden member has no row');
    // The table still lists every member under the fold's header row.
    assert.equal(buildTableRows(big, folded).length, 1 + 1 + FOLDED_AT + 1);
    const open = foldLanes(tree, folds, new Map([[folds[0].key, true]]));
    assert.deepEqual(show(open.rows), ['1', '2 fold-open', '3', '4', '5', '6', '7']);
    const small = indexTrace(server(FOLDED_AT - 1));
    const smallRows = foldLanes(
      layoutLanes(small, { collapsed: new Set(), filter: '' }),
      taskFolds(small.trace),
      new Map(),
    );
    assert.equal(smallRows.rows.length, FOLDED_AT, 'a small fold starts unfolded');
    const closed = foldLanes(
      layoutLanes(small, { collapsed: new Set(), filter: '' }),
      taskFolds(small.trace),
      new Map([[taskFolds(small.trace)[0].key, false]]),
    );
    assert.equal(closed.rows.length, 2, 'and folds when asked');
  });

  it('a layout stands for every task it folds away: folds, collapsed subtrees; only a filter leaves tasks out', () => {
    const big = indexTrace(server(FOLDED_AT + 1));
    const all = big.trace.tasks.length;
    const tree = layoutLanes(big, { collapsed: new Set(), filter: '' });
    const folded = foldLanes(tree, taskFolds(big.trace), new Map());
    assert.equal(folded.rows.length, 2);
    assert.equal(tasksInLayout(folded), all);
    const collapsed = layoutLanes(big, { collapsed: new Set([1]), filter: '' });
    assert.equal(collapsed.rows.length, 1);
    assert.equal(tasksInLayout(collapsed), all);
    const filtered = layoutLanes(big, { collapsed: new Set(), filter: 'main' });
    assert.equal(tasksInLayout(filtered), 1);
  });
});
