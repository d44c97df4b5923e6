/**
 * The Steps pane's cursor, as pure rules: which rows the list shows (a folded `repeat` step is one
 * row until it is expanded, then its members follow it), where ←/→ and Home/End move the cursor,
 * what a row is numbered (`3`, or `3.2` for the second member of step 3), where the cursor sits on
 * the time axis and which tasks it names, and how far the view must pan to keep it in sight.
 */
import type { Step } from '../../protocol/trace';
import { plotWidth, timeToX, type Viewport } from './viewport';

/** One row of the Steps list: a step, or a member of an expanded `repeat` step. */
export interface StepRow {
  /** Index of the top-level step in `narrate()`'s output. */
  top: number;
  /** Index among the top-level step's members, or null for the step itself. */
  member: number | null;
  step: Step;
  /** `3` for a step, `3.2` for a member (1-based, as the pane and the CLI print them). */
  label: string;
}

/** The rows the list shows: every step, and the members of the expanded ones right after them. */
export function stepRows(steps: readonly Step[], expanded: ReadonlySet<number>): StepRow[] {
  const rows: StepRow[] = [];
  for (let i = 0; i < steps.length; i++) {
    const s = steps[i];
    rows.push({ top: i, member: null, step: s, label: String(i + 1) });
    if (s.members && expanded.has(i))
      s.members.forEach((m, k) => rows.push({ top: i, member: k, step: m, label: `${i + 1}.${k + 1}` }));
  }
  return rows;
}

/** What moves the cursor: one row either way, or to the first/last row. */
export type CursorMove = 'prev' | 'next' | 'first' | 'last';

/**
 * The cursor's next row. No cursor yet: `next`/`first` go to the first row, `prev`/`last` to the last.
 * It stops at the ends (a replay does not wrap around). Null only when there are no rows.
 */
export function moveCursor(cursor: number | null, move: CursorMove, rowCount: number): number | null {
  if (rowCount <= 0) return null;
  const last = rowCount - 1;
  if (move === 'first') return 0;
  if (move === 'last') return last;
  if (cursor === null) return move === 'next' ? 0 : last;
  const c = Math.max(0, Math.min(last, cursor));
  return move === 'next' ? Math.min(last, c + 1) : Math.max(0, c - 1);
}

/** The row showing the same step after the rows changed (expand/collapse, a new live trace): by position, else by time. */
export function findRow(
  rows: readonly StepRow[],
  top: number,
  member: number | null,
  t: number,
): number | null {
  if (!rows.length) return null;
  let byTime = 0;
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    if (r.top === top && r.member === member) return i;
    if (r.step.t <= t) byTime = i;
  }
  // A collapsed repeat hides its members: the repeat itself stands for them.
  const parent = rows.findIndex((r) => r.top === top && r.member === null);
  return parent >= 0 ? parent : byTime;
}

/** The tasks a step names (a folded step: its members' too), at most `limit` (emphasising 10,000 lanes helps nobody). */
export function stepTaskIds(step: Step, limit = 200): number[] {
  const out = new Set<number>();
  const add = (s: Step) => {
    for (const id of s.taskIds) {
      if (out.size >= limit) return;
      out.add(id);
    }
  };
  add(step);
  for (const m of step.members ?? []) add(m);
  return [...out];
}

/**
 * A cursor closer than this to either edge of the plot (CSS px) is scrolled in. Less than the air a
 * fitted view leaves around the run (viewController's FIT_PADDING_PX), so stepping through a
 * fitted run never moves the view (nor makes it `free`).
 */
export const CURSOR_EDGE_PX = 12;
/** Where a scrolled-in cursor lands: a third of the way across, so what follows it is in view. */
export const CURSOR_LAND_SHARE = 1 / 3;

/**
 * The viewport that keeps a cursor at time `t` in sight, or null when it already is (the zoom is
 * never changed: stepping through a run keeps the scale the user chose). The app applies the
 * result through the view controller as a move of the user's (the view becomes `free`).
 */
export function revealTime(vp: Viewport, t: number): Viewport | null {
  const pw = plotWidth(vp);
  if (pw <= 0 || !Number.isFinite(t)) return null;
  const x = timeToX(vp, t);
  const margin = Math.min(CURSOR_EDGE_PX, pw / 4);
  if (x >= vp.gutter + margin && x <= vp.width - margin) return null;
  return { ...vp, start: t - pw * CURSOR_LAND_SHARE * vp.msPerPx };
}
