/**
 * The label column: the tree guides, twisties, state icons, names and creation sites.
 */
import { INDENT_PX, TWISTY_PX } from '../../src/core/timeline/hitTest';
import { settleMark } from '../../src/core/timeline/marks';
import { formatSiteShort } from '../../src/core/timeline/taskDetails';
import type { LaneData } from '../../src/core/timeline/traceIndex';
import { rowToY } from '../../src/core/timeline/viewport';
import { tasksInLayout } from '../../src/core/timeline/laneTree';
import { type Theme, withAlpha } from '../theme';
import type { Frame } from './frame';
import { drawGroupLabel } from './groupPainter';
import type { PaintContext } from './paintContext';
import { cancelled, cross, twisty } from './shapes';

export function drawGutter(p: PaintContext, f: Frame, r0: number, r1: number): void {
  const { ctx } = p;
  const { vp, theme, layout, index } = f;
  p.lastGutter = vp.gutter;
  const key = `${theme.font}|${vp.gutter}`;
  if (key !== p.labelCacheKey) {
    p.labelCache.clear();
    p.labelCacheKey = key;
  }
  ctx.fillStyle = theme.gutterBg;
  ctx.fillRect(0, vp.axisHeight, vp.gutter, vp.height - vp.axisHeight);
  ctx.save();
  ctx.beginPath();
  ctx.rect(0, vp.axisHeight, vp.gutter, vp.height - vp.axisHeight);
  ctx.clip();
  for (let r = r0; r <= r1; r++) {
    const row = layout.rows[r];
    if (row.kind === 'group') {
      drawGroupLabel(p, f, r, row);
      continue;
    }
    const lane = index!.lanes.get(row.taskId)!;
    const y = rowToY(vp, r);
    const mid = y + vp.rowHeight / 2;
    if (row.taskId === f.selectedTaskId) {
      ctx.fillStyle = theme.selection;
      ctx.fillRect(0, y, vp.gutter, vp.rowHeight);
      ctx.fillStyle = theme.contrastActive ?? theme.focus;
      ctx.fillRect(0, y, 2, vp.rowHeight);
    } else if (f.hover && (f.hover.area === 'lane' || f.hover.area === 'gutter') && f.hover.row === r) {
      ctx.fillStyle = theme.hover;
      ctx.fillRect(0, y, vp.gutter, vp.rowHeight);
    }
    // Tree guides: a faint vertical line per ancestor level.
    ctx.fillStyle = withAlpha(ctx, theme.muted, 0.25);
    for (let d = 0; d < row.depth; d++) ctx.fillRect(4 + d * INDENT_PX + TWISTY_PX / 2, y, 1, vp.rowHeight);
    const tx = 4 + row.depth * INDENT_PX;
    if (row.hasChildren) twisty(p, tx, mid, row.collapsed, theme.fg);
    let x = tx + TWISTY_PX + 2;
    x = stateIcon(p, lane, x, mid, theme);
    p.setFont(theme.fontBold);
    ctx.fillStyle = row.matched ? theme.fg : theme.muted;
    const room = vp.gutter - x - 6;
    const full = row.fold ? `${row.fold.name} ×${row.fold.memberIds.length}` : lane.task.name;
    const name = p.fit(full, Math.max(0, room));
    ctx.fillText(name, x, mid + 0.5);
    const nw = p.widthOf(name);
    p.setFont(theme.font);
    const extra =
      (row.collapsed ? `+${row.hiddenCount} ` : '') +
      formatSiteShort(lane.task.created.site ?? lane.task.definition);
    const siteRoom = room - nw - 8;
    let site = '';
    if (siteRoom > 20 && name === full) {
      ctx.fillStyle = theme.muted;
      site = p.fit(extra, siteRoom);
      ctx.fillText(site, x + nw + 8, mid + 0.5);
    }
    p.gutterLabels.push({ taskId: row.taskId, name, site });
  }
  ctx.restore();
  p.font = ''; // restore() also reverts the font
  // Header over the gutter column.
  ctx.fillStyle = theme.gutterBg;
  ctx.fillRect(0, 0, vp.gutter, vp.axisHeight);
  ctx.fillStyle = theme.contrast ?? theme.border;
  ctx.fillRect(0, vp.axisHeight - 1, vp.gutter, 1);
  ctx.fillRect(vp.gutter - 1, 0, 1, vp.height);
  ctx.fillStyle = theme.muted;
  p.setFont(theme.font);
  const total = index!.lanes.size;
  // Tasks folded under a row are shown (by that row); only the filter leaves tasks out.
  const shown = tasksInLayout(layout);
  const groups = index!.groups ? ` · ${index!.groups.order.length} threads/processes` : '';
  ctx.fillText(
    p.fit(
      (shown === total ? `${total} task${total === 1 ? '' : 's'}` : `${shown} of ${total} tasks`) + groups,
      vp.gutter - 12,
    ),
    8,
    vp.axisHeight / 2,
  );
}

/** A small glyph for how the task ended: ● fulfilled, ✕ rejected, ⊘ cancelled, ◌ pending. Returns the next x. */
export function stateIcon(p: PaintContext, lane: LaneData, x: number, y: number, theme: Theme): number {
  const { ctx } = p;
  const st = settleMark(lane.task);
  ctx.beginPath();
  ctx.arc(x + 4, y, 3.5, 0, Math.PI * 2);
  if (st === 'rejected') {
    cross(p, x + 4, y, theme.rejected);
  } else if (st === 'cancelled') {
    cancelled(p, x + 4, y, theme.blocking);
  } else if (st === 'fulfilled') {
    ctx.fillStyle = theme.fulfilled;
    ctx.fill();
  } else {
    ctx.setLineDash([2, 2]);
    ctx.strokeStyle = theme.muted;
    ctx.lineWidth = 1.25;
    ctx.stroke();
    ctx.setLineDash([]);
  }
  return x + 13;
}
