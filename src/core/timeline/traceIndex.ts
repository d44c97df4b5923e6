import type { CallbackRecord, TaskRecord, Trace } from '../../protocol/trace';

/** Segment states as stored in {@link LaneData.suspended} (a byte per segment). */
export const RUNNING = 0;
export const SUSPENDED = 1;

/**
 * One task's segments as flat typed arrays: the renderer and hit-testing binary-search these
 * instead of walking objects, which is what keeps a million-event trace smooth.
 */
export interface LaneData {
  task: TaskRecord;
  /** Segment start / end times (ms). Open ends (`end: null`) are resolved to the trace end. */
  starts: Float64Array;
  ends: Float64Array;
  /** {@link RUNNING} or {@link SUSPENDED}, per segment. */
  suspended: Uint8Array;
  /** runCum[i] = total running time of segments [0, i); length n + 1 (for O(1) density in LOD). */
  runCum: Float64Array;
  /** True when the last segment never ended (pending at exit, or still going in a live trace). */
  openEnd: boolean;
  /** Child task ids, in creation order. */
  children: number[];
  /** Time the lane ends: settle time, or the trace end when unsettled. */
  end: number;
}

/** The trace plus the lookups every viewer module needs, built once per received trace. */
export interface TraceIndex {
  trace: Trace;
  /** Earliest time in the trace (usually 0). */
  startT: number;
  /** Latest time in the trace: open segments run to here. */
  endT: number;
  lanes: Map<number, LaneData>;
  /** Tasks with no (known) parent, in creation order. */
  roots: number[];
  /** Callbacks grouped by the task whose promise they hang on, in time order. */
  callbacksByTask: Map<number, CallbackRecord[]>;
  /** Total number of segments (for stats and LOD budgets). */
  segmentCount: number;
}

/**
 * Indexes a trace for drawing. Linear in the number of segments; it never mutates the trace.
 * Segments whose times are missing or out of order are clamped so the arrays stay sorted
 * (binary searches rely on it) — a malformed trace draws oddly rather than crashing.
 */
export function indexTrace(trace: Trace): TraceIndex {
  let startT = Infinity;
  let endT = Number.isFinite(trace.durationMs) ? trace.durationMs : 0;
  for (const task of trace.tasks) {
    if (task.created.t < startT) startT = task.created.t;
    const last = task.segments[task.segments.length - 1];
    if (last) endT = Math.max(endT, last.start, last.end ?? last.start);
    if (task.settled) endT = Math.max(endT, task.settled.t);
  }
  for (const c of trace.callbacks) endT = Math.max(endT, c.t);
  for (const o of trace.output) endT = Math.max(endT, o.t);
  if (!Number.isFinite(startT)) startT = 0;
  startT = Math.min(startT, 0);

  const lanes = new Map<number, LaneData>();
  let segmentCount = 0;
  for (const task of trace.tasks) {
    const n = task.segments.length;
    segmentCount += n;
    const starts = new Float64Array(n);
    const ends = new Float64Array(n);
    const suspended = new Uint8Array(n);
    const runCum = new Float64Array(n + 1);
    let prev = task.created.t;
    for (let i = 0; i < n; i++) {
      const s = task.segments[i];
      const st = Math.max(prev, s.start);
      const en = Math.max(st, s.end ?? endT);
      starts[i] = st;
      ends[i] = en;
      suspended[i] = s.state === 'suspended' ? SUSPENDED : RUNNING;
      runCum[i + 1] = runCum[i] + (s.state === 'running' ? en - st : 0);
      prev = en;
    }
    const openEnd = n > 0 && task.segments[n - 1].end === null;
    lanes.set(task.id, { task, starts, ends, suspended, runCum, openEnd, children: [], end: task.settled ? task.settled.t : endT });
  }

  const roots: number[] = [];
  const byCreation = [...trace.tasks].sort((a, b) => a.created.t - b.created.t || a.id - b.id);
  for (const task of byCreation) {
    const parent = task.parentId !== null && task.parentId !== task.id ? lanes.get(task.parentId) : undefined;
    if (parent) parent.children.push(task.id);
    else roots.push(task.id);
  }

  const callbacksByTask = new Map<number, CallbackRecord[]>();
  for (const c of trace.callbacks) {
    let list = callbacksByTask.get(c.taskId);
    if (!list) callbacksByTask.set(c.taskId, (list = []));
    list.push(c);
  }
  for (const list of callbacksByTask.values()) list.sort((a, b) => a.t - b.t);

  return { trace, startT, endT, lanes, roots, callbacksByTask, segmentCount };
}

/** Index of the first element of a sorted array that is >= t (arr.length if none). */
export function lowerBound(arr: Float64Array, t: number, from = 0, to = arr.length): number {
  let lo = from;
  let hi = to;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (arr[mid] < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
