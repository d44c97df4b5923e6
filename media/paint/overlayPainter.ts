/**
 * What sits over or under the lanes without belonging to one: selection/hover row bands, the
 * end-of-trace line, the scroll indicator.
 */
import { rowToY, timeToX } from '../../src/core/timeline/viewport';
import { withAlpha } from '../theme';
import type { Frame } from './frame';
import type { PaintContext } from './paintContext';

export function drawRowBackgrounds(p: PaintContext, f: Frame, r0: number, r1: number): void {
  const { ctx } = p;
  const { vp, theme, layout } = f;
  for (let r = r0; r <= r1; r++) {
    const row = layout.rows[r];
    const y = rowToY(vp, r);
    if (row.kind === 'group') {
      // A thread's header: a band across the whole row, so each group of lanes reads as a block.
      ctx.fillStyle = f.hover?.area === 'group' && f.hover.row === r ? theme.hover : theme.gutterBg;
      ctx.fillRect(0, y, vp.width, vp.rowHeight);
      ctx.fillStyle = theme.contrast ?? withAlpha(ctx, theme.border, 0.9);
      ctx.fillRect(0, y, vp.width, 1);
      continue;
    }
    if (row.taskId === f.selectedTaskId) {
      ctx.fillStyle = theme.selection;
      ctx.fillRect(0, y, vp.width, vp.rowHeight);
      if (theme.contrastActive) {
        ctx.save();
        ctx.setLineDash([3, 2]);
        ctx.strokeStyle = theme.contrastActive;
        ctx.lineWidth = 1;
        ctx.strokeRect(0.5, y + 0.5, vp.width - 1, vp.rowHeight - 1);
        ctx.restore();
      }
    } else if (f.hover && (f.hover.area === 'lane' || f.hover.area === 'gutter') && f.hover.row === r) {
      ctx.fillStyle = theme.hover;
      ctx.fillRect(0, y, vp.width, vp.rowHeight);
    }
    // A hairline between lanes keeps long rows readable without boxing every lane.
    ctx.fillStyle = withAlpha(ctx, theme.border, 0.6);
    ctx.fillRect(vp.gutter, y + vp.rowHeight - 1, vp.width - vp.gutter, 1 / vp.dpr);
  }
}

export function drawEndLine(p: PaintContext, f: Frame): void {
  const { ctx } = p;
  const { vp, theme, index } = f;
  const x = timeToX(vp, index!.endT);
  if (x < vp.gutter || x > vp.width) return;
  ctx.save();
  ctx.strokeStyle = f.live ? theme.rejected : theme.muted;
  ctx.setLineDash([3, 3]);
  ctx.lineWidth = 1;
  ctx.beginPath();
  ctx.moveTo(Math.round(x) + 0.5, vp.axisHeight);
  ctx.lineTo(Math.round(x) + 0.5, vp.height);
  ctx.stroke();
  ctx.restore();
  p.font = ''; // restore() also reverts the font
}

export function drawScrollIndicator(p: PaintContext, f: Frame): void {
  const { ctx } = p;
  const { vp, theme, layout } = f;
  const total = layout.rows.length * vp.rowHeight;
  const view = vp.height - vp.axisHeight;
  if (total <= view) return;
  const h = Math.max(16, (view * view) / total);
  const y = vp.axisHeight + (vp.scrollTop / (total - view)) * (view - h);
  ctx.fillStyle = withAlpha(ctx, theme.muted, 0.45);
  ctx.fillRect(vp.width - 5, y, 3, h);
}
