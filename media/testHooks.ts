/**
 * What the browser tests and the bench may see of the viewer (read-only, always on `window.asyncTimeline`)
 * and change (`setView`, only in test mode: see main.ts). Kept apart so the product code never calls it.
 */
import type { LaneLayout } from '../src/core/timeline/laneTree';
import type { TraceIndex } from '../src/core/timeline/traceIndex';
import type { ViewMode } from '../src/core/timeline/viewController';
import { rowToY, timeToX, type Viewport } from '../src/core/timeline/viewport';
import type { ExplainView } from './explainView';
import type { FrameLoop } from './frameLoop';
import type { TimelineRenderer } from './renderer';

/** The viewer's state as the hooks read it. */
export interface ViewerInternals {
  loop: FrameLoop;
  renderer: TimelineRenderer;
  canvas: HTMLCanvasElement;
  traceShownAt(): number;
  vp(): Viewport;
  layout(): LaneLayout;
  index(): TraceIndex | null;
  selection(): { taskId: number | null; seg: { taskId: number; segIndex: number } | null };
  highlights(): Map<number, Set<number>>;
  mode(): ViewMode;
  /** The Steps cursor and the critical path highlight (media/explainView.ts). */
  explain(): ReturnType<ExplainView['inspect']>;
  setViewport(vp: Viewport): void;
}

/**
 * A read-only window into the viewer for the browser tests and the bench (positions of lanes
 * and segments in client coordinates, frame counters). It exposes nothing the page could not
 * compute itself and changes nothing (`nextFrame` only waits); setters are in {@link testControls}.
 */
export function inspectionApi(v: ViewerInternals): Record<string, unknown> {
  return {
    frames: () => v.loop.frames,
    traceShownAt: () => v.traceShownAt(),
    frameTimes: () => [...v.renderer.frameTimes],
    nextFrame: () => v.loop.nextFrame(),
    viewport: () => ({ ...v.vp() }),
    rows: () =>
      v.layout().rows.map((r) => ({
        ...r,
        name:
          r.kind === 'task'
            ? v.index()?.lanes.get(r.taskId)?.task.name
            : v.index()?.groups?.byId.get(r.groupId)?.group.label,
      })),
    /** Group header texts as drawn in the last frame. */
    groupLabels: () => v.renderer.groupLabels.map((l) => ({ ...l })),
    /** Client coordinates of the middle of a group header's label. */
    pointOfGroup: (groupId: number) => {
      const row = v.layout().groupRowOf.get(groupId);
      if (row === undefined) return null;
      const r = v.canvas.getBoundingClientRect();
      return { x: r.left + 80, y: r.top + rowToY(v.vp(), row) + v.vp().rowHeight / 2 };
    },
    selection: () => ({ taskId: v.selection().taskId, seg: v.selection().seg }),
    highlights: () => [...v.highlights()].map(([k, segs]) => [k, [...segs]]),
    userMoved: () => v.mode() === 'free',
    /** fit / follow-live / free (core/timeline/viewController.ts). */
    viewMode: () => v.mode(),
    /** Label texts as drawn in the last frame (name and creation site, ellipsised to fit). */
    gutterLabels: () => v.renderer.gutterLabels.map((l) => ({ ...l })),
    /** Await edges drawn to a collapsed ancestor's lane in the last frame. */
    foldedEdges: () => v.renderer.foldedEdges.map((e) => ({ ...e })),
    /** Client coordinates of the middle of a segment (or of a lane label with segIndex -1). */
    pointOf: (taskId: number, segIndex: number) => {
      const row = v.layout().rowOf.get(taskId);
      const lane = v.index()?.lanes.get(taskId);
      if (row === undefined || !lane) return null;
      const r = v.canvas.getBoundingClientRect();
      const y = rowToY(v.vp(), row) + v.vp().rowHeight / 2;
      const x =
        segIndex < 0
          ? 40
          : (timeToX(v.vp(), lane.starts[segIndex]) + timeToX(v.vp(), lane.ends[segIndex])) / 2;
      return { x: r.left + x, y: r.top + y };
    },
    /** The Steps cursor (row, number, time, tasks), the critical path highlight and compute times. */
    explain: () => v.explain(),
    /** Client x of a trace time on the canvas. */
    clientXOf: (t: number) => v.canvas.getBoundingClientRect().left + timeToX(v.vp(), t),
    timeAtClientX: (cx: number) =>
      v.vp().start + (cx - v.canvas.getBoundingClientRect().left - v.vp().gutter) * v.vp().msPerPx,
  };
}

/**
 * What the tests and the bench may change: the viewport. Exposed only in test mode (the host's
 * settings say so; the browser harness sends them the same way), never in a released build.
 */
export function testControls(v: ViewerInternals): Record<string, unknown> {
  return {
    /** Sets the viewport programmatically (the bench's pan/zoom script). */
    setView: (start: number, msPerPx: number, scrollTop?: number) =>
      v.setViewport({ ...v.vp(), start, msPerPx, scrollTop: scrollTop ?? v.vp().scrollTop }),
  };
}
