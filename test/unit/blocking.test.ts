import assert from 'node:assert/strict';
import { blockingSet, findBlockingRuns } from '../../src/core/blocking';
import { computeStats } from '../../src/core/stats';
import { hoverFacts } from '../../src/core/timeline/hoverFacts';
import { resumeMark, segmentMark, settleMark } from '../../src/core/timeline/marks';
import { indexTrace } from '../../src/core/timeline/traceIndex';
import type { TaskRecord } from '../../src/protocol/trace';
import { makeTask, makeTrace } from './timelineFixtures';

/** main runs 0–100 and calls helper synchronously, which runs 10–80 of it; other runs 100–130. */
function nestedTrace() {
  const main = makeTask(1, null, [0, 100, 200, 210]);
  const helper = makeTask(2, 1, [10, 80]);
  const other = makeTask(3, 1, [100, 130]);
  return makeTrace([main, helper, other], 210);
}

describe('core/blocking: one definition of "blocking the loop"', () => {
  it('counts a running segment by its own time, the nested running of other tasks subtracted', () => {
    const runs = findBlockingRuns(nestedTrace(), 50);
    // main's 0–100 holds only 30 ms of its own; helper's 70 ms blocks.
    assert.deepEqual(
      runs.map((b) => [b.taskId, b.segIndex, b.durationMs, b.ownMs]),
      [[2, 0, 70, 70]],
    );
    assert.deepEqual(
      findBlockingRuns(nestedTrace(), 30).map((b) => [b.taskId, b.segIndex, b.ownMs]),
      [
        [1, 0, 30],
        [2, 0, 70],
        [3, 0, 30],
      ],
    );
  });

  it('honours the threshold: at it counts, above it not; none at 0', () => {
    const t = makeTrace([makeTask(1, null, [0, 50, 60, 109])], 109);
    assert.deepEqual(
      findBlockingRuns(t, 50).map((b) => b.segIndex),
      [0],
    );
    assert.deepEqual(
      findBlockingRuns(t, 49).map((b) => b.segIndex),
      [0, 2],
    );
    assert.deepEqual(findBlockingRuns(t, 51), []);
    assert.deepEqual(findBlockingRuns(t, 0), []);
  });

  it('runs an open running segment to the end of the trace', () => {
    const task: TaskRecord = { ...makeTask(1, null, [0, 10]), settled: null };
    task.segments = [{ state: 'running', start: 0, end: null }];
    const runs = findBlockingRuns(makeTrace([task], 70), 50);
    assert.deepEqual(
      runs.map((b) => [b.end, b.durationMs]),
      [[70, 70]],
    );
  });

  it('is what the editor (stats) and the viewer (index, marks, tooltip) both use', () => {
    const trace = nestedTrace();
    for (const threshold of [30, 50, 90]) {
      const fromStats = computeStats(trace, { blockingThresholdMs: threshold }).blocking.map((b) => [
        b.taskId,
        b.start,
      ]);
      const index = indexTrace(trace, threshold);
      const fromViewer: number[][] = [];
      for (const task of trace.tasks)
        task.segments.forEach((s, i) => {
          if (segmentMark(index, task, i) === 'blocking') fromViewer.push([task.id, s.start]);
        });
      assert.deepEqual(fromViewer, fromStats, `threshold ${threshold}`);
      assert.deepEqual(
        [...blockingSet(trace, threshold)].map(([id, segs]) => [id, [...segs]]),
        [...index.blocking].map(([id, segs]) => [id, [...segs]]),
      );
    }
    const index = indexTrace(trace, 50);
    const tip = (taskId: number) =>
      hoverFacts(index, { area: 'lane', row: 0, taskId, t: 20, segIndex: 0, callback: null })!.rows.find(
        ([k]) => k === 'state',
      )![1];
    // main ran 100 ms but 70 of them were helper's: only helper is said to block.
    assert.equal(tip(1), 'running');
    assert.equal(tip(2), 'running — blocking the event loop');
  });
});

describe('timeline/marks: what a mark means', () => {
  it('names segments, settles and resumes', () => {
    const t = makeTask(1, null, [0, 60, 70, 80]);
    const trace = makeTrace([t], 80);
    const index = indexTrace(trace, 50);
    assert.equal(segmentMark(index, t, 0), 'blocking');
    assert.equal(segmentMark(index, t, 1), 'suspended');
    assert.equal(segmentMark(index, t, 2), 'running');
    assert.equal(segmentMark(indexTrace(trace, 100), t, 0), 'running');
    const sched: TaskRecord = {
      ...t,
      segments: [
        { state: 'suspended', start: 0, end: 5, site: null, kind: 'scheduled', awaits: [] },
        ...t.segments,
      ],
    };
    assert.equal(segmentMark(indexTrace(makeTrace([sched]), 50), sched, 0), 'scheduled');

    assert.equal(settleMark(t), 'fulfilled');
    assert.equal(settleMark({ ...t, settled: null }), 'pending');
    assert.equal(settleMark({ ...t, settled: { t: 1, state: 'rejected' } }), 'rejected');
    assert.equal(settleMark({ ...t, settled: { t: 1, state: 'cancelled' } }), 'cancelled');

    const susp = t.segments[1];
    assert.equal(resumeMark(t.segments[0]), null);
    assert.equal(resumeMark(susp), 'resume');
    assert.equal(resumeMark({ ...susp, threw: true } as typeof susp), 'resume-threw');
    assert.equal(resumeMark({ ...susp, end: null }), 'pending');
  });
});
