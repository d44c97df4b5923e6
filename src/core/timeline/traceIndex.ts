import type { CallbackRecord, TaskRecord, Trace } from '../../protocol/trace';
import { type BlockingSet, blockingSet, DEFAULT_BLOCKING_THRESHOLD_MS } from '../blocking';
import { type GroupIndex, groupIdOf, indexGroups } from './laneGroups';

/** Segment states as stored in {@link LaneData.suspended} (a byte per segment). */
export const RUNNING = 0;
export const SUSPENDED = 1;

/**
 * One task's segments as flat typed arrays: the renderer and hit-testing binary-search these
 * instead of walking objects, which is what keeps a million-event trace smooth.
 *
 * The arrays are built lazily, on first use: a frame only touches the lanes it shows, so a trace
 * of 10,000 tasks draws its first frame after indexing a few dozen lanes, not all of them.
 */
export class LaneData {
  /** Child task ids, in creation order. */
  readonly children: number[] = [];
  /** Time the lane ends: settle time, or the trace end when unsettled. */
  readonly end: number;
  private built: {
    starts: Float64Array;
    ends: Float64Array;
    suspended: Uint8Array;
    runCum: Float64Array;
  } | null = null;

  constructor(
    readonly task: TaskRecord,
    private readonly endT: number,
  ) {
    this.end = task.settled ? task.settled.t : endT;
  }

  /** Segment start times (ms). */
  get starts(): Float64Array {
    return this.build().starts;
  }
  /** Segment end times (ms); open ends (`end: null`) are resolved to the trace end. */
  get ends(): Float64Array {
    return this.build().ends;
  }
  /** {@link RUNNING} or {@link SUSPENDED}, per segment. */
  get suspended(): Uint8Array {
    return this.build().suspended;
  }
  /** runCum[i] = total running time of segments [0, i); length n + 1 (for O(1) density in LOD). */
  get runCum(): Float64Array {
    return this.build().runCum;
  }
  /** True when the last segment never ended (pending at exit, or still going in a live trace). */
  get openEnd(): boolean {
    const segs = this.task.segments;
    return segs.length > 0 && segs[segs.length - 1].end === null;
  }

  private build(): NonNullable<LaneData['built']> {
    if (this.built) return this.built;
    const segs = this.task.segments;
    const n = segs.length;
    const starts = new Float64Array(n);
    const ends = new Float64Array(n);
    const suspended = new Uint8Array(n);
    const runCum = new Float64Array(n + 1);
    // Clamp so the arrays stay sorted even for a malformed trace (binary searches rely on it).
    let prev = this.task.created.t;
    for (let i = 0; i < n; i++) {
      const s = segs[i];
      const st = Math.max(prev, s.start);
      const en = Math.max(st, s.end ?? this.endT);
      const running = s.state !== 'suspended';
      starts[i] = st;
      ends[i] = en;
      suspended[i] = running ? RUNNING : SUSPENDED;
      runCum[i + 1] = runCum[i] + (running ? en - st : 0);
      prev = en;
    }
    return (this.built = { starts, ends, suspended, runCum });
  }
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
  /** Threads and processes in display order, or null for a single-thread trace (no group headers). */
  groups: GroupIndex | null;
  /** The running segments that blocked the event loop (core/blocking.ts), at {@link blockingThresholdMs}. */
  blocking: BlockingSet;
  blockingThresholdMs: number;
}

/**
 * Indexes a trace for drawing: the lane objects, the creator tree, callbacks by task, the time
 * extent. Linear in the number of tasks (plus one look at each task's last segment); per-lane
 * segment arrays are built on demand. It never mutates the trace. `blockingThresholdMs` is the
 * setting's value (the host sends it); the blocking segments are found once here.
 */
export function indexTrace(trace: Trace, blockingThresholdMs = DEFAULT_BLOCKING_THRESHOLD_MS): TraceIndex {
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
    segmentCount += task.segments.length;
    lanes.set(task.id, new LaneData(task, endT));
  }

  const roots: number[] = [];
  const byCreation = [...trace.tasks].sort((a, b) => a.created.t - b.created.t || a.id - b.id);
  for (const task of byCreation) {
    const parent = task.parentId !== null && task.parentId !== task.id ? lanes.get(task.parentId) : undefined;
    // Each event loop is its own tree: a creator on another thread would pull the lane out of its group.
    if (parent && groupIdOf(parent.task) === groupIdOf(task)) parent.children.push(task.id);
    else roots.push(task.id);
  }

  const callbacksByTask = new Map<number, CallbackRecord[]>();
  for (const c of trace.callbacks) {
    let list = callbacksByTask.get(c.taskId);
    if (!list) callbacksByTask.set(c.taskId, (list = []));
    list.push(c);
  }
  for (const list of callbacksByTask.values()) list.sort((a, b) => a.t - b.t);

  const groups = indexGroups(trace, roots, (id) => lanes.get(id)?.task);
  const blocking = blockingSet(trace, blockingThresholdMs);
  return { trace, startT, endT, lanes, roots, callbacksByTask, segmentCount, groups, blocking, blockingThresholdMs };
}

/** True when this running segment blocked the event loop (the one definition, core/blocking.ts). */
export function isBlocking(index: TraceIndex, taskId: number, segIndex: number): boolean {
  return index.blocking.get(taskId)?.has(segIndex) === true;
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
