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
 */
import { clampToExtent, fitTime, visibleTimeRange, type Viewport } from './viewport';

export type ViewMode = 'fit' | 'follow-live' | 'free';

export interface ViewModel {
  mode: ViewMode;
  vp: Viewport;
  /** The shown trace's time extent; null with no trace. */
  extent: { startT: number; endT: number } | null;
  live: boolean;
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
    }
  /** No trace any more. */
  | { type: 'clear' }
  /** The user moved the time axis (zoom, pan, zoom to a selection…): from now on the view is theirs. */
  | { type: 'user'; vp: Viewport }
  /** A change that is no choice of view (vertical scroll): the mode stays. */
  | { type: 'scroll'; vp: Viewport }
  /** Zoom to fit (the `0` key, the Fit button, a double-click on the axis). */
  | { type: 'fit' }
  /** The panel's size or pixel ratio changed. */
  | { type: 'resize'; width: number; height: number; dpr: number; gutter: number }
  /** The label column's width changed (the plot's left edge moves). */
  | { type: 'gutter'; gutter: number };

/** Air on both sides of a fitted run, CSS px. */
export const FIT_PADDING_PX = 24;

export function initialView(vp: Viewport): ViewModel {
  return { mode: 'fit', vp, extent: null, live: false };
}

/** The next view after an event. Pure: the same model and event always give the same result. */
export function viewReducer(m: ViewModel, e: ViewEvent): ViewModel {
  switch (e.type) {
    case 'trace': {
      const extent = { startT: e.startT, endT: e.endT };
      if (e.restore) return { mode: 'free', vp: { ...m.vp, ...e.restore }, extent, live: e.live };
      if (!e.sameRun || m.mode !== 'free') return fitted({ ...m, extent, live: e.live });
      // Free: keep the view; a live view showing the tail slides with the new data.
      const prev = m.extent;
      const atTail = prev !== null && visibleTimeRange(m.vp)[1] >= prev.endT;
      const vp = e.live && atTail ? { ...m.vp, start: m.vp.start + (e.endT - prev.endT) } : m.vp;
      return { mode: 'free', vp, extent, live: e.live };
    }
    case 'clear':
      return { mode: 'fit', vp: m.vp, extent: null, live: false };
    case 'user':
      return { ...m, mode: 'free', vp: clamped(m, e.vp) };
    case 'scroll':
      return { ...m, vp: clamped(m, e.vp) };
    case 'fit':
      return fitted(m);
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
  return { ...m, mode, vp: fitTime(m.vp, m.extent.startT, m.extent.endT, FIT_PADDING_PX) };
}

function clamped(m: ViewModel, vp: Viewport): Viewport {
  return m.extent ? clampToExtent(vp, m.extent.startT, m.extent.endT) : vp;
}
