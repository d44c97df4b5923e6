/**
 * The critical path highlight: over the lanes already painted, every stretch that is not on the
 * path is veiled in the background colour (dimmed) and the path's stretches are outlined — solid
 * where the task ran, dashed where it waited — with a link where the path goes on in another task.
 *
 * Cheap on a million events: the per-lane intervals are built once per trace
 * (core/timeline/criticalLanes.ts); a frame does two binary searches per visible row and paints
 * only the intervals in view. Lanes folded away (a collapsed subtree) show no path of their own.
 */
import { type CriticalLanes, intervalsIn } from '../../src/core/timeline/criticalLanes';
import { rowToY, timeToX, visibleTimeRange } from '../../src/core/timeline/viewport';
import { withAlpha } from '../theme';
import { BAR_H, BAR_TOP, type Frame } from './frame';
import type { PaintContext } from './paintContext';

/** How much of what is off the path shows through the veil (high contrast keeps more: outlines carry meaning there). */
const DIM_ALPHA = 0.68;
const DIM_ALPHA_HC = 0.55;

export function drawCriticalPath(p: PaintContext, f: Frame, cl: CriticalLanes, r0: number, r1: number): void {
  const { ctx } = p;
  const { vp, theme, layout } = f;
  const [t0, t1] = visibleTimeRange(vp);
  const x0 = vp.gutter;
  const x1 = vp.width;
  const xr = (t: number) => Math.max(x0 - 2, Math.min(x1 + 2, timeToX(vp, t)));
  const veil = withAlpha(ctx, theme.bg, theme.contrast ? DIM_ALPHA_HC : DIM_ALPHA);
  const stroke = theme.contrastActive ?? theme.highlight;

  for (let r = r0; r <= r1; r++) {
    const row = layout.rows[r];
    const y = rowToY(vp, r);
    const iv = row.kind === 'task' ? cl.byTask.get(row.taskId) : undefined;
    ctx.fillStyle = veil;
    if (!iv) {
      ctx.fillRect(x0, y, x1 - x0, vp.rowHeight);
      continue;
    }
    const [i0, i1] = intervalsIn(iv, t0, t1);
    // The gaps between the path's stretches are veiled; the stretches themselves are left as drawn.
    let x = x0;
    for (let i = i0; i < i1; i++) {
      const a = xr(iv.starts[i]);
      if (a > x) ctx.fillRect(x, y, a - x, vp.rowHeight);
      x = Math.max(x, xr(iv.ends[i]));
    }
    if (x < x1) ctx.fillRect(x, y, x1 - x, vp.rowHeight);

    const by = y + BAR_TOP;
    ctx.strokeStyle = stroke;
    for (let i = i0; i < i1; i++) {
      const a = xr(iv.starts[i]);
      const w = Math.max(2, xr(iv.ends[i]) - a);
      ctx.lineWidth = iv.running[i] ? 2 : 1.5;
      ctx.setLineDash(iv.running[i] ? [] : [4, 3]);
      ctx.strokeRect(a - 1.5, by - 2.5, w + 3, BAR_H + 5);
    }
    ctx.setLineDash([]);
  }

  // Hand-overs in view: a line from the lane the path leaves to the lane it goes on in.
  const ho = cl.handOvers;
  let lo = 0;
  let hi = ho.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ho[mid].t < t0) lo = mid + 1;
    else hi = mid;
  }
  ctx.strokeStyle = stroke;
  ctx.lineWidth = 1.5;
  ctx.beginPath();
  for (let i = lo; i < ho.length && ho[i].t <= t1; i++) {
    const ra = layout.rowOf.get(ho[i].from);
    const rb = layout.rowOf.get(ho[i].to);
    if (ra === undefined || rb === undefined || ra === rb) continue;
    const x = Math.round(timeToX(vp, ho[i].t)) + 0.5;
    ctx.moveTo(x, rowToY(vp, ra) + BAR_TOP + BAR_H / 2);
    ctx.lineTo(x, rowToY(vp, rb) + BAR_TOP + BAR_H / 2);
  }
  ctx.stroke();
}
