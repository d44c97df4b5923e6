/**
 * Many similar tasks as one lane: the lanes of a fold (`core/taskFolds.ts`: tasks of one definition
 * created by one parent) become one row, like a thread's header folds its lanes. A folded row is the
 * first member's row carrying `fold`: it draws the union of the members' activity, is labelled
 * `GET /user/:id ×40`, and hides the other members and everything they created. A fold of many
 * members (`FOLDED_AT`) starts folded; its twisty (click, or the keyboard's ←/→ on the row)
 * toggles it like any subtree; an unfolded fold keeps `fold` on its first member's row so it can
 * be folded again.
 */
import type { TaskFold } from '../taskFolds';
import type { LaneLayout, LaneRow, LayoutRow } from './laneTree';

/** Folds with at least this many members start folded. */
export const FOLDED_AT = 5;

/** What a lane row says about the fold it stands for. */
export interface LaneFold {
  key: string;
  name: string;
  memberIds: number[];
}

/** Whether a fold is folded: the user's choice (`open`: key → unfolded?), else by its size. */
export function isFolded(fold: TaskFold, open: ReadonlyMap<string, boolean>, foldedAt = FOLDED_AT): boolean {
  const chosen = open.get(fold.key);
  return chosen === undefined ? fold.taskIds.length >= foldedAt : !chosen;
}

/** `layout` with each fold's lanes folded into one row (or marked, when unfolded). */
export function foldLanes(
  layout: LaneLayout,
  folds: readonly TaskFold[],
  open: ReadonlyMap<string, boolean>,
  foldedAt = FOLDED_AT,
): LaneLayout {
  if (!folds.length) return layout;
  const foldOf = new Map<number, TaskFold>();
  for (const f of folds) for (const id of f.taskIds) foldOf.set(id, f);
  const rows: LayoutRow[] = [];
  const rowOf = new Map<number, number>();
  const groupRowOf = new Map<number, number>();
  const seen = new Map<TaskFold, LaneRow>();
  // While skipping a hidden member's subtree: its depth, and the folded row that counts it.
  let skipBelow = -1;
  let countInto: LaneRow | null = null;
  for (const row of layout.rows) {
    if (skipBelow >= 0) {
      if (row.kind === 'task' && row.depth > skipBelow) {
        countInto!.hiddenCount++;
        continue;
      }
      skipBelow = -1;
    }
    const fold = row.kind === 'task' ? foldOf.get(row.taskId) : undefined;
    if (row.kind === 'group' || !fold) {
      if (row.kind === 'group') groupRowOf.set(row.groupId, rows.length);
      else rowOf.set(row.taskId, rows.length);
      rows.push(row);
      continue;
    }
    const info: LaneFold = { key: fold.key, name: fold.name, memberIds: fold.taskIds };
    if (!isFolded(fold, open, foldedAt)) {
      rowOf.set(row.taskId, rows.length);
      rows.push(seen.has(fold) ? row : { ...row, fold: info, hasChildren: true, collapsed: false });
      seen.set(fold, row);
      continue;
    }
    // Folded: the first member met stands for all; later members (and what they created) hide
    // under it, counted. They are siblings (one parent), so they come at its depth.
    const head = seen.get(fold);
    skipBelow = row.depth;
    if (head) {
      head.hiddenCount++;
      countInto = head;
      continue;
    }
    const folded: LaneRow = { ...row, fold: info, hasChildren: true, collapsed: true, hiddenCount: 0 };
    seen.set(fold, folded);
    countInto = folded;
    rowOf.set(row.taskId, rows.length);
    rows.push(folded);
  }
  return { rows, rowOf, groupRowOf };
}
