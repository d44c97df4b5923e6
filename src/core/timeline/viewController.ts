/**
 * The viewer's view rules as one pure state machine: which part of the time axis is shown, and
 * why. One explicit mode instead of flags spread over the app:
 *
 * - `fit`: the whole run across the plot; a resize or a new label width fits again.
 * - `follow-live`: `fit` while the run is live: every live update fits the grown trace.
 * - `free`: the user zoomed or panned (or a saved view was restored); updates leave the view
 *   where it is, except that a live view showing the tail slides along with it.
 *
 * A new run (or the first trace) starts in `fit`/`follow-live`; `0` (the `fit` event) returns to
 * it. Only the time axis lives here: vertical scrolling is the app's (it depends on the layout).
 *
 * Fit to work: a run that is mostly idle at its start or end (a server traced for 40 requests
 * after seconds of nothing) is fitted to where work happened (`workSpan`: the first to the last
 * running stretch or callback, with a margin), not to [0, duration]. Fit again while fitted to the
 * work shows the whole run (and again, the work): `0` twice.
 */
import type { Trace } from '../../protocol/trace';
import { clampToExtent, fitTime, visibleTimeRange, type Viewport } from './viewport';

export type ViewMode = 'fit' | 'follow-live' | 'free';

export interface ViewModel {
  mode: ViewMode;
  vp: Viewport;
  /** The shown trace's time extent; null with no trace. */
  extent: { startT: number; endT: number } | null;
  live: boolean;
  /** Where work happened, when that is worth fitting to instead of the extent (`workSpan`); else null. */
  work?: { startT: number; endT: number } | null;
  /** A fit shows the whole extent even though there is a work span (`fit` pressed again). */
  whole?: boolean;
}

export type ViewEvent =
  /** A trace arrived. `sameRun`: an update of the run already shown. `restore`: a saved view to apply. */
  | {
      type: 'trace';
      startT: number;
      endT: number;
      live: boolean;
      sameRun: boolean;
      restore: { start: number; msPerPx: number } | null;
      /** `workSpan(trace)`: where a fit goes when the run is mostly idle. Absent/null: the extent. */
      work?: { startT: number; endT: number } | null;
    }
  /** No trace any more. */
  | { type: 'clear' }
  /** The user moved the time axis (zoom, pan, zoom to a selection…): from now on the view is theirs. */
  | { type: 'user'; vp: Viewport }
  /** A change that is no choice of view (vertical scroll): the mode stays. */
  | { type: 'scroll'; vp: Viewport }
  /** Zoom to fit (the `0` key, the Fit button, a double-click on the axis); again: the whole run. */
  | { type: 'fit' }
  /** The panel's size or pixel ratio changed. */
  | { type: 'resize'; width: number; height: number; dpr: number; gutter: number }
  /** The label column's width changed (the plot's left edge moves). */
  | { type: 'gutter'; gutter: number };

/** Air on both sides of a fitted run, CSS px. */
export const FIT_PADDING_PX = 24;

/** A run whose work spans less than this share of it is fitted to the work. */
export const MOSTLY_IDLE_SHARE = 0.5;
/** Margin on each side of the work span, as a share of its length. */
export const WORK_MARGIN_SHARE = 0.05;

/**
 * Where work happened: from the first running stretch or callback of any task to the last one
 * (a stretch still running at the end runs to the extent's end), widened by `WORK_MARGIN_SHARE`
 * on each side and kept inside [startT, endT]. Null when that is most of the run anyway (at least
 * `MOSTLY_IDLE_SHARE` of it): then a fit shows everything, as before.
 */
export function workSpan(
  trace: Trace,
  startT: number,
  endT: number,
): { startT: number; endT: number } | null {
  let first = Infinity;
  let last = -Infinity;
  for (const task of trace.tasks)
    for (const s of task.segments) {
      if (s.state !== 'running') continue;
      const end = s.end ?? endT;
      if (s.start < first) first = s.start;
      if (end > last) last = end;
    }
  for (const c of trace.callbacks) {
    if (c.t < first) first = c.t;
    if (c.t > last) last = c.t;
  }
  const whole = endT - startT;
  if (!(last >= first) || !(whole > 0)) return null;
  const margin = Math.max((last - first) * WORK_MARGIN_SHARE, whole * 1e-4);
  const from = Math.max(startT, first - margin);
  const to = Math.min(endT, last + margin);
  return to - from < whole * MOSTLY_IDLE_SHARE ? { startT: from, endT: to } : null;
}

export function initialView(vp: Viewport): ViewModel {
  return { mode: 'fit', vp, extent: null, live: false };
}

/** The next view after an event. Pure: the same model and event always give the same result. */
export function viewReducer(m: ViewModel, e: ViewEvent): ViewModel {
  switch (e.type) {
    case 'trace': {
      const extent = { startT: e.startT, endT: e.endT };
      const work = e.work ?? null;
      // A new run fits to its work again; an update of the same run keeps the user's "whole".
      const whole = e.sameRun ? (m.whole ?? false) : false;
      if (e.restore)
        return { mode: 'free', vp: { ...m.vp, ...e.restore }, extent, live: e.live, work, whole };
      if (!e.sameRun || m.mode !== 'free') return fitted({ ...m, extent, live: e.live, work, whole });
      // Free: keep the view; a live view showing the tail slides with the new data.
      const prev = m.extent;
      const atTail = prev !== null && visibleTimeRange(m.vp)[1] >= prev.endT;
      const vp = e.live && atTail ? { ...m.vp, start: m.vp.start + (e.endT - prev.endT) } : m.vp;
      return { mode: 'free', vp, extent, live: e.live, work, whole };
    }
    case 'clear':
      return { mode: 'fit', vp: m.vp, extent: null, live: false, work: null, whole: false };
    case 'user':
      return { ...m, mode: 'free', vp: clamped(m, e.vp) };
    case 'scroll':
      return { ...m, vp: clamped(m, e.vp) };
    case 'fit':
      // Fit from a free view goes to the work; fit on a fitted view flips work ↔ whole run.
      if (m.mode !== 'free' && m.work) return fitted({ ...m, whole: !m.whole });
      return fitted({ ...m, whole: false });
    case 'resize': {
      const vp = { ...m.vp, width: e.width, height: e.height, dpr: e.dpr, gutter: e.gutter };
      return m.mode === 'free' ? { ...m, vp } : fitted({ ...m, vp });
    }
    case 'gutter': {
      // The plot's left edge keeps its time; a fitted view stays fitted.
      const vp = { ...m.vp, gutter: e.gutter };
      return m.mode === 'free' ? { ...m, vp: clamped(m, vp) } : fitted({ ...m, vp });
    }
    default: {
      const never: never = e;
      return never;
    }
  }
}

/** The viewport worth saving for a reload: only a view the user chose (a fitted one re-fits). */
export function savedTimeView(m: ViewModel): { start: number; msPerPx: number } | null {
  return m.mode === 'free' ? { start: m.vp.start, msPerPx: m.vp.msPerPx } : null;
}

function fitted(m: ViewModel): ViewModel {
  const mode: ViewMode = m.live ? 'follow-live' : 'fit';
  if (!m.extent) return { ...m, mode };
  // A live run follows its tail: the work span is for a finished (or loaded) run.
  const span = m.work && !m.whole && !m.live ? m.work : m.extent;
  return { ...m, mode, vp: fitTime(m.vp, span.startT, span.endT, FIT_PADDING_PX) };
}

function clamped(m: ViewModel, vp: Viewport): Viewport {
  return m.extent ? clampToExtent(vp, m.extent.startT, m.extent.endT) : vp;
}
