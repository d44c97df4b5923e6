/**
 * The lanes layer: each task's lifetime and segments (LOD-merged), coloured by what each
 * segment means (core/timeline/marks.ts), with its yield/resume markers and labels.
 */
import { formatDuration } from '../../src/core/duration';
import {
  SPAN_DENSE,
  SPAN_RUNNING,
  SPAN_SUSPENDED,
  buildLaneSpans,
} from '../../src/core/timeline/levelOfDetail';
import { foldUnion, type SpanSource } from '../../src/core/timeline/foldUnion';
import { resumeMark, segmentMark } from '../../src/core/timeline/marks';
import { formatSiteShort } from '../../src/core/timeline/taskDetails';
import type { TraceIndex } from '../../src/core/timeline/traceIndex';
import { rowToY, timeToX, visibleTimeRange } from '../../src/core/timeline/viewport';
import { type Theme, withAlpha } from '../theme';
import { BAR_H, BAR_TOP, LOD_MIN_PX, MARKER_MIN_PX, type Frame } from './frame';
import { drawGroupSpan } from './groupPainter';
import { drawCallbacks, drawSettle } from './marksPainter';
import type { PaintContext } from './paintContext';
import { highlightBox, marker, openEnd, outline } from './shapes';

/** One row of the plot: a task lane, or the plot side of a thread/process header. */
export function drawLane(p: PaintContext, f: Frame, r: number): void {
  const row = f.layout.rows[r];
  if (row.kind === 'group') {
    drawGroupSpan(p, f, r, row);
    return;
  }
  // A folded fold of similar tasks (core/timeline/laneFolds.ts) draws the union of its members in
  // its one row (one lane's worth of segments, built once): drawing each member cost a frame as many
  // lanes as the fold has members, overlapping where nobody can read them anyway.
  if (row.fold && row.collapsed) drawUnion(p, f, r, row.fold.memberIds);
  else drawTaskLane(p, f, r, row.taskId);
}

/** Each folded fold's union, by its member list (a new trace makes new lists). */
const unions = new WeakMap<readonly number[], SpanSource>();

/** The union of a fold's members: running bars where any runs, hatched where some waits. */
function drawUnion(p: PaintContext, f: Frame, r: number, memberIds: readonly number[]): void {
  const { spans } = p;
  const { vp, theme, index } = f;
  let union = unions.get(memberIds);
  if (!union) unions.set(memberIds, (union = foldUnion(index!, memberIds)));
  const by = rowToY(vp, r) + BAR_TOP;
  const [t0, t1] = visibleTimeRange(vp);
  const n = buildLaneSpans(union, t0, t1, vp.msPerPx, LOD_MIN_PX, spans);
  const xMin = vp.gutter - 2;
  const xMax = vp.width + 2;
  const xr = (t: number) => Math.max(xMin, Math.min(xMax, timeToX(vp, t)));
  for (let k = 0; k < n; k++) {
    const s = spans[k];
    const x0 = xr(s.start);
    const x1 = xr(s.end);
    if (s.kind === SPAN_RUNNING) runningBar(p, x0, x1, by, theme.running, theme);
    else if (s.kind === SPAN_SUSPENDED) waitingBar(p, x0, x1, by, theme);
    else denseBar(p, x0, x1, by, s.runFrac, theme);
  }
}

/** A running stretch's bar, its drawn x range returned: a sub-pixel stretch gets a visible sliver (that it ran matters). */
function runningBar(
  p: PaintContext,
  x0: number,
  x1: number,
  by: number,
  color: string,
  theme: Theme,
): [number, number] {
  if (x1 - x0 < 1.5) {
    const c = (x0 + x1) / 2;
    x0 = c - 0.75;
    x1 = c + 0.75;
  }
  p.ctx.fillStyle = color;
  p.ctx.fillRect(x0, by, x1 - x0, BAR_H);
  if (theme.contrast) outline(p, x0, by, x1 - x0, BAR_H, theme.contrast);
  return [x0, x1];
}

/** A wait's hatched bar; thin edges top and bottom give it a shape. */
function waitingBar(p: PaintContext, x0: number, x1: number, by: number, theme: Theme): void {
  const { ctx } = p;
  const hc = theme.contrast;
  ctx.fillStyle = p.hatch ?? withAlpha(ctx, theme.running, 0.2);
  ctx.fillRect(x0, by, Math.max(1, x1 - x0), BAR_H);
  ctx.fillStyle = withAlpha(ctx, theme.running, hc ? 1 : 0.6);
  ctx.fillRect(x0, by, Math.max(1, x1 - x0), 1);
  ctx.fillRect(x0, by + BAR_H - 1, Math.max(1, x1 - x0), 1);
  if (hc) outline(p, x0, by, x1 - x0, BAR_H, hc);
}

/** Many tiny segments in one pixel column, shaded by how much of it was spent running. */
function denseBar(p: PaintContext, x0: number, x1: number, by: number, runFrac: number, theme: Theme): void {
  p.ctx.fillStyle = withAlpha(p.ctx, theme.running, Math.round((0.25 + 0.75 * runFrac) * 20) / 20);
  p.ctx.fillRect(x0, by, Math.max(1, x1 - x0), BAR_H);
}

/** One task's lifetime and segments, in row `r`. */
function drawTaskLane(p: PaintContext, f: Frame, r: number, taskId: number): void {
  const { ctx, spans } = p;
  const { vp, theme, index } = f;
  const lane = index!.lanes.get(taskId);
  if (!lane) return;
  const y = rowToY(vp, r);
  const by = y + BAR_TOP;
  const [t0, t1] = visibleTimeRange(vp);
  const n = buildLaneSpans(lane, t0, t1, vp.msPerPx, LOD_MIN_PX, spans);
  const xMin = vp.gutter - 2;
  const xMax = vp.width + 2;
  const hl = f.highlights.get(taskId);
  const hc = theme.contrast;
  const task = lane.task;
  const xr = (t: number) => Math.max(xMin, Math.min(xMax, timeToX(vp, t)));

  // Lifetime baseline: a faint line from creation to settle, so short-lived bars still read as one lane.
  const lx0 = xr(task.created.t);
  const lx1 = xr(lane.end);
  ctx.fillStyle = withAlpha(ctx, theme.running, 0.35);
  ctx.fillRect(lx0, by + BAR_H / 2 - 0.5, Math.max(0, lx1 - lx0), 1);

  for (let k = 0; k < n; k++) {
    const s = spans[k];
    let x0 = xr(s.start);
    let x1 = xr(s.end);
    if (s.kind === SPAN_RUNNING) {
      const blocking = segmentMark(index!, task, s.seg) === 'blocking';
      [x0, x1] = runningBar(p, x0, x1, by, blocking ? theme.blocking : theme.running, theme);
      if (x1 - x0 > 70) {
        const label = blocking
          ? `blocks the loop · ${formatDuration(s.end - s.start)}`
          : `running · ${formatDuration(s.end - s.start)}`;
        p.textIn(label, x0, x1, by + BAR_H / 2, hc ? theme.fg : theme.bg, theme.font);
      }
    } else if (s.kind === SPAN_SUSPENDED && segmentMark(index!, task, s.seg) === 'scheduled') {
      // Python: created, not yet run by the loop. No hatch (it is no wait of its own code): a
      // dashed outline, and the ▲ where the loop first ran it.
      const open = resumeMark(task.segments[s.seg]) === 'pending';
      const w = Math.max(1, x1 - x0);
      ctx.strokeStyle = withAlpha(ctx, hc ? hc : theme.muted, hc ? 1 : 0.9);
      ctx.lineWidth = 1;
      ctx.setLineDash([3, 3]);
      ctx.strokeRect(x0 + 0.5, by + 2.5, Math.max(0, w - 1), BAR_H - 5);
      ctx.setLineDash([]);
      if (!open && w >= MARKER_MIN_PX) marker(p, x1, by, 'resume', theme.running, theme);
      if (open) openEnd(p, x1, by, theme);
      if (w > 70) {
        const label = `scheduled · ${open ? formatDuration(s.end - s.start) + '…' : formatDuration(s.end - s.start)}`;
        p.textIn(label, x0 + 6, x1 - 4, by + BAR_H / 2, theme.muted, theme.font, theme.bg);
      }
    } else if (s.kind === SPAN_SUSPENDED) {
      const seg = task.segments[s.seg];
      const resume = resumeMark(seg);
      const open = resume === 'pending';
      waitingBar(p, x0, x1, by, theme);
      // Markers need room: at 4 px apart they turn a dense lane into a comb.
      if (x1 - x0 >= MARKER_MIN_PX) marker(p, x0, by, 'yield', theme.running, theme);
      if (!open && x1 - x0 >= MARKER_MIN_PX && resume !== null)
        marker(p, x1, by, 'resume', resume === 'resume-threw' ? theme.rejected : theme.running, theme);
      if (open) openEnd(p, x1, by, theme);
      if (x1 - x0 > 60 && seg.state === 'suspended') {
        const what = seg.awaits.length
          ? seg.combinator
            ? `${seg.combinator === 'taskGroup' ? 'TaskGroup' : seg.combinator}(${seg.awaits.length === 1 ? taskName(index!, seg.awaits[0]) : seg.awaits.length + ' tasks'})`
            : seg.awaits.map((id) => taskName(index!, id)).join(', ')
          : seg.waitsFor
            ? `${seg.waitsFor} at ${formatSiteShort(seg.site)}`
            : formatSiteShort(seg.site);
        const label = `${seg.kind} ${what} · ${open ? formatDuration(s.end - s.start) + '…' : formatDuration(s.end - s.start)}`;
        p.textIn(label, x0 + 6, x1 - 4, by + BAR_H / 2, theme.fg, theme.font, theme.bg);
      }
    } else if (s.kind === SPAN_DENSE) {
      denseBar(p, x0, x1, by, s.runFrac, theme);
    }
    if (hl && (hl.has(s.seg) || hl.has(-1))) {
      if (hl.has(-1) || s.kind !== SPAN_DENSE) highlightBox(p, x0, by, x1 - x0, theme);
    }
    if (
      f.selectedSeg &&
      f.selectedSeg.taskId === taskId &&
      s.seg <= f.selectedSeg.segIndex &&
      f.selectedSeg.segIndex < s.seg + s.count
    ) {
      ctx.strokeStyle = theme.contrastActive ?? theme.focus;
      ctx.lineWidth = 2;
      ctx.strokeRect(x0 - 1, by - 1, Math.max(2, x1 - x0 + 2), BAR_H + 2);
    } else if (
      f.hover?.area === 'lane' &&
      f.hover.taskId === taskId &&
      f.hover.segIndex >= s.seg &&
      f.hover.segIndex < s.seg + s.count
    ) {
      ctx.strokeStyle = theme.fg;
      ctx.lineWidth = 1;
      ctx.strokeRect(x0 - 0.5, by - 0.5, Math.max(1, x1 - x0 + 1), BAR_H + 1);
    }
  }

  drawSettle(p, f, task, by);
  if (hl && hl.has(-1)) {
    const x0 = xr(task.created.t);
    highlightBox(p, x0, by, Math.max(2, xr(lane.end) - x0), theme);
  }

  drawCallbacks(p, f, taskId, by);
}

function taskName(index: TraceIndex, id: number): string {
  return index.lanes.get(id)?.task.name ?? `#${id}`;
}
