/**
 * What one frame is drawn from (the renderer keeps no view state of its own), and the geometry and
 * budgets every layer shares.
 */
import type { CriticalLanes } from '../../src/core/timeline/criticalLanes';
import type { Hit } from '../../src/core/timeline/hitTest';
import type { LaneLayout } from '../../src/core/timeline/laneTree';
import type { TraceIndex } from '../../src/core/timeline/traceIndex';
import type { Viewport } from '../../src/core/timeline/viewport';
import type { Theme } from '../theme';
import type { StepCursorMark } from './cursorPainter';

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
  /** The Steps pane's current step (media/paint/cursorPainter.ts), or none. */
  cursor?: StepCursorMark | null;
  /** The critical path highlight, when on: the path outlined, the rest dimmed (criticalPathPainter.ts). */
  critical?: CriticalLanes | null;
}

/** Bar geometry inside a row (CSS px). */
export const BAR_TOP = 6;
export const BAR_H = 14;
/** Suspensions and running stretches narrower than this merge into dense spans. */
export const LOD_MIN_PX = 1;
/** Draw an arrow only for suspensions at least this wide (dense regions would be a hairball). */
export const ARROW_MIN_PX = 3;
export const MAX_ARROWS = 1500;
/** Yield/resume markers are drawn on suspensions at least this wide. */
export const MARKER_MIN_PX = 10;
