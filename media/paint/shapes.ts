/**
 * The small shapes every layer uses (yield/resume triangles, settle crosses, callback diamonds,
 * outlines, the highlight box, the fold twisty, arrowheads), in CSS px on the shared context.
 */
import { TWISTY_PX } from '../../src/core/timeline/hitTest';
import { type Theme, withAlpha } from '../theme';
import { BAR_H } from './frame';
import type { PaintContext } from './paintContext';

/** How an await edge is stroked: "waits on" dashed, "woke" solid; edges to folded lanes thinner and dotted. */
export interface ArrowStyle {
  dash: number[];
  width: number;
  /** Arrowhead half-width, CSS px. */
  head: number;
}
export const ARROW_WAIT: ArrowStyle = { dash: [3, 3], width: 1.25, head: 3.5 };
export const ARROW_WOKE: ArrowStyle = { dash: [], width: 1.25, head: 3.5 };
export const ARROW_FOLDED_WAIT: ArrowStyle = { dash: [1, 3], width: 1, head: 2.5 };
export const ARROW_FOLDED_WOKE: ArrowStyle = { dash: [4, 2], width: 1, head: 2.5 };

export function marker(
  p: PaintContext,
  x: number,
  by: number,
  kind: 'yield' | 'resume',
  color: string,
  theme: Theme,
): void {
  const { ctx } = p;
  ctx.fillStyle = color;
  ctx.beginPath();
  if (kind === 'yield') {
    // ▼ on top: the task handed control back to the loop here.
    ctx.moveTo(x - 3.5, by - 4);
    ctx.lineTo(x + 3.5, by - 4);
    ctx.lineTo(x, by + 1);
  } else {
    // ▲ below: the loop resumed the task here.
    ctx.moveTo(x - 3.5, by + BAR_H + 4);
    ctx.lineTo(x + 3.5, by + BAR_H + 4);
    ctx.lineTo(x, by + BAR_H - 1);
  }
  ctx.closePath();
  ctx.fill();
  if (theme.contrast) {
    ctx.strokeStyle = theme.contrast;
    ctx.lineWidth = 1;
    ctx.stroke();
  }
}

export function openEnd(p: PaintContext, x: number, by: number, theme: Theme): void {
  // Pending at exit: the bar runs off into a chevron instead of ending cleanly.
  const { ctx } = p;
  ctx.strokeStyle = theme.muted;
  ctx.lineWidth = 1.5;
  ctx.beginPath();
  for (const dx of [3, 8]) {
    ctx.moveTo(x + dx, by + 1);
    ctx.lineTo(x + dx + 4, by + BAR_H / 2);
    ctx.lineTo(x + dx, by + BAR_H - 1);
  }
  ctx.stroke();
}

export function cross(p: PaintContext, x: number, y: number, color: string): void {
  const { ctx } = p;
  ctx.strokeStyle = color;
  ctx.lineWidth = 2;
  ctx.beginPath();
  ctx.moveTo(x - 4, y - 4);
  ctx.lineTo(x + 4, y + 4);
  ctx.moveTo(x + 4, y - 4);
  ctx.lineTo(x - 4, y + 4);
  ctx.stroke();
}

/** ⊘: the task was cancelled (Python's CancelledError). */
export function cancelled(p: PaintContext, x: number, y: number, color: string): void {
  const { ctx } = p;
  ctx.strokeStyle = color;
  ctx.lineWidth = 1.75;
  ctx.beginPath();
  ctx.arc(x, y, 4.5, 0, Math.PI * 2);
  ctx.moveTo(x - 3.2, y + 3.2);
  ctx.lineTo(x + 3.2, y - 3.2);
  ctx.stroke();
}

/** A done callback (Python's add_done_callback): a ringed dot, apart from the .then/.catch diamonds. */
export function doneMark(p: PaintContext, x: number, y: number, color: string, edge: string): void {
  const { ctx } = p;
  ctx.beginPath();
  ctx.arc(x, y, 5, 0, Math.PI * 2);
  ctx.fillStyle = edge;
  ctx.fill();
  ctx.strokeStyle = color;
  ctx.lineWidth = 2;
  ctx.stroke();
  ctx.beginPath();
  ctx.arc(x, y, 2, 0, Math.PI * 2);
  ctx.fillStyle = color;
  ctx.fill();
}

export function diamond(p: PaintContext, x: number, y: number, r: number, color: string, edge: string): void {
  const { ctx } = p;
  ctx.beginPath();
  ctx.moveTo(x, y - r);
  ctx.lineTo(x + r, y);
  ctx.lineTo(x, y + r);
  ctx.lineTo(x - r, y);
  ctx.closePath();
  ctx.fillStyle = color;
  ctx.fill();
  ctx.strokeStyle = edge;
  ctx.lineWidth = 1;
  ctx.stroke();
}

export function outline(p: PaintContext, x: number, y: number, w: number, h: number, color: string): void {
  const { ctx } = p;
  ctx.strokeStyle = color;
  ctx.lineWidth = 1;
  ctx.strokeRect(x + 0.5, y + 0.5, Math.max(0, w - 1), h - 1);
}

export function highlightBox(p: PaintContext, x: number, y: number, w: number, theme: Theme): void {
  const { ctx } = p;
  ctx.fillStyle = withAlpha(ctx, theme.highlight, 0.25);
  ctx.fillRect(x - 3, y - 3, Math.max(2, w) + 6, BAR_H + 6);
  ctx.strokeStyle = theme.highlight;
  ctx.lineWidth = 2;
  ctx.strokeRect(x - 3, y - 3, Math.max(2, w) + 6, BAR_H + 6);
}

export function twisty(p: PaintContext, x: number, y: number, collapsed: boolean, color: string): void {
  const { ctx } = p;
  ctx.fillStyle = color;
  ctx.beginPath();
  const c = x + TWISTY_PX / 2;
  if (collapsed) {
    ctx.moveTo(c - 2, y - 4);
    ctx.lineTo(c + 3, y);
    ctx.lineTo(c - 2, y + 4);
  } else {
    ctx.moveTo(c - 4, y - 2);
    ctx.lineTo(c + 4, y - 2);
    ctx.lineTo(c, y + 3);
  }
  ctx.closePath();
  ctx.fill();
}

export function arrow(
  p: PaintContext,
  x0: number,
  y0: number,
  x1: number,
  y1: number,
  color: string,
  style: ArrowStyle,
): void {
  const { ctx } = p;
  let dy = y1 - y0;
  if (Math.abs(dy) < 1) return;
  ctx.strokeStyle = color;
  ctx.fillStyle = color;
  ctx.lineWidth = style.width;
  ctx.setLineDash(style.dash);
  ctx.beginPath();
  let angle: number;
  if (Math.abs(x1 - x0) < 24) {
    // Nearly vertical (the usual case at a zoomed-out view): a straight line between the bar
    // edges, head pointing along it.
    const edge = BAR_H / 2 + 1;
    const sgn = Math.sign(dy);
    y0 += sgn * edge;
    y1 -= sgn * edge;
    dy = y1 - y0;
    ctx.moveTo(x0, y0);
    ctx.lineTo(x1, y1);
    angle = Math.atan2(dy, x1 - x0);
  } else {
    // An S-curve leaving and entering horizontally reads better than a long diagonal.
    const bend = Math.max(12, Math.min(60, Math.abs(x1 - x0) / 2 + 8));
    ctx.moveTo(x0, y0);
    ctx.bezierCurveTo(x0 + bend * 0.2, y0 + dy * 0.5, x1 - bend, y1, x1, y1);
    angle = 0;
  }
  ctx.stroke();
  ctx.setLineDash([]);
  const c = Math.cos(angle);
  const sn = Math.sin(angle);
  const hx = (ax: number, ay: number) => x1 + ax * c - ay * sn;
  const hy = (ax: number, ay: number) => y1 + ax * sn + ay * c;
  ctx.beginPath();
  ctx.moveTo(x1, y1);
  ctx.lineTo(hx(-6, -style.head), hy(-6, -style.head));
  ctx.lineTo(hx(-6, style.head), hy(-6, style.head));
  ctx.closePath();
  ctx.fill();
}
