import type { LaneLayout } from './laneTree';
import type { TraceIndex } from './traceIndex';

/** Where an await edge to a task lands: the task's own row, or the row it is folded into. */
export interface EdgeEndpoint {
  row: number;
  /** True when the task's lane is hidden inside a collapsed ancestor and `row` is that ancestor's. */
  folded: boolean;
}

/**
 * Resolves await-edge endpoints for one layout. A task with a row of its own lands there; a task
 * whose lane is collapsed into an ancestor lands on the nearest visible ancestor, provided that
 * ancestor is collapsed (so "main waits on worker1" survives folding worker1's subtree). A task
 * hidden for another reason (the filter) has no endpoint: pointing at an unrelated ancestor would
 * say something the trace does not.
 *
 * The returned function memoises every task it walks through, so a frame full of edges into one
 * deep folded subtree costs one walk per task, not one per edge; cycles in malformed parent links
 * end the walk instead of looping.
 */
export function edgeEndpointResolver(
  index: TraceIndex,
  layout: LaneLayout,
): (taskId: number) => EdgeEndpoint | null {
  const memo = new Map<number, EdgeEndpoint | null>();
  return (taskId) => {
    const own = layout.rowOf.get(taskId);
    if (own !== undefined) return { row: own, folded: false };
    if (!index.lanes.has(taskId)) return null;
    const known = memo.get(taskId);
    if (known !== undefined) return known;
    const path: number[] = [];
    const seen = new Set<number>();
    let cur: number | null = taskId;
    let found: EdgeEndpoint | null = null;
    while (cur !== null && !seen.has(cur)) {
      seen.add(cur);
      const row = layout.rowOf.get(cur);
      if (row !== undefined) {
        found = layout.rows[row].collapsed ? { row, folded: true } : null;
        break;
      }
      const m = memo.get(cur);
      if (m !== undefined) {
        found = m;
        break;
      }
      path.push(cur);
      const parent: number | null = index.lanes.get(cur)?.task.parentId ?? null;
      cur = parent !== null && index.lanes.has(parent) ? parent : null;
    }
    for (const id of path) memo.set(id, found);
    return found;
  };
}
