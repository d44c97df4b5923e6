/**
 * The Steps pane's cursor on the lanes: the current step's tasks emphasised over the step's time
 * (a band on each of their rows), a vertical line at the step's start across the lanes, and a tag
 * with the step's number on the time axis (painted after the axis, so the axis never covers it).
 */
import { rowToY, timeToX } from '../../src/core/timeline/viewport';
import { withAlpha } from '../theme';
import { BAR_H, BAR_TOP, type Frame } from './frame';
import type { PaintContext } from './paintContext';

/** What the cursor shows: the step's time span, the tasks it names, its number. */
export interface StepCursorMark {
  t: number;
  end: number;
  taskIds: number[];
  label: string;
}

/** The band on the step's tasks and the line at its start (inside the plot's clip). */
export function drawCursor(p: PaintContext, f: Frame, c: StepCursorMark, r0: number, r1: number): void {
  const { ctx } = p;
  const { vp, theme, layout } = f;
  const accent = theme.contrastActive ?? theme.focus;
  const xa = Math.max(vp.gutter - 2, timeToX(vp, c.t));
  const xb = Math.min(vp.width + 2, Math.max(timeToX(vp, c.end), timeToX(vp, c.t) + 3));
  if (xb >= vp.gutter && xa <= vp.width) {
    for (const id of c.taskIds) {
      const r = layout.rowOf.get(id);
      if (r === undefined || r < r0 || r > r1) continue;
      const y = rowToY(vp, r) + BAR_TOP;
      ctx.fillStyle = withAlpha(ctx, accent, theme.contrast ? 0.3 : 0.16);
      ctx.fillRect(xa, y - 4, xb - xa, BAR_H + 8);
      ctx.strokeStyle = accent;
      ctx.lineWidth = theme.contrast ? 2 : 1.5;
      ctx.strokeRect(xa + 0.5, y - 3.5, Math.max(1, xb - xa - 1), BAR_H + 7);
    }
  }
  const x = Math.round(timeToX(vp, c.t)) + 0.5;
  if (x < vp.gutter || x > vp.width) return;
  ctx.strokeStyle = theme.fg;
  ctx.lineWidth = 2;
  ctx.beginPath();
  ctx.moveTo(x, vp.axisHeight);
  ctx.lineTo(x, vp.height);
  ctx.stroke();
}

/** The step number on the axis, above the line. */
export function drawCursorTag(p: PaintContext, f: Frame, c: StepCursorMark): void {
  const { ctx } = p;
  const { vp, theme } = f;
  const x = Math.round(timeToX(vp, c.t)) + 0.5;
  if (x < vp.gutter || x > vp.width) return;
  p.setFont(theme.fontBold);
  const text = c.label;
  const w = p.widthOf(text) + 10;
  const h = 16;
  const left = Math.max(vp.gutter, Math.min(vp.width - w, x - w / 2));
  const top = vp.axisHeight - h - 1;
  ctx.fillStyle = theme.fg;
  ctx.fillRect(left, top, w, h);
  if (theme.contrast) {
    ctx.strokeStyle = theme.contrastActive ?? theme.contrast;
    ctx.lineWidth = 1;
    ctx.strokeRect(left + 0.5, top + 0.5, w - 1, h - 1);
  }
  ctx.fillStyle = theme.bg;
  ctx.fillText(text, left + 5, top + h / 2 + 0.5);
  ctx.fillStyle = theme.fg;
  ctx.fillRect(x - 1, top + h, 2, vp.axisHeight - top - h);
}
