import assert from 'node:assert/strict';
import {
  buildLaneSpans,
  type LaneSpan,
  SPAN_DENSE,
  SPAN_RUNNING,
  SPAN_SUSPENDED,
} from '../../src/core/timeline/levelOfDetail';
import { indexTrace } from '../../src/core/timeline/traceIndex';
import { loadTrace, makeTask, makeTrace } from './timelineFixtures';

describe('timeline: level-of-detail merging', () => {
  it('draws wide segments one by one', () => {
    const lane = indexTrace(loadTrace('workers')).lanes.get(1)!;
    const out: LaneSpan[] = [];
    const n = buildLaneSpans(lane, 0, 2100, 0.001, 1, out);
    assert.equal(n, 5);
    assert.deepEqual(
      out.slice(0, n).map((s) => s.kind),
      [SPAN_RUNNING, SPAN_SUSPENDED, SPAN_RUNNING, SPAN_SUSPENDED, SPAN_RUNNING],
    );
  });

  it('keeps an isolated tiny segment as itself (the renderer gives it a minimum width)', () => {
    const lane = indexTrace(loadTrace('workers')).lanes.get(1)!;
    const out: LaneSpan[] = [];
    const n = buildLaneSpans(lane, 0, 2100, 2, 1, out);
    // At 2 ms/px the 0.35 ms first running segment is sub-pixel, but it stands alone.
    assert.equal(out[0].kind, SPAN_RUNNING);
    assert.equal(out[0].count, 1);
    assert.ok(n >= 3);
  });

  it('merges runs of sub-pixel segments and reports the running share', () => {
    // 1000 segments of 0.1 ms alternating running/suspended, all inside 100 ms.
    const bounds = Array.from({ length: 1001 }, (_, i) => i * 0.1);
    const lane = indexTrace(makeTrace([makeTask(1, null, bounds)])).lanes.get(1)!;
    const out: LaneSpan[] = [];
    const n = buildLaneSpans(lane, 0, 100, 1, 1, out); // 1 ms per px → 10 segments per pixel
    // About one span per pixel (a little more where a merge ends short of a pixel boundary).
    assert.ok(n <= 125 && n >= 50, `spans: ${n}`);
    // All merged, except possibly a lone leftover at the very end.
    for (let i = 0; i < n - 1; i++) {
      assert.equal(out[i].kind, SPAN_DENSE);
      assert.ok(Math.abs(out[i].runFrac - 0.5) < 0.11, `runFrac ${out[i].runFrac}`);
    }
    const merged = out.slice(0, n).reduce((a, s) => a + s.count, 0);
    assert.equal(merged, 1000, 'every segment accounted for exactly once');
    for (let i = 1; i < n; i++)
      assert.ok(out[i].start >= out[i - 1].end - 1e-9, 'spans in order, not overlapping');
  });

  it('does work proportional to pixels, not segments (a million segments in one lane)', () => {
    const N = 1_000_000;
    const bounds = new Array<number>(N + 1);
    for (let i = 0; i <= N; i++) bounds[i] = i * 0.01;
    const lane = indexTrace(makeTrace([makeTask(1, null, bounds)], N * 0.01)).lanes.get(1)!;
    const out: LaneSpan[] = [];
    void lane.starts; // build the lazy arrays outside the timing
    // The fastest of a few rounds: one round can lose the CPU for a while on a busy CI machine, but
    // not all of them, and the work itself takes well under a millisecond.
    let dt = Infinity;
    let n = 0;
    for (let round = 0; round < 5; round++) {
      const t0 = performance.now();
      n = buildLaneSpans(lane, 0, N * 0.01, (N * 0.01) / 1000, 1, out); // fit 10 s into 1000 px
      dt = Math.min(dt, performance.now() - t0);
    }
    assert.ok(n <= 1250, `spans: ${n}`);
    // A linear walk over a million segments would take tens of ms; generous bound for busy CI.
    assert.ok(dt < 200, `took ${dt} ms`);
  });

  it('only returns spans overlapping the visible range', () => {
    const bounds = Array.from({ length: 101 }, (_, i) => i * 10);
    const lane = indexTrace(makeTrace([makeTask(1, null, bounds)], 1000)).lanes.get(1)!;
    const out: LaneSpan[] = [];
    const n = buildLaneSpans(lane, 500, 520, 0.01, 1, out);
    // The segments touching the edges are included (they draw up to the edge).
    assert.equal(n, 4);
    assert.equal(out[0].start, 490);
    assert.equal(out[3].start, 520);
  });
});
