/**
 * The timeline's coordinate spaces and the pure transforms between them.
 *
 *   trace space   (t ms, row index)      what the Trace says
 *   CSS space     (x, y CSS px)          where the pointer is; layout of the canvas element
 *   device space  (CSS px × dpr)         the canvas backing store
 *
 * The canvas is split into a fixed label gutter on the left (x < gutter) and a fixed time axis
 * on top (y < axisHeight); the plot area to the right/below scrolls: horizontally by `start`
 * (the trace time at the plot's left edge) and `msPerPx`, vertically by `scrollTop`.
 */
export interface Viewport {
  /** Trace time (ms) at the left edge of the plot area (x = gutter). */
  start: number;
  /** Zoom: milliseconds per CSS pixel. */
  msPerPx: number;
  /** Vertical scroll of the lanes, CSS px. */
  scrollTop: number;
  /** Whole canvas size, CSS px. */
  width: number;
  height: number;
  /** Width of the label gutter, CSS px. */
  gutter: number;
  /** Height of the time axis band, CSS px. */
  axisHeight: number;
  rowHeight: number;
  /** window.devicePixelRatio. */
  dpr: number;
}

/** Zoom limits: 1 ns per pixel (deep enough for microtask hops) … 1 hour per pixel. */
export const MIN_MS_PER_PX = 1e-6;
export const MAX_MS_PER_PX = 3.6e6;

/** Width of the plot area (right of the gutter), CSS px; never below 1 so maths stays finite. */
export function plotWidth(vp: Viewport): number {
  return Math.max(1, vp.width - vp.gutter);
}

/** Trace time → CSS x. */
export function timeToX(vp: Viewport, t: number): number {
  return vp.gutter + (t - vp.start) / vp.msPerPx;
}

/** CSS x → trace time. */
export function xToTime(vp: Viewport, x: number): number {
  return vp.start + (x - vp.gutter) * vp.msPerPx;
}

/** Row index → CSS y of the row's top edge. */
export function rowToY(vp: Viewport, row: number): number {
  return vp.axisHeight + row * vp.rowHeight - vp.scrollTop;
}

/** CSS y → row index (may be out of range; -1 when over the axis). */
export function yToRow(vp: Viewport, y: number): number {
  if (y < vp.axisHeight) return -1;
  return Math.floor((y - vp.axisHeight + vp.scrollTop) / vp.rowHeight);
}

/** CSS px → device px, snapped to whole device pixels so 1-px lines stay crisp. */
export function toDevice(vp: Viewport, css: number): number {
  return Math.round(css * vp.dpr);
}

/** The trace-time range visible in the plot area. */
export function visibleTimeRange(vp: Viewport): [number, number] {
  return [vp.start, vp.start + plotWidth(vp) * vp.msPerPx];
}

/** First and last (inclusive) row indexes at least partly visible, clamped to [0, rowCount). */
export function visibleRows(vp: Viewport, rowCount: number): [number, number] {
  const first = Math.max(0, Math.floor(vp.scrollTop / vp.rowHeight));
  const last = Math.min(
    rowCount - 1,
    Math.floor((vp.scrollTop + Math.max(0, vp.height - vp.axisHeight) - 1) / vp.rowHeight),
  );
  return [first, last];
}

/** Zooms by `factor` (>1 = zoom in) keeping the trace time under CSS x fixed. */
export function zoomAt(vp: Viewport, factor: number, x: number): Viewport {
  return zoomPan(vp, factor, x, x);
}

/**
 * Zooms by `factor` and moves the trace time that was under CSS x `fromX` to `toX`: one step of a
 * two-finger pinch, where the midpoint between the fingers may travel as well as their distance
 * change. Applied per pointer move, the content stays under the fingers, whichever finger moved.
 */
export function zoomPan(vp: Viewport, factor: number, fromX: number, toX: number): Viewport {
  const anchor = xToTime(vp, fromX);
  const msPerPx = clamp(vp.msPerPx / factor, MIN_MS_PER_PX, MAX_MS_PER_PX);
  return { ...vp, msPerPx, start: anchor - (toX - vp.gutter) * msPerPx };
}

/** Pans by CSS pixels (positive dx moves the content right, i.e. shows earlier times). */
export function panBy(vp: Viewport, dx: number, dy = 0): Viewport {
  return { ...vp, start: vp.start - dx * vp.msPerPx, scrollTop: vp.scrollTop - dy };
}

/** Shows [t0, t1] across the plot, with `paddingPx` of air on both sides. */
export function fitTime(vp: Viewport, t0: number, t1: number, paddingPx = 16): Viewport {
  const span = Math.max(t1 - t0, 1e-3);
  const usable = Math.max(1, plotWidth(vp) - 2 * paddingPx);
  const msPerPx = clamp(span / usable, MIN_MS_PER_PX, MAX_MS_PER_PX);
  return { ...vp, msPerPx, start: t0 - paddingPx * msPerPx };
}

/**
 * Keeps the trace findable: zooming out stops at `maxFactor` × the trace's extent across the plot,
 * and panning stops once only `marginPx` of the trace's edge would remain on screen.
 */
export function clampToExtent(vp: Viewport, t0: number, t1: number, maxFactor = 4, marginPx = 40): Viewport {
  const span = Math.max(t1 - t0, 1e-3);
  const pw = plotWidth(vp);
  const msPerPx = Math.min(vp.msPerPx, (span * maxFactor) / pw);
  let start = vp.start;
  if (msPerPx !== vp.msPerPx) {
    // Keep the middle where it was while capping the zoom.
    const mid = vp.start + (pw / 2) * vp.msPerPx;
    start = mid - (pw / 2) * msPerPx;
  }
  const minStart = t0 - (pw - marginPx) * msPerPx;
  const maxStart = t1 - marginPx * msPerPx;
  start = clamp(start, minStart, maxStart);
  return start === vp.start && msPerPx === vp.msPerPx ? vp : { ...vp, start, msPerPx };
}

/** Keeps scrollTop within the lanes' extent. */
export function clampScroll(vp: Viewport, rowCount: number): Viewport {
  const max = Math.max(0, rowCount * vp.rowHeight - (vp.height - vp.axisHeight));
  const scrollTop = clamp(vp.scrollTop, 0, max);
  return scrollTop === vp.scrollTop ? vp : { ...vp, scrollTop };
}

/** Scrolls the minimum needed to bring a row fully into view. */
export function scrollRowIntoView(vp: Viewport, row: number): Viewport {
  const top = row * vp.rowHeight;
  const viewH = Math.max(vp.rowHeight, vp.height - vp.axisHeight);
  if (top < vp.scrollTop) return { ...vp, scrollTop: top };
  if (top + vp.rowHeight > vp.scrollTop + viewH) return { ...vp, scrollTop: top + vp.rowHeight - viewH };
  return vp;
}

function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}
