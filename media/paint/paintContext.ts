/**
 * The canvas and what the layers share while painting: the 2D context, the font last set (setting
 * `ctx.font` re-parses CSS), cached text widths and ellipsised labels, the hatch pattern of
 * suspended bars, the reusable LOD span buffer, and what the last frame drew for the browser tests.
 */
import type { LaneSpan } from '../../src/core/timeline/levelOfDetail';
import { type Theme, withAlpha } from '../theme';

export class PaintContext {
  readonly spans: LaneSpan[] = [];
  hatch: CanvasPattern | null = null;
  private hatchKey = '';
  labelCache = new Map<string, string>();
  labelCacheKey = '';
  private widthCache = new Map<string, number>();
  /** The font last set on the context; '' forces the next setFont (after save/restore or a resize). */
  font = '';
  /** The label column's right edge this frame: plot text never runs under it. */
  lastGutter = 0;
  /** Edges drawn to a collapsed ancestor in the last frame (for the browser tests). */
  readonly foldedEdges: Array<{ from: number; awaited: number; shownOn: number }> = [];
  /** The label texts (as fitted) of the rows in the last frame, for the browser tests. */
  readonly gutterLabels: Array<{ taskId: number; name: string; site: string }> = [];
  /** The group header texts drawn in the last frame (label column, fold count, plot-side summary), for the browser tests. */
  readonly groupLabels: Array<{ groupId: number; label: string; hidden: string; summary: string }> = [];
  /** Summaries drawn on the plot side of header rows this frame (lanes are painted before the label column). */
  readonly groupSummaries = new Map<number, string>();

  constructor(readonly ctx: CanvasRenderingContext2D) {}

  setFont(font: string): void {
    if (font !== this.font) {
      this.ctx.font = font;
      this.font = font;
    }
  }

  /** Forgets what the last frame recorded (called as a frame starts). */
  startFrame(gutter: number): void {
    this.font = '';
    this.foldedEdges.length = 0;
    this.gutterLabels.length = 0;
    this.groupLabels.length = 0;
    this.groupSummaries.clear();
    this.lastGutter = gutter;
  }

  ensureHatch(theme: Theme, dpr: number): void {
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

  /** Text clipped to [x0, x1], skipped when not even a few characters fit. */
  textIn(text: string, x0: number, x1: number, y: number, color: string, font: string, halo?: string): void {
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

  /** Ellipsises text to width (cached: labels repeat frame after frame). */
  fit(text: string, width: number): string {
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
  widthOf(text: string): number {
    const key = this.font + '\u0000' + text;
    let w = this.widthCache.get(key);
    if (w === undefined) {
      w = this.ctx.measureText(text).width;
      if (this.widthCache.size > 5000) this.widthCache.clear();
      this.widthCache.set(key, w);
    }
    return w;
  }
}
