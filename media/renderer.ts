import type { Hit } from '../src/core/timeline/hitTest';
import { INDENT_PX, TWISTY_PX } from '../src/core/timeline/hitTest';
import { groupSummary } from '../src/core/timeline/laneGroups';
import type { GroupRow, LaneLayout } from '../src/core/timeline/laneTree';
import {
  buildLaneSpans,
  type LaneSpan,
  SPAN_DENSE,
  SPAN_RUNNING,
  SPAN_SUSPENDED,
} from '../src/core/timeline/levelOfDetail';
import { edgeEndpointResolver } from '../src/core/timeline/edgeEndpoints';
import { formatDuration } from '../src/core/duration';
import { resumeMark, segmentMark, settleMark } from '../src/core/timeline/marks';
import { formatSiteShort } from '../src/core/timeline/taskDetails';
import { computeTimeTicks } from '../src/core/timeline/timeTicks';
import { lowerBound, type LaneData, type TraceIndex } from '../src/core/timeline/traceIndex';
import {
  plotWidth,
  rowToY,
  timeToX,
  type Viewport,
  visibleRows,
  visibleTimeRange,
} from '../src/core/timeline/viewport';
import { type Theme, withAlpha } from './theme';

/** The task on a row, for the folded-edge record (a header row has none). */
function taskIdOfRow(layout: LaneLayout, r: number): number {
  const row = layout.rows[r];
  return row.kind === 'task' ? row.taskId : -1;
}

/** Everything one frame depends on. The renderer keeps no view state of its own. */
export interface Frame {
  index: TraceIndex | null;
  layout: LaneLayout;
  vp: Viewport;
  theme: Theme;
  selectedTaskId: number | null;
  selectedSeg: { taskId: number; segIndex: number } | null;
  hover: Hit | null;
  /** Segments to highlight (from the editor cursor): taskId → segment indexes (-1 = whole lane). */
  highlights: Map<number, Set<number>>;
  showOutput: boolean;
  showArrows: boolean;
  live: boolean;
  /** Sorted output times (for ticks on the axis). */
  outputTimes: Float64Array;
}

/** Bar geometry inside a row (CSS px). */
const BAR_TOP = 6;
const BAR_H = 14;
/** Suspensions and running stretches narrower than this merge into dense spans. */
const LOD_MIN_PX = 1;
/** Draw an arrow only for suspensions at least this wide (dense regions would be a hairball). */
const ARROW_MIN_PX = 3;
const MAX_ARROWS = 1500;
/** Yield/resume markers are drawn on suspensions at least this wide. */
const MARKER_MIN_PX = 10;

/** How an await edge is stroked: "waits on" dashed, "woke" solid; edges to folded lanes thinner and dotted. */
interface ArrowStyle {
  dash: number[];
  width: number;
  /** Arrowhead half-width, CSS px. */
  head: number;
}
const ARROW_WAIT: ArrowStyle = { dash: [3, 3], width: 1.25, head: 3.5 };
const ARROW_WOKE: ArrowStyle = { dash: [], width: 1.25, head: 3.5 };
const ARROW_FOLDED_WAIT: ArrowStyle = { dash: [1, 3], width: 1, head: 2.5 };
const ARROW_FOLDED_WOKE: ArrowStyle = { dash: [4, 2], width: 1, head: 2.5 };

/**
 * Paints a frame on the canvas: axis, lanes, segments (LOD-merged), markers, arrows, gutter.
 * Works in CSS px with the device-pixel-ratio applied once through the context transform.
 */
export class TimelineRenderer {
  private readonly ctx: CanvasRenderingContext2D;
  private readonly spans: LaneSpan[] = [];
  private hatch: CanvasPattern | null = null;
  private hatchKey = '';
  private labelCache = new Map<string, string>();
  private labelCacheKey = '';
  /** The font last set on the context: setting ctx.font re-parses CSS, so skip redundant sets. */
  private font = '';
  private setFont(font: string): void {
    if (font !== this.font) {
      this.ctx.font = font;
      this.font = font;
    }
  }
  /** Draw times of recent frames (ms), for the bench and the debug hook. */
  readonly frameTimes: number[] = [];

  constructor(private readonly canvas: HTMLCanvasElement) {
    const ctx = canvas.getContext('2d', { alpha: false });
    if (!ctx) throw new Error('2D canvas unavailable');
    this.ctx = ctx;
  }

  /**
   * Pays the one-time costs (font lookup and glyph shaping for canvas text, the hatch pattern)
   * while the webview waits for its first message, so the first real frame is fast.
   */
  warmUp(theme: Theme, dpr: number): void {
    const { ctx } = this;
    for (const font of [theme.font, theme.fontBold]) {
      ctx.font = font;
      ctx.measureText('main worker1 await · 1.00 s 0123456789 µs ms …');
      ctx.fillStyle = theme.bg;
      ctx.fillText('warm', -100, -100);
    }
    this.font = '';
    this.ensureHatch(theme, dpr);
  }

  /** Resizes the backing store to the element size × dpr (only when it changed). */
  resize(width: number, height: number, dpr: number): void {
    const w = Math.max(1, Math.round(width * dpr));
    const h = Math.max(1, Math.round(height * dpr));
    if (this.canvas.width !== w || this.canvas.height !== h) {
      this.canvas.width = w;
      this.canvas.height = h;
    }
  }

  draw(f: Frame): void {
    const t0 = performance.now();
    const { ctx } = this;
    const { vp, theme } = f;
    ctx.setTransform(vp.dpr, 0, 0, vp.dpr, 0, 0);
    // The context may have been reset by a resize; re-establish the font on first use.
    this.font = '';
    ctx.fillStyle = theme.bg;
    ctx.fillRect(0, 0, vp.width, vp.height);
    ctx.textBaseline = 'middle';
    this.foldedEdges.length = 0;
    this.gutterLabels.length = 0;
    this.groupLabels.length = 0;
    this.groupSummaries.clear();
    // Lane labels stop at the column edge; take it from this frame (drawGutter comes after the lanes).
    this.lastGutter = vp.gutter;
    if (f.index) {
      this.ensureHatch(theme, vp.dpr);
      const [r0, r1] = visibleRows(vp, f.layout.rows.length);
      const ticks = computeTimeTicks(...visibleTimeRange(vp), plotWidth(vp));
      this.drawRowBackgrounds(f, r0, r1);
      this.drawGrid(
        f,
        ticks.ticks.map((t) => t.t),
      );
      ctx.save();
      ctx.beginPath();
      ctx.rect(vp.gutter, vp.axisHeight, vp.width - vp.gutter, vp.height - vp.axisHeight);
      ctx.clip();
      this.drawEndLine(f);
      this.drawSpawnLinks(f, r0, r1);
      for (let r = r0; r <= r1; r++) this.drawLane(f, r);
      if (f.showArrows) this.drawArrows(f, r0, r1);
      ctx.restore();
      this.font = ''; // restore() also reverts the font
      this.drawAxis(f, ticks);
      this.drawGutter(f, r0, r1);
      this.drawScrollIndicator(f);
    }
    const dt = performance.now() - t0;
    this.frameTimes.push(dt);
    if (this.frameTimes.length > 600) this.frameTimes.splice(0, 300);
  }

  private ensureHatch(theme: Theme, dpr: number): void {
    const key = `${theme.running}|${theme.bg}|${dpr}|${theme.kind}`;
    if (key === this.hatchKey && this.hatch) return;
    const size = 6;
    const c = document.createElement('canvas');
    c.width = Math.round(size * dpr);
    c.height = Math.round(size * dpr);
    const g = c.getContext('2d')!;
    g.scale(dpr, dpr);
    g.fillStyle = withAlpha(this.ctx, theme.running, theme.contrast ? 0.0 : 0.14);
    g.fillRect(0, 0, size, size);
    g.strokeStyle = withAlpha(this.ctx, theme.running, theme.contrast ? 0.9 : 0.55);
    g.lineWidth = 1;
    g.beginPath();
    // Two strokes so the diagonal tiles seamlessly.
    g.moveTo(-1, size + 1);
    g.lineTo(size + 1, -1);
    g.moveTo(-1, 1);
    g.lineTo(1, -1);
    g.moveTo(size - 1, size + 1);
    g.lineTo(size + 1, size - 1);
    g.stroke();
    const p = this.ctx.createPattern(c, 'repeat');
    if (p) p.setTransform(new DOMMatrix().scale(1 / dpr, 1 / dpr));
    this.hatch = p;
    this.hatchKey = key;
  }

  private drawRowBackgrounds(f: Frame, r0: number, r1: number): void {
    const { ctx } = this;
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

  private drawGrid(f: Frame, ticks: number[]): void {
    const { ctx } = this;
    const { vp, theme } = f;
    ctx.fillStyle = withAlpha(ctx, theme.border, theme.contrast ? 0.5 : 0.9);
    for (const t of ticks) {
      const x = Math.round(timeToX(vp, t) * vp.dpr) / vp.dpr;
      if (x < vp.gutter) continue;
      ctx.fillRect(x, vp.axisHeight, 1 / vp.dpr, vp.height - vp.axisHeight);
    }
  }

  private drawEndLine(f: Frame): void {
    const { ctx } = this;
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
    this.font = ''; // restore() also reverts the font
  }

  private drawLane(f: Frame, r: number): void {
    const { ctx, spans } = this;
    const { vp, theme, index } = f;
    const row = f.layout.rows[r];
    if (row.kind === 'group') {
      this.drawGroupSpan(f, r, row);
      return;
    }
    const lane = index!.lanes.get(row.taskId)!;
    const y = rowToY(vp, r);
    const by = y + BAR_TOP;
    const [t0, t1] = visibleTimeRange(vp);
    const n = buildLaneSpans(lane, t0, t1, vp.msPerPx, LOD_MIN_PX, spans);
    const xMin = vp.gutter - 2;
    const xMax = vp.width + 2;
    const hl = f.highlights.get(row.taskId);
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
        // Sub-pixel running stretches still get a visible sliver: that the task ran matters.
        if (x1 - x0 < 1.5) {
          const c = (x0 + x1) / 2;
          x0 = c - 0.75;
          x1 = c + 0.75;
        }
        ctx.fillStyle = blocking ? theme.blocking : theme.running;
        ctx.fillRect(x0, by, x1 - x0, BAR_H);
        if (hc) this.outline(x0, by, x1 - x0, BAR_H, hc);
        if (x1 - x0 > 70) {
          const label = blocking
            ? `blocks the loop · ${formatDuration(s.end - s.start)}`
            : `running · ${formatDuration(s.end - s.start)}`;
          this.textIn(label, x0, x1, by + BAR_H / 2, hc ? theme.fg : theme.bg, theme.font);
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
        if (!open && w >= MARKER_MIN_PX) this.marker(x1, by, 'resume', theme.running, theme);
        if (open) this.openEnd(x1, by, theme);
        if (w > 70) {
          const label = `scheduled · ${open ? formatDuration(s.end - s.start) + '…' : formatDuration(s.end - s.start)}`;
          this.textIn(label, x0 + 6, x1 - 4, by + BAR_H / 2, theme.muted, theme.font, theme.bg);
        }
      } else if (s.kind === SPAN_SUSPENDED) {
        const seg = task.segments[s.seg];
        const resume = resumeMark(seg);
        const open = resume === 'pending';
        ctx.fillStyle = this.hatch ?? withAlpha(ctx, theme.running, 0.2);
        ctx.fillRect(x0, by, Math.max(1, x1 - x0), BAR_H);
        // Thin edges top and bottom give the hatched bar a shape.
        ctx.fillStyle = withAlpha(ctx, theme.running, hc ? 1 : 0.6);
        ctx.fillRect(x0, by, Math.max(1, x1 - x0), 1);
        ctx.fillRect(x0, by + BAR_H - 1, Math.max(1, x1 - x0), 1);
        if (hc) this.outline(x0, by, x1 - x0, BAR_H, hc);
        // Markers need room: at 4 px apart they turn a dense lane into a comb.
        if (x1 - x0 >= MARKER_MIN_PX) this.marker(x0, by, 'yield', theme.running, theme);
        if (!open && x1 - x0 >= MARKER_MIN_PX && resume !== null)
          this.marker(x1, by, 'resume', resume === 'resume-threw' ? theme.rejected : theme.running, theme);
        if (open) this.openEnd(x1, by, theme);
        if (x1 - x0 > 60 && seg.state === 'suspended') {
          const what = seg.awaits.length
            ? seg.combinator
              ? `${seg.combinator === 'taskGroup' ? 'TaskGroup' : seg.combinator}(${seg.awaits.length === 1 ? this.taskName(index!, seg.awaits[0]) : seg.awaits.length + ' tasks'})`
              : seg.awaits.map((id) => this.taskName(index!, id)).join(', ')
            : seg.waitsFor
              ? `${seg.waitsFor} at ${formatSiteShort(seg.site)}`
              : formatSiteShort(seg.site);
          const label = `${seg.kind} ${what} · ${open ? formatDuration(s.end - s.start) + '…' : formatDuration(s.end - s.start)}`;
          this.textIn(label, x0 + 6, x1 - 4, by + BAR_H / 2, theme.fg, theme.font, theme.bg);
        }
      } else if (s.kind === SPAN_DENSE) {
        // Many tiny segments in one pixel column: shade by how much of it was spent running.
        ctx.fillStyle = withAlpha(ctx, theme.running, Math.round((0.25 + 0.75 * s.runFrac) * 20) / 20);
        ctx.fillRect(x0, by, Math.max(1, x1 - x0), BAR_H);
      }
      if (hl && (hl.has(s.seg) || hl.has(-1))) {
        if (hl.has(-1) || s.kind !== SPAN_DENSE) this.highlightBox(x0, by, x1 - x0, theme);
      }
      if (
        f.selectedSeg &&
        f.selectedSeg.taskId === row.taskId &&
        s.seg <= f.selectedSeg.segIndex &&
        f.selectedSeg.segIndex < s.seg + s.count
      ) {
        ctx.strokeStyle = theme.contrastActive ?? theme.focus;
        ctx.lineWidth = 2;
        ctx.strokeRect(x0 - 1, by - 1, Math.max(2, x1 - x0 + 2), BAR_H + 2);
      } else if (
        f.hover?.area === 'lane' &&
        f.hover.taskId === row.taskId &&
        f.hover.segIndex >= s.seg &&
        f.hover.segIndex < s.seg + s.count
      ) {
        ctx.strokeStyle = theme.fg;
        ctx.lineWidth = 1;
        ctx.strokeRect(x0 - 0.5, by - 0.5, Math.max(1, x1 - x0 + 1), BAR_H + 1);
      }
    }

    // Settle: a check for fulfilled, a cross for rejected, a slashed circle for cancelled (Python).
    const settle = settleMark(task);
    if (task.settled) {
      const x = timeToX(vp, task.settled.t);
      if (x >= xMin && x <= xMax) {
        if (settle === 'rejected') this.cross(x + 5, by + BAR_H / 2, theme.rejected);
        else if (settle === 'cancelled') this.cancelled(x + 6, by + BAR_H / 2, theme.blocking);
        else {
          ctx.fillStyle = theme.fulfilled;
          ctx.fillRect(x, by - 2, 2, BAR_H + 4);
        }
      }
    }
    if (hl && hl.has(-1)) {
      const x0 = xr(task.created.t);
      this.highlightBox(x0, by, Math.max(2, xr(lane.end) - x0), theme);
    }

    // Callbacks (.then/.catch/.finally) hang on this task's promise: diamonds on its lane.
    const cbs = index!.callbacksByTask.get(row.taskId);
    if (cbs) {
      let lastX = -Infinity;
      for (const c of cbs) {
        const x = timeToX(vp, c.t);
        if (x < xMin || x > xMax || x - lastX < 3) continue;
        lastX = x;
        if (c.kind === 'done') this.doneMark(x, by + BAR_H / 2, theme.callback, theme.bg);
        else this.diamond(x, by + BAR_H / 2, 5, c.kind === 'catch' ? theme.rejected : theme.callback, theme.bg);
      }
    }
  }

  /** "Created here": a faint elbow from the creator's lane, at the creation time, to the new lane. */
  private drawSpawnLinks(f: Frame, r0: number, r1: number): void {
    const { ctx } = this;
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

  private taskName(index: TraceIndex, id: number): string {
    return index.lanes.get(id)?.task.name ?? `#${id}`;
  }

  private marker(x: number, by: number, kind: 'yield' | 'resume', color: string, theme: Theme): void {
    const { ctx } = this;
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

  private openEnd(x: number, by: number, theme: Theme): void {
    // Pending at exit: the bar runs off into a chevron instead of ending cleanly.
    const { ctx } = this;
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

  private cross(x: number, y: number, color: string): void {
    const { ctx } = this;
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
  private cancelled(x: number, y: number, color: string): void {
    const { ctx } = this;
    ctx.strokeStyle = color;
    ctx.lineWidth = 1.75;
    ctx.beginPath();
    ctx.arc(x, y, 4.5, 0, Math.PI * 2);
    ctx.moveTo(x - 3.2, y + 3.2);
    ctx.lineTo(x + 3.2, y - 3.2);
    ctx.stroke();
  }

  /** A done callback (Python's add_done_callback): a ringed dot, apart from the .then/.catch diamonds. */
  private doneMark(x: number, y: number, color: string, edge: string): void {
    const { ctx } = this;
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

  private diamond(x: number, y: number, r: number, color: string, edge: string): void {
    const { ctx } = this;
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

  private outline(x: number, y: number, w: number, h: number, color: string): void {
    const { ctx } = this;
    ctx.strokeStyle = color;
    ctx.lineWidth = 1;
    ctx.strokeRect(x + 0.5, y + 0.5, Math.max(0, w - 1), h - 1);
  }

  private highlightBox(x: number, y: number, w: number, theme: Theme): void {
    const { ctx } = this;
    ctx.fillStyle = withAlpha(ctx, theme.highlight, 0.25);
    ctx.fillRect(x - 3, y - 3, Math.max(2, w) + 6, BAR_H + 6);
    ctx.strokeStyle = theme.highlight;
    ctx.lineWidth = 2;
    ctx.strokeRect(x - 3, y - 3, Math.max(2, w) + 6, BAR_H + 6);
  }

  /** Text clipped to [x0, x1], skipped when not even a few characters fit. */
  private textIn(
    text: string,
    x0: number,
    x1: number,
    y: number,
    color: string,
    font: string,
    halo?: string,
  ): void {
    const { ctx } = this;
    const left = Math.max(x0, this.lastGutter + 4);
    const w = x1 - left - 4;
    if (w < 24) return;
    this.setFont(font);
    const fitted = this.fit(text, w);
    if (!fitted) return;
    if (halo) {
      // A soft backing keeps the label readable over the hatching.
      const tw = this.widthOf(fitted);
      ctx.fillStyle = withAlpha(ctx, halo, 0.85);
      ctx.fillRect(left + 2, y - 7, tw + 4, 14);
    }
    ctx.fillStyle = color;
    ctx.fillText(fitted, left + 4, y + 0.5);
  }
  private lastGutter = 0;

  /** Ellipsises text to width (cached: labels repeat frame after frame). */
  private fit(text: string, width: number): string {
    const key = this.font + '\u0000' + text + '\u0000' + Math.floor(width);
    const hit = this.labelCache.get(key);
    if (hit !== undefined) return hit;
    const { ctx } = this;
    let out = text;
    if (this.widthOf(text) > width) {
      let lo = 0;
      let hi = text.length;
      while (lo < hi) {
        const mid = (lo + hi + 1) >>> 1;
        if (ctx.measureText(text.slice(0, mid) + '…').width <= width) lo = mid;
        else hi = mid - 1;
      }
      out = lo > 0 ? text.slice(0, lo) + '…' : '';
    }
    if (this.labelCache.size > 5000) this.labelCache.clear();
    this.labelCache.set(key, out);
    return out;
  }

  /** measureText width, cached per font (labels repeat frame after frame). */
  private widthOf(text: string): number {
    const key = this.font + '\u0000' + text;
    let w = this.widthCache.get(key);
    if (w === undefined) {
      w = this.ctx.measureText(text).width;
      if (this.widthCache.size > 5000) this.widthCache.clear();
      this.widthCache.set(key, w);
    }
    return w;
  }
  private widthCache = new Map<string, number>();

  private drawArrows(f: Frame, r0: number, r1: number): void {
    const { ctx } = this;
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
            this.foldedEdges.push({ from: lane.task.id, awaited: id, shownOn: taskIdOfRow(layout, ar) });
          }
          // "waits on": dashed, from the moment of the await down/up to the awaited lane.
          const tx = Math.max(x0, timeToX(vp, target.task.created.t));
          const style = end.folded ? ARROW_FOLDED_WAIT : ARROW_WAIT;
          this.arrow(x0, rowMid(r), tx + 6, rowMid(ar), end.folded ? faint : color, style);
          // "woke": solid, from the awaited task's settle to this resume.
          if (seg.resumedBy === id && seg.end !== null && target.task.settled) {
            this.arrow(
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
  /** Edges drawn to a collapsed ancestor in the last frame (for the browser tests). */
  readonly foldedEdges: Array<{ from: number; awaited: number; shownOn: number }> = [];

  private arrow(x0: number, y0: number, x1: number, y1: number, color: string, style: ArrowStyle): void {
    const { ctx } = this;
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

  private drawAxis(f: Frame, ticks: ReturnType<typeof computeTimeTicks>): void {
    const { ctx } = this;
    const { vp, theme } = f;
    ctx.fillStyle = theme.gutterBg;
    ctx.fillRect(vp.gutter, 0, vp.width - vp.gutter, vp.axisHeight);
    ctx.fillStyle = theme.contrast ?? theme.border;
    ctx.fillRect(0, vp.axisHeight - 1, vp.width, 1);
    this.setFont(theme.font);
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
      const w = this.widthOf(tk.label);
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
        ctx.fillStyle =
          this.outputStream(out, f.outputTimes[i]) === 'stderr' ? theme.rejected : theme.callback;
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

  private outputStream(out: Array<{ t: number; stream: string }>, t: number): string {
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

  private drawGutter(f: Frame, r0: number, r1: number): void {
    const { ctx } = this;
    const { vp, theme, layout, index } = f;
    this.lastGutter = vp.gutter;
    const key = `${theme.font}|${vp.gutter}`;
    if (key !== this.labelCacheKey) {
      this.labelCache.clear();
      this.labelCacheKey = key;
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
        this.drawGroupLabel(f, r, row);
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
      if (row.hasChildren) this.twisty(tx, mid, row.collapsed, theme.fg);
      let x = tx + TWISTY_PX + 2;
      x = this.stateIcon(lane, x, mid, theme);
      this.setFont(theme.fontBold);
      ctx.fillStyle = row.matched ? theme.fg : theme.muted;
      const room = vp.gutter - x - 6;
      const name = this.fit(lane.task.name, Math.max(0, room));
      ctx.fillText(name, x, mid + 0.5);
      const nw = this.widthOf(name);
      this.setFont(theme.font);
      const extra =
        (row.collapsed ? `+${row.hiddenCount} ` : '') +
        formatSiteShort(lane.task.created.site ?? lane.task.definition);
      const siteRoom = room - nw - 8;
      let site = '';
      if (siteRoom > 20 && name === lane.task.name) {
        ctx.fillStyle = theme.muted;
        site = this.fit(extra, siteRoom);
        ctx.fillText(site, x + nw + 8, mid + 0.5);
      }
      this.gutterLabels.push({ taskId: row.taskId, name, site });
    }
    ctx.restore();
    this.font = ''; // restore() also reverts the font
    // Header over the gutter column.
    ctx.fillStyle = theme.gutterBg;
    ctx.fillRect(0, 0, vp.gutter, vp.axisHeight);
    ctx.fillStyle = theme.contrast ?? theme.border;
    ctx.fillRect(0, vp.axisHeight - 1, vp.gutter, 1);
    ctx.fillRect(vp.gutter - 1, 0, 1, vp.height);
    ctx.fillStyle = theme.muted;
    this.setFont(theme.font);
    const total = index!.lanes.size;
    const shown = layout.rowOf.size;
    const groups = index!.groups ? ` · ${index!.groups.order.length} threads/processes` : '';
    ctx.fillText(
      this.fit(
        (shown === total ? `${total} task${total === 1 ? '' : 's'}` : `${shown} of ${total} tasks`) + groups,
        vp.gutter - 12,
      ),
      8,
      vp.axisHeight / 2,
    );
  }

  /** The label texts (as fitted) of the rows in the last frame, for the browser tests. */
  readonly gutterLabels: Array<{ taskId: number; name: string; site: string }> = [];
  /** The group header texts drawn in the last frame (label column, fold count, plot-side summary), for the browser tests. */
  readonly groupLabels: Array<{ groupId: number; label: string; hidden: string; summary: string }> = [];

  /** A thread's/process's header in the label column: twisty, kind glyph, label, and +N when folded. */
  private drawGroupLabel(f: Frame, r: number, row: GroupRow): void {
    const { ctx } = this;
    const { vp, theme, index } = f;
    const g = index!.groups!.byId.get(row.groupId)!.group;
    const y = rowToY(vp, r);
    const mid = y + vp.rowHeight / 2;
    ctx.fillStyle = withAlpha(ctx, theme.muted, 0.25);
    for (let d = 0; d < row.depth; d++) ctx.fillRect(4 + d * INDENT_PX + TWISTY_PX / 2, y, 1, vp.rowHeight);
    const tx = 4 + row.depth * INDENT_PX;
    if (row.hasChildren) this.twisty(tx, mid, row.collapsed, theme.fg);
    let x = tx + TWISTY_PX + 2;
    // ▤ a thread of this process, ▣ a process of its own.
    this.setFont(theme.fontBold);
    ctx.fillStyle = theme.muted;
    const glyph = g.kind === 'process' ? '▣' : '▤';
    ctx.fillText(glyph, x, mid + 0.5);
    x += this.widthOf(glyph) + 5;
    ctx.fillStyle = theme.fg;
    const room = vp.gutter - x - 6;
    const label = this.fit(g.label, Math.max(0, room));
    ctx.fillText(label, x, mid + 0.5);
    const lw = this.widthOf(label);
    this.setFont(theme.font);
    let hidden = '';
    if (row.collapsed && room - lw - 8 > 16) {
      ctx.fillStyle = theme.muted;
      hidden = this.fit(`+${row.hiddenCount}`, room - lw - 8);
      ctx.fillText(hidden, x + lw + 8, mid + 0.5);
    }
    this.groupLabels.push({ groupId: g.id, label, hidden, summary: this.groupSummaries.get(g.id) ?? '' });
  }
  /** Summaries drawn on the plot side of header rows this frame (drawLane runs before drawGutter). */
  private readonly groupSummaries = new Map<number, string>();

  /**
   * The plot side of a header row: the thread's/process's lifetime as a thin bracket, and what it
   * is (kind, pid, thread, started–ended) in words, kept at the left edge of the view while the
   * lifetime is on screen.
   */
  private drawGroupSpan(f: Frame, r: number, row: GroupRow): void {
    const { ctx } = this;
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
      this.setFont(theme.font);
      ctx.fillStyle = theme.muted;
      const folded = row.collapsed ? `+${row.hiddenCount} task${row.hiddenCount === 1 ? '' : 's'} folded · ` : '';
      summary = this.fit(folded + groupSummary(g), vp.width - tx - 8);
      ctx.fillText(summary, tx, y + vp.rowHeight / 2 - 3);
    }
    this.groupSummaries.set(groupId, summary);
  }

  private twisty(x: number, y: number, collapsed: boolean, color: string): void {
    const { ctx } = this;
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

  /** A small glyph for how the task ended: ● fulfilled, ✕ rejected, ⊘ cancelled, ◌ pending. Returns the next x. */
  private stateIcon(lane: LaneData, x: number, y: number, theme: Theme): number {
    const { ctx } = this;
    const st = settleMark(lane.task);
    ctx.beginPath();
    ctx.arc(x + 4, y, 3.5, 0, Math.PI * 2);
    if (st === 'rejected') {
      this.cross(x + 4, y, theme.rejected);
    } else if (st === 'cancelled') {
      this.cancelled(x + 4, y, theme.blocking);
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

  private drawScrollIndicator(f: Frame): void {
    const { ctx } = this;
    const { vp, theme, layout } = f;
    const total = layout.rows.length * vp.rowHeight;
    const view = vp.height - vp.axisHeight;
    if (total <= view) return;
    const h = Math.max(16, (view * view) / total);
    const y = vp.axisHeight + (vp.scrollTop / (total - view)) * (view - h);
    ctx.fillStyle = withAlpha(ctx, theme.muted, 0.45);
    ctx.fillRect(vp.width - 5, y, 3, h);
  }
}
