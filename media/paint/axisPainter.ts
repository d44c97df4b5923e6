/**
 * The time axis layer: grid lines, tick labels, and program output as ticks on the axis.
 */
import { computeTimeTicks } from '../../src/core/timeline/timeTicks';
import { lowerBound } from '../../src/core/timeline/traceIndex';
import { plotWidth, timeToX, visibleTimeRange } from '../../src/core/timeline/viewport';
import { withAlpha } from '../theme';
import type { Frame } from './frame';
import type { PaintContext } from './paintContext';

export function drawGrid(p: PaintContext, f: Frame, ticks: number[]): void {
  const { ctx } = p;
  const { vp, theme } = f;
  ctx.fillStyle = withAlpha(ctx, theme.border, theme.contrast ? 0.5 : 0.9);
  for (const t of ticks) {
    const x = Math.round(timeToX(vp, t) * vp.dpr) / vp.dpr;
    if (x < vp.gutter) continue;
    ctx.fillRect(x, vp.axisHeight, 1 / vp.dpr, vp.height - vp.axisHeight);
  }
}

export function drawAxis(p: PaintContext, f: Frame, ticks: ReturnType<typeof computeTimeTicks>): void {
  const { ctx } = p;
  const { vp, theme } = f;
  ctx.fillStyle = theme.gutterBg;
  ctx.fillRect(vp.gutter, 0, vp.width - vp.gutter, vp.axisHeight);
  ctx.fillStyle = theme.contrast ?? theme.border;
  ctx.fillRect(0, vp.axisHeight - 1, vp.width, 1);
  p.setFont(theme.font);
  ctx.textBaseline = 'middle';
  for (const t of ticks.minor) {
    const x = Math.round(timeToX(vp, t));
    if (x < vp.gutter) continue;
    ctx.fillStyle = theme.muted;
    ctx.fillRect(x, vp.axisHeight - 5, 1, 4);
  }
  let labelEnd = -Infinity;
  for (const tk of ticks.ticks) {
    const x = Math.round(timeToX(vp, tk.t));
    if (x < vp.gutter) continue;
    ctx.fillStyle = theme.muted;
    ctx.fillRect(x, vp.axisHeight - 9, 1, 8);
    // Labels sit right of their tick; near the right edge they flip to the left, or give way.
    const w = p.widthOf(tk.label);
    let lx = x + 4;
    if (lx + w > vp.width - 2) lx = x - 4 - w;
    if (lx < labelEnd + 8 || lx < vp.gutter + 2) continue;
    ctx.fillStyle = theme.fg;
    ctx.fillText(tk.label, lx, 11);
    labelEnd = lx + w;
  }
  // Program output as tick marks just above the axis line.
  if (f.showOutput && f.outputTimes.length) {
    const out = f.index!.trace.output;
    const [t0, t1] = visibleTimeRange(vp);
    let lastX = -Infinity;
    const first = lowerBound(f.outputTimes, t0);
    const last = lowerBound(f.outputTimes, t1 + 1e-9);
    // Many lines on screen: thin ticks (a row of lollipops would merge into one bar).
    const dense = last - first > plotWidth(vp) / 8;
    for (let i = first; i < last; i++) {
      const x = Math.round(timeToX(vp, f.outputTimes[i]));
      if (x === lastX) continue;
      lastX = x;
      ctx.fillStyle = outputStream(out, f.outputTimes[i]) === 'stderr' ? theme.rejected : theme.callback;
      if (dense) {
        ctx.fillRect(x, vp.axisHeight - 9, 1, 6);
        continue;
      }
      ctx.fillRect(x - 1, vp.axisHeight - 13, 2, 10);
      ctx.beginPath();
      ctx.arc(x, vp.axisHeight - 14, 2.5, 0, Math.PI * 2);
      ctx.fill();
    }
    if (f.hover?.area === 'axis' && f.hover.outputIndex !== null) {
      const x = Math.round(timeToX(vp, out[f.hover.outputIndex].t));
      ctx.strokeStyle = theme.fg;
      ctx.strokeRect(x - 4.5, vp.axisHeight - 19.5, 9, 17);
    }
  }
}

function outputStream(out: Array<{ t: number; stream: string }>, t: number): string {
  // Output arrays are in time order; a binary search finds the record for this tick.
  let lo = 0;
  let hi = out.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (out[mid].t < t) lo = mid + 1;
    else hi = mid;
  }
  return out[lo]?.stream ?? 'stdout';
}
