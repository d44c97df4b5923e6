import assert from 'node:assert/strict';
import { buildTableRows, TABLE_COLUMNS } from '../../src/core/timeline/accessibleTable';
import { hoverFacts, siteOfSegment } from '../../src/core/timeline/hoverFacts';
import { layoutLanes } from '../../src/core/timeline/laneTree';
import { sameFile, segmentsAtSite } from '../../src/core/timeline/siteMatch';
import { describeTask } from '../../src/core/timeline/taskDetails';
import { indexTrace } from '../../src/core/timeline/traceIndex';
import { loadTrace } from './timelineFixtures';

describe('timeline: details, tooltips, table rows and site links', () => {
  const workers = indexTrace(loadTrace('workers'));
  const edge = indexTrace(loadTrace('edgeCases'));

  it('describes a task: parent, totals, suspensions with durations and wakers', () => {
    const d = describeTask(workers, 1)!;
    assert.equal(d.parent, null);
    assert.equal(d.outcome, 'fulfilled');
    assert.equal(d.suspensions.length, 2);
    assert.ok(Math.abs(d.suspensions[0].duration! - 1000.8) < 1e-9);
    assert.deepEqual(d.suspensions[0].awaits, [{ id: 2, name: 'worker1' }]);
    assert.deepEqual(d.suspensions[1].resumedBy, { id: 3, name: 'worker2' });
    assert.ok(Math.abs(d.running + d.suspended - d.lifetime) < 1e-9);
    assert.equal(d.children, 2);
    assert.equal(describeTask(workers, 2)!.parent!.name, 'main');
    assert.equal(describeTask(workers, 99), null);
  });

  it('says when a task never resumed and when an await threw', () => {
    const pending = describeTask(edge, 3)!;
    assert.equal(pending.outcome, 'pending');
    assert.equal(pending.suspensions[0].duration, null);
    assert.equal(describeTask(edge, 1)!.suspensions[0].threw, true);
    assert.equal(describeTask(edge, 1)!.outcome, 'rejected');
  });

  it('builds tooltip facts: state, start, duration, site, what it waited on', () => {
    const f = hoverFacts(workers, { area: 'lane', row: 0, taskId: 1, t: 500, segIndex: 1, callback: null })!;
    const m = new Map(f.rows);
    assert.equal(f.title, 'main (#1)');
    assert.equal(m.get('state'), 'suspended at await');
    assert.equal(m.get('duration'), '1.00 s');
    assert.equal(m.get('await site'), 'workers.ts:22:3');
    assert.equal(m.get('waited on'), 'worker1');
    assert.equal(m.get('woken by'), 'worker1 settling');
    assert.deepEqual(f.site, { file: 'workers.ts', line: 22, column: 3 });
    const block = hoverFacts(edge, { area: 'lane', row: 0, taskId: 1, t: 500, segIndex: 2, callback: null })!;
    assert.match(new Map(block.rows).get('state')!, /blocking the event loop/);
    const race = hoverFacts(edge, { area: 'lane', row: 0, taskId: 1, t: 900, segIndex: 3, callback: null })!;
    assert.equal(new Map(race.rows).get('waited on'), 'Promise.race(timeoutAfter, loadAll)');
    assert.equal(hoverFacts(workers, { area: 'none' }), null);
  });

  it("shows asyncio's task name and what a rejected task raised (details, tooltips, table)", () => {
    const trace = loadTrace('edgeCases');
    const t1 = trace.tasks.find((t) => t.id === 1)!;
    t1.taskName = 'Task-7';
    t1.settled = { ...t1.settled!, state: 'rejected', error: 'ValueError: boom' };
    const idx = indexTrace(trace);
    const d = describeTask(idx, 1)!;
    assert.equal(d.taskName, 'Task-7');
    assert.equal(d.error, 'ValueError: boom');
    assert.equal(describeTask(idx, 2)!.error, undefined);
    const gutter = hoverFacts(idx, { area: 'gutter', row: 0, taskId: 1, onTwisty: false })!;
    assert.equal(gutter.title, `${t1.name} (#1, Task-7)`);
    assert.equal(new Map(gutter.rows).get('raised'), 'ValueError: boom');
    const last = hoverFacts(idx, { area: 'lane', row: 0, taskId: 1, t: 0, segIndex: t1.segments.length - 1, callback: null })!;
    assert.equal(new Map(last.rows).get('raised'), 'ValueError: boom');
    const row = buildTableRows(idx, layoutLanes(idx, { collapsed: new Set(), filter: '' })).find((r) => r.taskId === 1)!;
    assert.equal(row.cells[0], `${t1.name} (#1, Task-7)`);
    assert.match(row.cells[3], /^rejected at .*: ValueError: boom$/);
  });

  it('says "woken by X" without "settling" when X is no task it awaited (a lock released, an event set)', () => {
    const trace = loadTrace('workers');
    const seg = trace.tasks.find((t) => t.id === 1)!.segments[1];
    assert.equal(seg.state, 'suspended');
    if (seg.state === 'suspended') seg.resumedBy = 3;
    const f = hoverFacts(indexTrace(trace), { area: 'lane', row: 0, taskId: 1, t: 500, segIndex: 1, callback: null })!;
    assert.equal(new Map(f.rows).get('woken by'), 'worker2');
  });

  it('maps a running segment to where it resumed, the first one to the creation call', () => {
    assert.deepEqual(siteOfSegment(workers, 1, 0), { file: 'workers.ts', line: 29, column: 1 });
    assert.deepEqual(siteOfSegment(workers, 1, 2), { file: 'workers.ts', line: 22, column: 3 });
  });

  it('builds accessible table rows in lane order with the same facts', () => {
    const rows = buildTableRows(edge, layoutLanes(edge, { collapsed: new Set(), filter: '' }));
    assert.equal(rows.length, 6);
    assert.equal(rows[0].cells.length, TABLE_COLUMNS.length);
    assert.equal(rows[0].cells[1], 'top level');
    assert.match(rows[1].cells[3], /^rejected at 300\.3 ms$/);
    assert.equal(rows[2].cells[3], 'pending at exit');
    assert.match(rows[2].cells[6], /never resumed/);
    assert.equal(rows[5].depth, 2);
    assert.equal(buildTableRows(edge, layoutLanes(edge, { collapsed: new Set(), filter: '' }), 2).length, 2);
  });

  it('matches files relative or absolute and finds what a line caused', () => {
    assert.ok(sameFile('/home/dev/project/src/a.ts', 'src/a.ts', '/home/dev/project'));
    assert.ok(sameFile('src/a.ts', 'src/a.ts', '/x'));
    assert.ok(sameFile('C:\\p\\src\\a.ts', 'src/a.ts', 'C:\\p'));
    assert.ok(!sameFile('src/ba.ts', 'src/a.ts', '/x'));
    assert.deepEqual(segmentsAtSite(workers, 'workers.ts', 22), [{ taskId: 1, segIndex: 1 }]);
    assert.deepEqual(segmentsAtSite(workers, '/home/dev/project/workers.ts', 19), [
      { taskId: 2, segIndex: -1 },
    ]);
    assert.deepEqual(segmentsAtSite(workers, 'workers.ts', 2), []);
  });
});
