import type { TaskRecord, Trace, TraceGroup } from '../../protocol/trace';
import { formatDuration, formatTimestamp } from '../duration';

/**
 * Threads and processes as the viewer groups them. A trace with `groups` holding more than one
 * entry (worker threads, or the processes of a command run) draws each event loop's lanes under a
 * header row of its own; a single-thread trace has no headers at all and looks as it always did.
 */
export interface GroupNode {
  group: TraceGroup;
  /** Nesting under the group that started it (main = 0, its workers = 1, …). */
  depth: number;
  /** Child groups, in display order (by start time, then id). */
  children: number[];
  /** The group's root tasks (no parent on the same event loop), in creation order. */
  roots: number[];
  /** How many tasks ran on this event loop. */
  taskCount: number;
}

export interface GroupIndex {
  /** Every group in display order: the main group first, each parent before its children (pre-order). */
  order: GroupNode[];
  byId: Map<number, GroupNode>;
}

/** The group a task ran on (absent = 0, the main thread). */
export function groupIdOf(task: TaskRecord): number {
  return task.group ?? 0;
}

/**
 * Orders a trace's groups for display, or null when there is nothing to group (no `groups`, or
 * only one). `roots` are the trace's root tasks in creation order; they are dealt to their groups.
 * A group whose parent is unknown (or a cycle) hangs at the top level, after the first group.
 * Tasks naming a group the trace does not list fall in the first group rather than vanish.
 */
export function indexGroups(
  trace: Trace,
  roots: readonly number[],
  taskById: (id: number) => TaskRecord | undefined,
): GroupIndex | null {
  const groups = trace.groups;
  if (!groups || groups.length < 2) return null;
  const byId = new Map<number, GroupNode>();
  for (const g of groups)
    if (!byId.has(g.id)) byId.set(g.id, { group: g, depth: 0, children: [], roots: [], taskCount: 0 });
  const first = byId.has(0) ? 0 : groups[0].id;
  const nodeOf = (task: TaskRecord) => byId.get(groupIdOf(task)) ?? byId.get(first)!;
  for (const t of trace.tasks) nodeOf(t).taskCount++;
  for (const id of roots) {
    const t = taskById(id);
    if (t) nodeOf(t).roots.push(id);
  }
  const byStart = (a: GroupNode, b: GroupNode) =>
    a.group.started - b.group.started || a.group.id - b.group.id;
  const tops: GroupNode[] = [];
  for (const n of byId.values()) {
    const p = n.group.parentGroup;
    // Walk up to make sure the parent chain ends at a top group (a malformed cycle must not hide groups).
    let ok = p !== null && p !== n.group.id && byId.has(p);
    if (ok) {
      const seen = new Set<number>([n.group.id]);
      let cur: number | null = p;
      while (cur !== null && byId.has(cur)) {
        if (seen.has(cur)) {
          ok = false;
          break;
        }
        seen.add(cur);
        cur = byId.get(cur)!.group.parentGroup;
      }
    }
    if (ok) byId.get(p!)!.children.push(n.group.id);
    else tops.push(n);
  }
  for (const n of byId.values()) n.children.sort((a, b) => byStart(byId.get(a)!, byId.get(b)!));
  // The main group leads even when a malformed trace says another started first.
  tops.sort((a, b) => Number(b.group.id === first) - Number(a.group.id === first) || byStart(a, b));
  const order: GroupNode[] = [];
  const stack = tops.reverse().map((n) => ({ n, depth: 0 }));
  while (stack.length) {
    const { n, depth } = stack.pop()!;
    n.depth = depth;
    order.push(n);
    for (let i = n.children.length - 1; i >= 0; i--)
      stack.push({ n: byId.get(n.children[i])!, depth: depth + 1 });
  }
  return { order, byId };
}

/** `thread` or `process`: what a group is called in one word (table column, tooltip row). */
export function groupNoun(group: TraceGroup): string {
  return group.kind === 'process' ? 'process' : 'thread';
}

/** The muted text after a header's label: `worker · pid 4242 · thread 2 · 0 ms – 1.20 s`. */
export function groupSummary(group: TraceGroup): string {
  const parts: string[] = [group.kind, `pid ${group.pid}`];
  if (group.threadId) parts.push(`thread ${group.threadId}`);
  parts.push(
    // A glance, not a measurement: three significant digits (the header's tooltip has the exact times).
    `${formatDuration(group.started)} – ${group.ended === null ? 'end' : formatDuration(group.ended)}`,
  );
  return parts.join(' · ');
}

/** The tooltip rows of a group header. */
export function groupFacts(node: GroupNode, parent: TraceGroup | null): Array<[string, string]> {
  const g = node.group;
  const rows: Array<[string, string]> = [
    ['kind', g.kind === 'main' ? 'main thread' : g.kind === 'worker' ? 'worker thread' : 'process'],
    ['pid', String(g.pid)],
  ];
  if (g.kind !== 'process' || g.threadId) rows.push(['thread id', String(g.threadId)]);
  if (g.entry) rows.push(['entry', g.entry]);
  if (g.command) rows.push(['command', g.command]);
  if (parent) rows.push(['started by', parent.label]);
  rows.push(['started', formatTimestamp(g.started)]);
  rows.push(['ended', g.ended === null ? 'still running at the end of the trace' : formatTimestamp(g.ended)]);
  rows.push(['tasks', String(node.taskCount)]);
  return rows;
}

/** The group a task ran on, or null when the trace is not grouped (one event loop). */
export function groupOfTask(groups: GroupIndex | null, task: TaskRecord): GroupNode | null {
  if (!groups) return null;
  return groups.byId.get(groupIdOf(task)) ?? groups.order[0];
}
