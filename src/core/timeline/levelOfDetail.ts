import type { SpanSource } from './foldUnion';
import { lowerBound, RUNNING, SUSPENDED } from './traceIndex';

/** Span kinds produced by {@link buildLaneSpans}. */
export const SPAN_RUNNING = 0;
export const SPAN_SUSPENDED = 1;
/** Several segments too narrow to draw one by one, merged. */
export const SPAN_DENSE = 2;

/** One drawable piece of a lane. Times in ms; `seg` = segment index, or the first merged one. */
export interface LaneSpan {
  kind: 0 | 1 | 2;
  start: number;
  end: number;
  seg: number;
  /** For dense spans: how many segments were merged, and the share of the time spent running. */
  count: number;
  runFrac: number;
}

/**
 * Level of detail for one lane: the segments overlapping [t0, t1], with runs of segments narrower
 * than `minPx` merged into dense spans. The work is proportional to the number of pixels, not of
 * segments: after a tiny segment it binary-searches to the first segment that ends past the
 * pixel budget, and the running share of what it skipped comes from the prefix sums in `runCum`.
 * `out` is reused between calls to avoid garbage in the frame loop; the count is returned.
 */
export function buildLaneSpans(
  lane: SpanSource,
  t0: number,
  t1: number,
  msPerPx: number,
  minPx: number,
  out: LaneSpan[],
): number {
  const { starts, ends, suspended, runCum } = lane;
  const n = starts.length;
  const minDt = minPx * msPerPx;
  let count = 0;
  // Segments are contiguous and sorted, so `ends` is sorted too.
  let i = lowerBound(ends, t0);
  while (i < n && starts[i] <= t1) {
    const s = starts[i];
    const e = ends[i];
    if (e - s >= minDt) {
      put(
        out,
        count++,
        suspended[i] === SUSPENDED ? SPAN_SUSPENDED : SPAN_RUNNING,
        s,
        e,
        i,
        1,
        suspended[i] === RUNNING ? 1 : 0,
      );
      i++;
      continue;
    }
    // Merge every following segment that ends inside this pixel budget.
    const j = Math.max(i + 1, lowerBound(ends, s + minDt, i, n));
    if (j === i + 1) {
      put(
        out,
        count++,
        suspended[i] === SUSPENDED ? SPAN_SUSPENDED : SPAN_RUNNING,
        s,
        e,
        i,
        1,
        suspended[i] === RUNNING ? 1 : 0,
      );
    } else {
      const mEnd = ends[j - 1];
      const dur = mEnd - s;
      const runFrac = dur > 0 ? (runCum[j] - runCum[i]) / dur : 1;
      put(out, count++, SPAN_DENSE, s, mEnd, i, j - i, runFrac);
    }
    i = j;
  }
  return count;
}

function put(
  out: LaneSpan[],
  k: number,
  kind: 0 | 1 | 2,
  start: number,
  end: number,
  seg: number,
  count: number,
  runFrac: number,
): void {
  const o = out[k];
  if (o) {
    o.kind = kind;
    o.start = start;
    o.end = end;
    o.seg = seg;
    o.count = count;
    o.runFrac = runFrac;
  } else {
    out[k] = { kind, start, end, seg, count, runFrac };
  }
}
