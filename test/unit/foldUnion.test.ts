import assert from 'node:assert/strict';
import { foldUnion } from '../../src/core/timeline/foldUnion';
import { buildLaneSpans, type LaneSpan } from '../../src/core/timeline/levelOfDetail';
import { indexTrace, RUNNING, SUSPENDED } from '../../src/core/timeline/traceIndex';
import { makeTask, makeTrace } from './timelineFixtures';

/** The union as [start, end, 'R' | 'S'] triples. */
function segments(u: ReturnType<typeof foldUnion>): Array<[number, number, string]> {
  return [...u.starts].map((s, i) => [s, u.ends[i], u.suspended[i] === RUNNING ? 'R' : 'S']);
}

describe('timeline: the union a large fold of similar tasks draws', () => {
  it('runs where any member runs, waits where some member lives and none runs, is empty where none lives', () => {
    // makeTask bounds alternate running / suspended: [r, s, r, …] between the given times.
    const index = indexTrace(
      makeTrace(
        [
          makeTask(1, null, [0, 100], 'main'),
          makeTask(2, 1, [10, 12, 20, 22], 'h'), // runs 10–12, waits 12–20, runs 20–22
          makeTask(3, 1, [11, 15, 30, 31], 'h'), // runs 11–15, waits 15–30, runs 30–31
          makeTask(4, 1, [50, 51, 60, 61], 'h'), // runs 50–51, waits 51–60, runs 60–61
        ],
        100,
      ),
    );
    const u = foldUnion(index, [2, 3, 4]);
    assert.deepEqual(segments(u), [
      [10, 15, 'R'],
      [15, 20, 'S'],
      [20, 22, 'R'],
      [22, 30, 'S'],
      [30, 31, 'R'],
      [50, 51, 'R'],
      [51, 60, 'S'],
      [60, 61, 'R'],
    ]);
    assert.deepEqual([...u.runCum], [0, 5, 5, 7, 7, 8, 9, 9, 10]);
    assert.equal(u.suspended[1], SUSPENDED);
    // The level-of-detail pass reads it as it reads a lane.
    const out: LaneSpan[] = [];
    const n = buildLaneSpans(u, 0, 100, 0.01, 1, out);
    assert.equal(n, 8);
    assert.deepEqual(foldUnion(index, []).starts.length, 0);
  });
});
