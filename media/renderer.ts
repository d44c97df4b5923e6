import { computeTimeTicks } from '../src/core/timeline/timeTicks';
import { plotWidth, visibleRows, visibleTimeRange } from '../src/core/timeline/viewport';
import { drawAxis, drawGrid } from './paint/axisPainter';
import { drawCriticalPath } from './paint/criticalPathPainter';
import { drawCursor, drawCursorTag } from './paint/cursorPainter';
import { drawArrows, drawSpawnLinks } from './paint/edgePainter';
import type { Frame } from './paint/frame';
import { drawGutter } from './paint/gutterPainter';
import { drawLane } from './paint/lanePainter';
import { drawEndLine, drawRowBackgrounds, drawScrollIndicator } from './paint/overlayPainter';
import { PaintContext } from './paint/paintContext';
import type { Theme } from './theme';

export type { Frame } from './paint/frame';

/**
 * Paints a frame on the canvas, one layer after the other (media/paint/: one painter per layer):
 * row bands, grid, end line, creation links, lanes with their segments and marks, await edges,
 * the critical path highlight and the step cursor (when on), the axis, the label column with group headers, the scroll indicator. Works in CSS px with the
 * device-pixel-ratio applied once through the context transform.
 */
export class TimelineRenderer {
  private readonly p: PaintContext;
  /** Draw times of recent frames (ms), for the bench and the debug hook. */
  readonly frameTimes: number[] = [];

  constructor(private readonly canvas: HTMLCanvasElement) {
    const ctx = canvas.getContext('2d', { alpha: false });
    if (!ctx) throw new Error('2D canvas unavailable');
    this.p = new PaintContext(ctx);
  }

  /** Edges drawn to a collapsed ancestor in the last frame (for the browser tests). */
  get foldedEdges(): PaintContext['foldedEdges'] {
    return this.p.foldedEdges;
  }
  /** The label texts (as fitted) of the rows in the last frame, for the browser tests. */
  get gutterLabels(): PaintContext['gutterLabels'] {
    return this.p.gutterLabels;
  }
  /** The group header texts drawn in the last frame, for the browser tests. */
  get groupLabels(): PaintContext['groupLabels'] {
    return this.p.groupLabels;
  }

  /**
   * Pays the one-time costs (font lookup and glyph shaping for canvas text, the hatch pattern)
   * while the webview waits for its first message, so the first real frame is fast.
   */
  warmUp(theme: Theme, dpr: number): void {
    const { ctx } = this.p;
    for (const font of [theme.font, theme.fontBold]) {
      ctx.font = font;
      ctx.measureText('main worker1 await · 1.00 s 0123456789 µs ms …');
      ctx.fillStyle = theme.bg;
      ctx.fillText('warm', -100, -100);
    }
    this.p.font = '';
    this.p.ensureHatch(theme, dpr);
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
    const { p } = this;
    const { ctx } = p;
    const { vp, theme } = f;
    ctx.setTransform(vp.dpr, 0, 0, vp.dpr, 0, 0);
    // The context may have been reset by a resize: startFrame re-establishes the font on first use.
    // Lane labels stop at the column edge; take it from this frame (the label column comes after the lanes).
    p.startFrame(vp.gutter);
    ctx.fillStyle = theme.bg;
    ctx.fillRect(0, 0, vp.width, vp.height);
    ctx.textBaseline = 'middle';
    if (f.index) {
      p.ensureHatch(theme, vp.dpr);
      const [r0, r1] = visibleRows(vp, f.layout.rows.length);
      const ticks = computeTimeTicks(...visibleTimeRange(vp), plotWidth(vp));
      drawRowBackgrounds(p, f, r0, r1);
      drawGrid(
        p,
        f,
        ticks.ticks.map((t) => t.t),
      );
      ctx.save();
      ctx.beginPath();
      ctx.rect(vp.gutter, vp.axisHeight, vp.width - vp.gutter, vp.height - vp.axisHeight);
      ctx.clip();
      drawEndLine(p, f);
      drawSpawnLinks(p, f, r0, r1);
      for (let r = r0; r <= r1; r++) drawLane(p, f, r);
      if (f.showArrows) drawArrows(p, f, r0, r1);
      if (f.critical) drawCriticalPath(p, f, f.critical, r0, r1);
      if (f.cursor) drawCursor(p, f, f.cursor, r0, r1);
      ctx.restore();
      p.font = ''; // restore() also reverts the font
      drawAxis(p, f, ticks);
      if (f.cursor) drawCursorTag(p, f, f.cursor);
      drawGutter(p, f, r0, r1);
      drawScrollIndicator(p, f);
    }
    const dt = performance.now() - t0;
    this.frameTimes.push(dt);
    if (this.frameTimes.length > 600) this.frameTimes.splice(0, 300);
  }
}
