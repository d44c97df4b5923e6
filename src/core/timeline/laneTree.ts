import type { LaneFold } from './laneFolds';
import type { TraceIndex } from './traceIndex';

/** One visible row of the timeline: a task's lane at some depth of the creator tree. */
export interface LaneRow {
  kind: 'task';
  taskId: number;
  depth: number;
  hasChildren: boolean;
  collapsed: boolean;
  /** False for ancestors kept only so a filtered match keeps its place in the tree. */
  matched: boolean;
  /** Number of descendants hidden by collapsing this row (for the "+N" badge). */
  hiddenCount: number;
  /** The row stands for a fold of similar tasks (laneFolds.ts): folded, it draws them all. */
  fold?: LaneFold;
}

/**
 * The header row of a thread's or process's lanes (only in traces with several groups, see
 * laneGroups.ts). Its lanes and child groups follow it, one level deeper, unless it is collapsed.
 */
export interface GroupRow {
  kind: 'group';
  groupId: number;
  depth: number;
  hasChildren: boolean;
  collapsed: boolean;
  /** Tasks hidden by collapsing this header (its own and its child groups'). */
  hiddenCount: number;
}

export type LayoutRow = LaneRow | GroupRow;

export interface LaneLayout {
  rows: LayoutRow[];
  /** Row index of each visible task. */
  rowOf: Map<number, number>;
  /** Row index of each visible group header (empty for single-thread traces). */
  groupRowOf: Map<number, number>;
}

/**
 * How many tasks a layout stands for: its task rows, and the tasks folded away under a row (a
 * collapsed subtree, a folded group of similar tasks, a collapsed thread or process). Only a filter
 * makes it fewer than the trace's tasks; the rows can be far fewer.
 */
export function tasksInLayout(layout: LaneLayout): number {
  let n = layout.rowOf.size;
  for (const row of layout.rows) if (row.collapsed) n += row.hiddenCount;
  return n;
}

/** An empty layout (no trace). */
export function emptyLayout(): LaneLayout {
  return { rows: [], rowOf: new Map(), groupRowOf: new Map() };
}

export interface LaneOptions {
  /** Tasks whose subtrees are folded. */
  collapsed: ReadonlySet<number>;
  /** Groups (threads, processes) whose lanes are folded under their header. */
  collapsedGroups?: ReadonlySet<number>;
  /** Case-insensitive substring of a task name or creation site ("file:line"); empty = all. */
  filter: string;
}

/** The text a filter is matched against, for one task. */
export function laneSearchText(index: TraceIndex, taskId: number): string {
  const lane = index.lanes.get(taskId);
  if (!lane) return '';
  const s = lane.task.created.site;
  return (lane.task.name + (s ? ` ${s.file}:${s.line}` : '')).toLowerCase();
}

/**
 * Lays the tasks out as rows: one lane per task, nested under the task that created it,
 * children in creation order. Iterative (a chain of 10,000 nested tasks must not overflow the stack).
 * With a filter, matching tasks stay visible together with their ancestors. A trace with several
 * threads/processes (`index.groups`) gets a header row per group, each group's lanes under it.
 */
export function layoutLanes(index: TraceIndex, options: LaneOptions): LaneLayout {
  const filter = options.filter.trim().toLowerCase();
  let keep: Set<number> | null = null;
  let matchedSet: Set<number> | null = null;
  if (filter) {
    keep = new Set();
    matchedSet = new Set();
    for (const id of index.lanes.keys()) {
      if (!laneSearchText(index, id).includes(filter)) continue;
      matchedSet.add(id);
      // Walk up to the root so the match keeps its context; stop early at an ancestor already kept.
      let cur: number | null = id;
      const seen = new Set<number>();
      while (cur !== null && !keep.has(cur) && !seen.has(cur)) {
        seen.add(cur);
        keep.add(cur);
        const lane = index.lanes.get(cur);
        cur =
          lane && lane.task.parentId !== null && index.lanes.has(lane.task.parentId)
            ? lane.task.parentId
            : null;
      }
    }
  }

  const rows: LayoutRow[] = [];
  const rowOf = new Map<number, number>();
  const groupRowOf = new Map<number, number>();
  const groups = index.groups;
  if (!groups) {
    layoutTrees(index, index.roots, 0, options, keep, matchedSet, rows, rowOf);
    return { rows, rowOf, groupRowOf };
  }
  // Grouped: a header per thread/process in display order (parent before child), its lanes
  // one level in; a collapsed header hides its lanes and its child groups.
  const collapsedGroups = options.collapsedGroups ?? new Set<number>();
  const shownTasks = new Map<number, number>();
  const visible = (id: number): number => {
    // Tasks this group and its descendants would show (memoised; post-order through the children).
    const known = shownTasks.get(id);
    if (known !== undefined) return known;
    const node = groups.byId.get(id)!;
    let n = 0;
    for (const r of node.roots) if (!keep || keep.has(r)) n += 1 + countDescendants(index, r, keep);
    for (const c of node.children) n += visible(c);
    shownTasks.set(id, n);
    return n;
  };
  let hiddenBelow = -1;
  for (const node of groups.order) {
    if (hiddenBelow >= 0 && node.depth > hiddenBelow) continue;
    hiddenBelow = -1;
    const id = node.group.id;
    const count = visible(id);
    // With a filter, a thread without a matching lane says nothing: leave its header out.
    if (keep && count === 0) continue;
    const hasChildren = count > 0 || node.children.length > 0;
    const collapsed = hasChildren && collapsedGroups.has(id);
    groupRowOf.set(id, rows.length);
    rows.push({ kind: 'group', groupId: id, depth: node.depth, hasChildren, collapsed, hiddenCount: collapsed ? count : 0 });
    if (collapsed) {
      hiddenBelow = node.depth;
      continue;
    }
    layoutTrees(index, node.roots, node.depth + 1, options, keep, matchedSet, rows, rowOf);
  }
  return { rows, rowOf, groupRowOf };
}

/** Appends the lanes of the trees under `roots`, depth-first, children in creation order. */
function layoutTrees(
  index: TraceIndex,
  roots: readonly number[],
  baseDepth: number,
  options: LaneOptions,
  keep: Set<number> | null,
  matchedSet: Set<number> | null,
  rows: LayoutRow[],
  rowOf: Map<number, number>,
): void {
  const stack: Array<{ id: number; depth: number }> = [];
  for (let i = roots.length - 1; i >= 0; i--) stack.push({ id: roots[i], depth: baseDepth });
  while (stack.length) {
    const { id, depth } = stack.pop()!;
    if (rowOf.has(id)) continue; // defensive: a malformed parent cycle must not loop forever
    if (keep && !keep.has(id)) continue;
    const lane = index.lanes.get(id)!;
    const kids = keep ? lane.children.filter((c) => keep!.has(c)) : lane.children;
    const collapsed = kids.length > 0 && options.collapsed.has(id);
    rowOf.set(id, rows.length);
    rows.push({
      kind: 'task',
      taskId: id,
      depth,
      hasChildren: kids.length > 0,
      collapsed,
      matched: matchedSet ? matchedSet.has(id) : true,
      hiddenCount: collapsed ? countDescendants(index, id, keep) : 0,
    });
    if (!collapsed) for (let i = kids.length - 1; i >= 0; i--) stack.push({ id: kids[i], depth: depth + 1 });
  }
}

function countDescendants(index: TraceIndex, id: number, keep: Set<number> | null): number {
  let n = 0;
  const stack = [...index.lanes.get(id)!.children];
  const seen = new Set<number>();
  while (stack.length) {
    const c = stack.pop()!;
    if (seen.has(c) || (keep && !keep.has(c))) continue;
    seen.add(c);
    n++;
    stack.push(...index.lanes.get(c)!.children);
  }
  return n;
}

/** Ancestor ids of a task, nearest first (used to expand collapsed parents on reveal). */
export function ancestorsOf(index: TraceIndex, taskId: number): number[] {
  const out: number[] = [];
  const seen = new Set<number>([taskId]);
  let cur = index.lanes.get(taskId)?.task.parentId ?? null;
  while (cur !== null && index.lanes.has(cur) && !seen.has(cur)) {
    seen.add(cur);
    out.push(cur);
    cur = index.lanes.get(cur)!.task.parentId;
  }
  return out;
}
