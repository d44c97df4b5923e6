import type { TraceIndex } from './traceIndex';

/** One visible row of the timeline: a task's lane at some depth of the creator tree. */
export interface LaneRow {
  taskId: number;
  depth: number;
  hasChildren: boolean;
  collapsed: boolean;
  /** False for ancestors kept only so a filtered match keeps its place in the tree. */
  matched: boolean;
  /** Number of descendants hidden by collapsing this row (for the "+N" badge). */
  hiddenCount: number;
}

export interface LaneLayout {
  rows: LaneRow[];
  /** Row index of each visible task. */
  rowOf: Map<number, number>;
}

export interface LaneOptions {
  /** Tasks whose subtrees are folded. */
  collapsed: ReadonlySet<number>;
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
 * With a filter, matching tasks stay visible together with their ancestors.
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

  const rows: LaneRow[] = [];
  const rowOf = new Map<number, number>();
  const stack: Array<{ id: number; depth: number }> = [];
  for (let i = index.roots.length - 1; i >= 0; i--) stack.push({ id: index.roots[i], depth: 0 });
  while (stack.length) {
    const { id, depth } = stack.pop()!;
    if (rowOf.has(id)) continue; // defensive: a malformed parent cycle must not loop forever
    if (keep && !keep.has(id)) continue;
    const lane = index.lanes.get(id)!;
    const kids = keep ? lane.children.filter((c) => keep!.has(c)) : lane.children;
    const collapsed = kids.length > 0 && options.collapsed.has(id);
    rowOf.set(id, rows.length);
    rows.push({
      taskId: id,
      depth,
      hasChildren: kids.length > 0,
      collapsed,
      matched: matchedSet ? matchedSet.has(id) : true,
      hiddenCount: collapsed ? countDescendants(index, id, keep) : 0,
    });
    if (!collapsed) for (let i = kids.length - 1; i >= 0; i--) stack.push({ id: kids[i], depth: depth + 1 });
  }
  return { rows, rowOf };
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
