/**
 * The critical path laid out for painting: per task, its stretches on the path as sorted, merged
 * time intervals (built once per trace, O(path)), so a frame asks "what of this lane's visible
 * range is on the path?" with two binary searches per lane however big the trace. Also each
 * task's share of the path, for the accessible table.
 */
import type { CriticalStep } from '../../protocol/trace';
import { formatDuration } from '../duration';

/** One task's stretches on the path: `starts[i]`..`ends[i]`, sorted and disjoint; `running[i]` 1 for running, 0 for waiting. */
export interface LaneIntervals {
  starts: Float64Array;
  ends: Float64Array;
  running: Uint8Array;
}

export interface CriticalLanes {
  byTask: Map<number, LaneIntervals>;
  /** Time on the path per task (ms), running and waiting together. */
  share: Map<number, number>;
  /** Length of the whole path (first start to last end), ms. */
  total: number;
  /** Where the path goes on from one task (`from`, earlier) to another (`to`), at time `t`: drawn as a link between their lanes. */
  handOvers: Array<{ t: number; from: number; to: number }>;
}

/** Builds the per-lane intervals of a path (stretches of one kind that touch are merged). */
export function criticalLanes(path: readonly CriticalStep[]): CriticalLanes {
  const lists = new Map<number, Array<[number, number, number]>>();
  const share = new Map<number, number>();
  const handOvers: CriticalLanes['handOvers'] = [];
  for (let i = 0; i < path.length; i++) {
    const s = path[i];
    let list = lists.get(s.taskId);
    if (!list) lists.set(s.taskId, (list = []));
    list.push([s.start, s.end, s.kind === 'running' ? 1 : 0]);
    share.set(s.taskId, (share.get(s.taskId) ?? 0) + (s.end - s.start));
    const prev = path[i - 1];
    if (prev && prev.taskId !== s.taskId) handOvers.push({ t: s.start, from: prev.taskId, to: s.taskId });
  }
  const byTask = new Map<number, LaneIntervals>();
  for (const [id, list] of lists) {
    list.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    const merged: Array<[number, number, number]> = [];
    for (const iv of list) {
      const last = merged[merged.length - 1];
      if (last && iv[0] <= last[1] && iv[2] === last[2]) last[1] = Math.max(last[1], iv[1]);
      else merged.push([iv[0], iv[1], iv[2]]);
    }
    byTask.set(id, {
      starts: Float64Array.from(merged, (m) => m[0]),
      ends: Float64Array.from(merged, (m) => m[1]),
      running: Uint8Array.from(merged, (m) => m[2]),
    });
  }
  const total = path.length ? path[path.length - 1].end - path[0].start : 0;
  return { byTask, share, total, handOvers };
}

/**
 * The indexes [i0, i1) of a lane's intervals that overlap [t0, t1] (touching counts): the painter
 * draws those and dims the gaps between them. Binary search: O(log n).
 */
export function intervalsIn(iv: LaneIntervals, t0: number, t1: number): [number, number] {
  const n = iv.starts.length;
  // First interval ending at or after t0 (ends are sorted: the intervals are disjoint and sorted).
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (iv.ends[mid] < t0) lo = mid + 1;
    else hi = mid;
  }
  const i0 = lo;
  // First interval starting after t1.
  hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (iv.starts[mid] <= t1) lo = mid + 1;
    else hi = mid;
  }
  return [i0, Math.max(i0, lo)];
}

/** The table's "Critical path" cell: the task's share of the path, or a dash when it is not on it. */
export function criticalShareCell(lanes: CriticalLanes, taskId: number): string {
  const ms = lanes.share.get(taskId);
  if (ms === undefined) return '—';
  const pct = lanes.total > 0 ? (100 * ms) / lanes.total : 0;
  const p = pct >= 99.95 ? '100' : pct > 0 && pct < 0.05 ? '<0.1' : pct.toFixed(1);
  return `${p}% (${formatDuration(ms)})`;
}

/** The column the accessible table gains while the critical path is highlighted. */
export const CRITICAL_COLUMN = 'Critical path';

/** Table rows with the {@link CRITICAL_COLUMN} cell appended (rows are not changed in place). */
export function withCriticalShare<R extends { taskId: number; cells: string[] }>(
  rows: readonly R[],
  lanes: CriticalLanes,
): R[] {
  return rows.map((r) => ({ ...r, cells: [...r.cells, criticalShareCell(lanes, r.taskId)] }));
}
