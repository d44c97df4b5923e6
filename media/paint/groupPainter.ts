/**
 * The thread/process header rows: their label in the column and their lifetime on the plot.
 */
import { INDENT_PX, TWISTY_PX } from '../../src/core/timeline/hitTest';
import { groupSummary } from '../../src/core/timeline/laneGroups';
import type { GroupRow } from '../../src/core/timeline/laneTree';
import { rowToY, timeToX } from '../../src/core/timeline/viewport';
import { withAlpha } from '../theme';
import type { Frame } from './frame';
import type { PaintContext } from './paintContext';
import { twisty } from './shapes';

/** A thread's/process's header in the label column: twisty, kind glyph, label, and +N when folded. */
export function drawGroupLabel(p: PaintContext, f: Frame, r: number, row: GroupRow): void {
  const { ctx } = p;
  const { vp, theme, index } = f;
  const g = index!.groups!.byId.get(row.groupId)!.group;
  const y = rowToY(vp, r);
  const mid = y + vp.rowHeight / 2;
  ctx.fillStyle = withAlpha(ctx, theme.muted, 0.25);
  for (let d = 0; d < row.depth; d++) ctx.fillRect(4 + d * INDENT_PX + TWISTY_PX / 2, y, 1, vp.rowHeight);
  const tx = 4 + row.depth * INDENT_PX;
  if (row.hasChildren) twisty(p, tx, mid, row.collapsed, theme.fg);
  let x = tx + TWISTY_PX + 2;
  // ▤ a thread of this process, ▣ a process of its own.
  p.setFont(theme.fontBold);
  ctx.fillStyle = theme.muted;
  const glyph = g.kind === 'process' ? '▣' : '▤';
  ctx.fillText(glyph, x, mid + 0.5);
  x += p.widthOf(glyph) + 5;
  ctx.fillStyle = theme.fg;
  const room = vp.gutter - x - 6;
  const label = p.fit(g.label, Math.max(0, room));
  ctx.fillText(label, x, mid + 0.5);
  const lw = p.widthOf(label);
  p.setFont(theme.font);
  let hidden = '';
  if (row.collapsed && room - lw - 8 > 16) {
    ctx.fillStyle = theme.muted;
    hidden = p.fit(`+${row.hiddenCount}`, room - lw - 8);
    ctx.fillText(hidden, x + lw + 8, mid + 0.5);
  }
  p.groupLabels.push({ groupId: g.id, label, hidden, summary: p.groupSummaries.get(g.id) ?? '' });
}

/**
 * The plot side of a header row: the thread's/process's lifetime as a thin bracket, and what it
 * is (kind, pid, thread, started–ended) in words, kept at the left edge of the view while the
 * lifetime is on screen.
 */
export function drawGroupSpan(p: PaintContext, f: Frame, r: number, row: GroupRow): void {
  const { ctx } = p;
  const { vp, theme, index } = f;
  const groupId = row.groupId;
  const g = index!.groups!.byId.get(groupId)!.group;
  const y = rowToY(vp, r);
  const ly = y + vp.rowHeight - 6;
  const xMin = vp.gutter - 2;
  const xMax = vp.width + 2;
  const x0 = Math.max(xMin, Math.min(xMax, timeToX(vp, g.started)));
  const x1 = Math.max(xMin, Math.min(xMax, timeToX(vp, g.ended ?? index!.endT)));
  ctx.fillStyle = theme.contrast ?? withAlpha(ctx, theme.muted, 0.8);
  ctx.fillRect(x0, ly - 1, Math.max(1, x1 - x0), 2);
  // Ticks at the ends it really had (an open end runs off to the end of the trace).
  ctx.fillRect(x0, ly - 5, 1.5, 6);
  if (g.ended !== null) ctx.fillRect(x1 - 1.5, ly - 5, 1.5, 6);
  const tx = Math.max(vp.gutter + 6, x0 + 6);
  let summary = '';
  // The row is the group's own: the words may run past a short lifetime, to the plot's right edge.
  if (x1 > vp.gutter && vp.width - tx > 40) {
    p.setFont(theme.font);
    ctx.fillStyle = theme.muted;
    const folded = row.collapsed
      ? `+${row.hiddenCount} task${row.hiddenCount === 1 ? '' : 's'} folded · `
      : '';
    summary = p.fit(folded + groupSummary(g), vp.width - tx - 8);
    ctx.fillText(summary, tx, y + vp.rowHeight / 2 - 3);
  }
  p.groupSummaries.set(groupId, summary);
}
