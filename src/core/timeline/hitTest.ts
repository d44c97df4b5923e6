import type { CallbackRecord } from '../../protocol/trace';
import type { LaneLayout, LayoutRow } from './laneTree';
import { lowerBound, type TraceIndex } from './traceIndex';
import { type Viewport, xToTime, yToRow } from './viewport';

/** What lies under a CSS point of the timeline canvas. */
export type Hit =
  | { area: 'none' }
  | { area: 'axis'; t: number; outputIndex: number | null }
  | { area: 'gutter'; row: number; taskId: number; onTwisty: boolean }
  /** A thread's/process's header row (anywhere along it: it has no segments of its own). */
  | { area: 'group'; row: number; groupId: number; onTwisty: boolean }
  | {
      area: 'lane';
      row: number;
      taskId: number;
      t: number;
      segIndex: number;
      callback: CallbackRecord | null;
    };

/** Indent per tree level and twisty box size in the gutter, CSS px (shared with the renderer). */
export const INDENT_PX = 14;
export const TWISTY_PX = 14;

/**
 * Finds what is under (x, y). On a lane, the segment containing the time under the pointer wins;
 * failing that, the nearest segment edge within `slopPx` (so sub-pixel segments can still be
 * clicked). Callback markers within `slopPx` are reported alongside.
 */
export function hitTest(
  index: TraceIndex,
  layout: LaneLayout,
  vp: Viewport,
  x: number,
  y: number,
  slopPx = 3,
): Hit {
  if (x < 0 || y < 0 || x >= vp.width || y >= vp.height) return { area: 'none' };
  if (y < vp.axisHeight) {
    if (x < vp.gutter) return { area: 'none' };
    const t = xToTime(vp, x);
    return { area: 'axis', t, outputIndex: nearestOutput(index, t, slopPx * vp.msPerPx) };
  }
  const row = yToRow(vp, y);
  const laneRow = layout.rows[row];
  if (!laneRow) return { area: 'none' };
  if (laneRow.kind === 'group') {
    return { area: 'group', row, groupId: laneRow.groupId, onTwisty: x < vp.gutter && onTwisty(laneRow, x) };
  }
  const taskId = laneRow.taskId;
  if (x < vp.gutter) return { area: 'gutter', row, taskId, onTwisty: onTwisty(laneRow, x) };
  const lane = index.lanes.get(taskId)!;
  const t = xToTime(vp, x);
  const slop = slopPx * vp.msPerPx;
  let segIndex = -1;
  const n = lane.starts.length;
  if (n > 0) {
    const i = lowerBound(lane.ends, t);
    if (i < n && lane.starts[i] <= t) segIndex = i;
    else {
      // Between segments or outside the lifetime: take the nearest edge within the slop.
      let best = slop;
      if (i < n && lane.starts[i] - t <= best) {
        best = lane.starts[i] - t;
        segIndex = i;
      }
      if (i > 0 && t - lane.ends[i - 1] <= best) segIndex = i - 1;
    }
  }
  let callback: CallbackRecord | null = null;
  const cbs = index.callbacksByTask.get(taskId);
  if (cbs) {
    let best = slop;
    for (const c of cbs) {
      const d = Math.abs(c.t - t);
      if (d <= best) {
        best = d;
        callback = c;
      }
    }
  }
  return { area: 'lane', row, taskId, t, segIndex, callback };
}

/** Whether x (in the label column) is on the row's fold twisty. */
function onTwisty(row: LayoutRow, x: number): boolean {
  const tx = 4 + row.depth * INDENT_PX;
  return row.hasChildren && x >= tx - 2 && x <= tx + TWISTY_PX + 2;
}

function nearestOutput(index: TraceIndex, t: number, slop: number): number | null {
  const out = index.trace.output;
  let best = -1;
  let bestD = slop;
  for (let i = 0; i < out.length; i++) {
    const d = Math.abs(out[i].t - t);
    if (d <= bestD) {
      bestD = d;
      best = i;
    }
  }
  return best < 0 ? null : best;
}
