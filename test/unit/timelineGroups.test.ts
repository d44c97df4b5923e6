import assert from 'node:assert/strict';
import type { Trace, TraceGroup } from '../../src/protocol/trace';
import {
  buildTableRows,
  GROUP_COLUMN,
  TABLE_COLUMNS,
  tableColumns,
} from '../../src/core/timeline/accessibleTable';
import { hitTest } from '../../src/core/timeline/hitTest';
import { hoverFacts } from '../../src/core/timeline/hoverFacts';
import { groupSummary } from '../../src/core/timeline/laneGroups';
import { type LayoutRow, layoutLanes } from '../../src/core/timeline/laneTree';
import { describeTask } from '../../src/core/timeline/taskDetails';
import { indexTrace, type TraceIndex } from '../../src/core/timeline/traceIndex';
import { fitTime, rowToY, timeToX, type Viewport } from '../../src/core/timeline/viewport';
import { loadTrace, makeTask, makeTrace } from './timelineFixtures';

const base: Viewport = {
  start: 0,
  msPerPx: 1,
  scrollTop: 0,
  width: 1240,
  height: 600,
  gutter: 240,
  axisHeight: 34,
  rowHeight: 26,
  dpr: 1,
};

/** `[label]` for a header, the task name for a lane, indented by depth with dashes. */
function shape(index: TraceIndex, rows: LayoutRow[]): string[] {
  return rows.map(
    (r) =>
      '-'.repeat(r.depth) +
      (r.kind === 'group'
        ? `[${index.groups!.byId.get(r.groupId)!.group.label}]`
        : index.lanes.get(r.taskId)!.task.name),
  );
}

const group = (
  id: number,
  kind: TraceGroup['kind'],
  parentGroup: number | null,
  started: number,
): TraceGroup => ({
  id,
  kind,
  label: `${kind} ${id}`,
  pid: kind === 'process' ? 5000 + id : 4000,
  threadId: kind === 'worker' ? id : 0,
  parentGroup,
  started,
  ended: null,
});

const all = { collapsed: new Set<number>(), filter: '' };

describe('timeline: threads and processes (groups of lanes)', () => {
  const threads = indexTrace(loadTrace('threads'));

  it('puts each event loop under a header, main first, parent before child', () => {
    const layout = layoutLanes(threads, all);
    assert.deepEqual(shape(threads, layout.rows), [
      '[main]',
      '-main',
      '--runPool',
      '-[worker 1 (pool-worker.ts)]',
      '--onMessage',
      '---crunch',
      '-[worker 2 (pool-worker.ts)]',
      '--onMessage',
      '---crunch',
      '-[node child.js (pid 4300)]',
      '--serve',
    ]);
    assert.equal(layout.groupRowOf.get(2), 6);
    assert.equal(layout.rowOf.get(21), 8);
    assert.equal(layout.rowOf.size, 7, 'rowOf indexes tasks only');
  });

  it('orders sibling groups by start time and nests a process under the worker that spawned it', () => {
    const tasks = [1, 2, 3, 4].map((id) => ({ ...makeTask(id, null, [id, id + 1]), group: id - 1 }));
    const trace: Trace = {
      ...makeTrace(tasks),
      // Listed out of order, the main group not first: the view orders them itself.
      groups: [
        group(3, 'process', 1, 2),
        group(2, 'worker', 0, 5),
        group(1, 'worker', 0, 1),
        group(0, 'main', null, 0),
      ],
    };
    const idx = indexTrace(trace);
    assert.deepEqual(shape(idx, layoutLanes(idx, all).rows), [
      '[main 0]',
      '-t1',
      '-[worker 1]',
      '--t2',
      '--[process 3]',
      '---t4',
      '-[worker 2]',
      '--t3',
    ]);
  });

  it('a parent in another group or cycle does not hide a group; unknown groups fall back to the first', () => {
    const tasks = [
      { ...makeTask(1, null, [0, 5]), group: 0 },
      // Created by a task of another event loop: a root of its own group, not nested across threads.
      { ...makeTask(2, 1, [1, 3]), group: 1 },
      { ...makeTask(3, null, [1, 3]), group: 9 },
    ];
    const trace: Trace = {
      ...makeTrace(tasks),
      groups: [group(0, 'main', null, 0), { ...group(1, 'worker', 2, 1) }, { ...group(2, 'worker', 1, 1) }],
    };
    const idx = indexTrace(trace);
    const rows = shape(idx, layoutLanes(idx, all).rows);
    assert.deepEqual(rows, ['[main 0]', '-t1', '-t3', '[worker 1]', '-t2', '[worker 2]']);
  });

  it('folds a group: its lanes and child groups hide, the header counts them', () => {
    const layout = layoutLanes(threads, { ...all, collapsedGroups: new Set([1]) });
    assert.deepEqual(shape(threads, layout.rows).slice(3, 5), [
      '-[worker 1 (pool-worker.ts)]',
      '-[worker 2 (pool-worker.ts)]',
    ]);
    const header = layout.rows[3];
    assert.ok(header.kind === 'group' && header.collapsed && header.hiddenCount === 2);
    const main = layoutLanes(threads, { ...all, collapsedGroups: new Set([0]) });
    assert.deepEqual(shape(threads, main.rows), ['[main]']);
    assert.ok(main.rows[0].kind === 'group' && main.rows[0].hiddenCount === 7);
    // A task fold inside a group still works, one level deeper.
    const tf = layoutLanes(threads, { collapsed: new Set([10]), filter: '' });
    assert.deepEqual(shape(threads, tf.rows).slice(3, 6), [
      '-[worker 1 (pool-worker.ts)]',
      '--onMessage',
      '-[worker 2 (pool-worker.ts)]',
    ]);
  });

  it('a filter keeps only the headers above a match', () => {
    const layout = layoutLanes(threads, { collapsed: new Set(), filter: 'serve' });
    assert.deepEqual(shape(threads, layout.rows), ['[main]', '-[node child.js (pid 4300)]', '--serve']);
    assert.equal(layoutLanes(threads, { collapsed: new Set(), filter: 'zzz' }).rows.length, 0);
  });

  it('hit-tests a header row anywhere along it, its twisty in the label column', () => {
    const layout = layoutLanes(threads, all);
    const vp = fitTime(base, 0, 420, 20);
    const y = rowToY(vp, 3) + 13;
    const onLabel = hitTest(threads, layout, vp, 120, y);
    assert.deepEqual(onLabel, { area: 'group', row: 3, groupId: 1, onTwisty: false });
    const twisty = hitTest(threads, layout, vp, 4 + 14 + 5, y);
    assert.ok(twisty.area === 'group' && twisty.onTwisty);
    const plot = hitTest(threads, layout, vp, timeToX(vp, 100), y);
    assert.deepEqual(plot, { area: 'group', row: 3, groupId: 1, onTwisty: false });
    const lane = hitTest(threads, layout, vp, timeToX(vp, 100), rowToY(vp, 5) + 13);
    assert.ok(lane.area === 'lane' && lane.taskId === 11);
  });

  it('tooltips, details and the table name the thread or process', () => {
    const layout = layoutLanes(threads, all);
    const vp = fitTime(base, 0, 420, 20);
    const header = hoverFacts(threads, { area: 'group', row: 9, groupId: 3, onTwisty: false })!;
    assert.equal(header.title, 'node child.js (pid 4300)');
    assert.deepEqual(Object.fromEntries(header.rows), {
      kind: 'process',
      pid: '4300',
      entry: 'child.js',
      command: 'node child.js',
      'started by': 'main',
      started: '30 ms',
      ended: 'still running at the end of the trace',
      tasks: '1',
    });
    const seg = hoverFacts(threads, hitTest(threads, layout, vp, timeToX(vp, 100), rowToY(vp, 5) + 13))!;
    assert.deepEqual(seg.rows.at(-1), ['thread', 'worker 1 (pool-worker.ts)']);
    const label = hoverFacts(threads, { area: 'gutter', row: 10, taskId: 30, onTwisty: false })!;
    assert.deepEqual(label.rows.at(-1), ['process', 'node child.js (pid 4300)']);
    assert.equal(describeTask(threads, 21)!.group, 'worker 2 (pool-worker.ts)');
    assert.deepEqual(tableColumns(threads), [...TABLE_COLUMNS, GROUP_COLUMN]);
    const rows = buildTableRows(threads, layout);
    assert.equal(rows.length, 7, 'header rows are no table rows');
    assert.deepEqual(
      rows.map((r) => r.cells.at(-1)),
      [
        'main',
        'main',
        'worker 1 (pool-worker.ts)',
        'worker 1 (pool-worker.ts)',
        'worker 2 (pool-worker.ts)',
        'worker 2 (pool-worker.ts)',
        'node child.js (pid 4300)',
      ],
    );
    assert.equal(
      groupSummary(threads.groups!.byId.get(2)!.group),
      'worker · pid 4242 · thread 2 · 11.0 ms – 398 ms',
    );
  });

  it('a single-thread trace (no groups, or just one) looks exactly as before', () => {
    const plain = loadTrace('workers');
    for (const trace of [plain, { ...plain, groups: [group(0, 'main', null, 0)] }]) {
      const idx = indexTrace(trace);
      assert.equal(idx.groups, null);
      const layout = layoutLanes(idx, all);
      assert.ok(layout.rows.every((r) => r.kind === 'task'));
      assert.deepEqual(shape(idx, layout.rows), ['main', '-worker1', '-worker2']);
      assert.equal(layout.groupRowOf.size, 0);
      assert.deepEqual(tableColumns(idx), TABLE_COLUMNS);
      assert.ok(buildTableRows(idx, layout).every((r) => r.cells.length === TABLE_COLUMNS.length));
      assert.equal(describeTask(idx, 2)!.group, undefined);
      const facts = hoverFacts(idx, { area: 'gutter', row: 1, taskId: 2, onTwisty: false })!;
      assert.ok(!facts.rows.some(([k]) => k === 'thread' || k === 'process'));
    }
  });
});
