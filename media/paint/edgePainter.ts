/**
 * The edges layer: await arrows ("waits on" dashed, "woke" solid, thinner to folded lanes) and
 * the faint creation links from a creator's lane.
 */
import { edgeEndpointResolver } from '../../src/core/timeline/edgeEndpoints';
import type { LaneLayout } from '../../src/core/timeline/laneTree';
import { lowerBound } from '../../src/core/timeline/traceIndex';
import { rowToY, timeToX, visibleTimeRange } from '../../src/core/timeline/viewport';
import { withAlpha } from '../theme';
import { ARROW_MIN_PX, BAR_H, BAR_TOP, MAX_ARROWS, type Frame } from './frame';
import type { PaintContext } from './paintContext';
import { ARROW_FOLDED_WAIT, ARROW_FOLDED_WOKE, ARROW_WAIT, ARROW_WOKE, arrow } from './shapes';

/** The task on a row, for the folded-edge record (a header row has none). */
function taskIdOfRow(layout: LaneLayout, r: number): number {
  const row = layout.rows[r];
  return row.kind === 'task' ? row.taskId : -1;
}

export function drawArrows(p: PaintContext, f: Frame, r0: number, r1: number): void {
  const { ctx } = p;
  const { vp, theme, index, layout } = f;
  const [t0, t1] = visibleTimeRange(vp);
  let budget = MAX_ARROWS;
  const rowMid = (r: number) => rowToY(vp, r) + BAR_TOP + BAR_H / 2;
  // Awaited tasks folded into a collapsed ancestor still get their edge, to that ancestor's lane.
  const endpoint = edgeEndpointResolver(index!, layout);
  const foldedRows = new Set<number>();
  for (let r = r0; r <= r1 && budget > 0; r++) {
    const row = layout.rows[r];
    if (row.kind !== 'task') continue;
    const lane = index!.lanes.get(row.taskId)!;
    const emphasised = lane.task.id === f.selectedTaskId;
    const { starts, ends } = lane;
    const n = starts.length;
    for (let i = lowerBound(ends, t0); i < n && starts[i] <= t1 && budget > 0; i++) {
      const seg = lane.task.segments[i];
      if (seg.state !== 'suspended' || !seg.awaits.length) continue;
      const x0 = timeToX(vp, starts[i]);
      const x1 = timeToX(vp, ends[i]);
      if (x1 - x0 < ARROW_MIN_PX && !emphasised) continue;
      const color = withAlpha(ctx, theme.arrow, emphasised || theme.contrast ? 1 : 0.7);
      // Folded edges are context, not the story: fainter and dotted, thinner, one per lane.
      const faint = withAlpha(ctx, theme.arrow, theme.contrast ? 1 : emphasised ? 0.6 : 0.4);
      foldedRows.clear();
      for (const id of seg.awaits) {
        const end = endpoint(id);
        const target = index!.lanes.get(id);
        // Arrows to lanes scrolled out of view would be a hairball of lines leaving the screen;
        // the selected task keeps all of its arrows.
        if (!end || !target || end.row === r || (!emphasised && (end.row < r0 || end.row > r1))) continue;
        // Many awaited tasks folded into one lane (Promise.all over a pool) share a single edge.
        if (end.folded && foldedRows.has(end.row)) continue;
        if (budget-- <= 0) continue;
        const ar = end.row;
        if (end.folded) {
          foldedRows.add(ar);
          p.foldedEdges.push({ from: lane.task.id, awaited: id, shownOn: taskIdOfRow(layout, ar) });
        }
        // "waits on": dashed, from the moment of the await down/up to the awaited lane.
        const tx = Math.max(x0, timeToX(vp, target.task.created.t));
        const style = end.folded ? ARROW_FOLDED_WAIT : ARROW_WAIT;
        arrow(p, x0, rowMid(r), tx + 6, rowMid(ar), end.folded ? faint : color, style);
        // "woke": solid, from the awaited task's settle to this resume.
        if (seg.resumedBy === id && seg.end !== null && target.task.settled) {
          arrow(
            p,
            timeToX(vp, target.task.settled.t),
            rowMid(ar),
            x1,
            rowMid(r),
            end.folded ? faint : color,
            end.folded ? ARROW_FOLDED_WOKE : ARROW_WOKE,
          );
        }
      }
    }
  }
}

/** "Created here": a faint elbow from the creator's lane, at the creation time, to the new lane. */
export function drawSpawnLinks(p: PaintContext, f: Frame, r0: number, r1: number): void {
  const { ctx } = p;
  const { vp, theme, index, layout } = f;
  ctx.strokeStyle = withAlpha(ctx, theme.muted, theme.contrast ? 0.9 : 0.55);
  ctx.lineWidth = 1;
  ctx.beginPath();
  let lastX = -Infinity;
  let lastRow = -1;
  for (let r = r0; r <= r1; r++) {
    const row = layout.rows[r];
    if (row.kind !== 'task') continue;
    const task = index!.lanes.get(row.taskId)!.task;
    if (task.parentId === null) continue;
    const pr = layout.rowOf.get(task.parentId);
    if (pr === undefined) continue;
    const x = Math.round(timeToX(vp, task.created.t)) + 0.5;
    if (x < vp.gutter || x > vp.width) continue;
    // Siblings created within a pixel share one line; skip the duplicates.
    if (x === lastX && pr === lastRow) continue;
    lastX = x;
    lastRow = pr;
    const y0 = rowToY(vp, pr) + BAR_TOP + BAR_H;
    const y1 = rowToY(vp, r) + BAR_TOP + BAR_H / 2;
    ctx.moveTo(x, y0);
    ctx.lineTo(x, y1);
  }
  ctx.stroke();
}
