/**
 * Many similar tasks read as one: the tasks of one definition (the same function, by where it is
 * defined) created by the same parent in the same thread are a *fold* when there are at least
 * `minMembers` of them — a server's 40 `GET /user/:id` handlers, `crawlPage` ×1000 — and every
 * surface shows the fold as one row (count, p50/p95 running and waiting time, first start, last
 * end), expandable to the members: the text timeline, the narration, the accessible table, the
 * viewer. Two of a kind stay two rows (nothing to gain); different parents never merge (the tree
 * says who created what).
 *
 * Pure, O(tasks + segments); percentiles by the nearest-rank rule on each fold's members.
 */
import type { SourceSite, TaskRecord, Trace } from '../protocol/trace';

/** Tasks alike, at least this many, fold by default. */
export const DEFAULT_FOLD_MIN = 3;

export interface Spread {
  p50: number;
  p95: number;
}

export interface TaskFold {
  /** Stable identity of the fold: group, parent, definition (or name when the definition is unknown). */
  key: string;
  /** The members' function name (`handler`, `GET /user/:id`). */
  name: string;
  parentId: number | null;
  group: number;
  definition: SourceSite | null;
  /** Member task ids, in creation order. */
  taskIds: number[];
  /** Per member: time running its own segments, and time suspended, in ms (open ones to the run's end). */
  run: Spread;
  wait: Spread;
  /** The first member's creation and the last moment any member was alive. */
  firstStart: number;
  lastEnd: number;
}

export interface FoldOptions {
  /** Fewer members than this stay separate. Default 3. */
  minMembers?: number;
}

/** The key two tasks share when they fold together. */
export function foldKey(task: TaskRecord): string {
  const d = task.definition;
  const where = d ? `${d.file}:${d.line}:${d.column}` : `?${task.name}`;
  return `${task.group ?? 0}|${task.parentId ?? ''}|${where}|${task.kind}`;
}

/** Nearest-rank percentile of values sorted ascending (`p` in (0, 100]). */
export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return 0;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

/** A task's running and waiting time, and the last moment it was alive. */
export function taskTimes(task: TaskRecord, runEnd: number): { run: number; wait: number; end: number } {
  let run = 0;
  let wait = 0;
  let end = task.created.t;
  for (const s of task.segments) {
    const to = s.end ?? Math.max(runEnd, s.start);
    if (s.state === 'running') run += to - s.start;
    else wait += to - s.start;
    if (to > end) end = to;
  }
  if (task.settled && task.settled.t > end) end = task.settled.t;
  return { run, wait, end };
}

/**
 * The folds of a trace, in the order of their first member. Tasks not in any fold are not listed.
 */
export function taskFolds(trace: Trace, options: FoldOptions = {}): TaskFold[] {
  const min = Math.max(2, options.minMembers ?? DEFAULT_FOLD_MIN);
  const byKey = new Map<string, TaskRecord[]>();
  for (const t of trace.tasks) {
    // A module body is one of a kind, whatever its definition says.
    if (t.kind === 'module') continue;
    const k = foldKey(t);
    let list = byKey.get(k);
    if (!list) byKey.set(k, (list = []));
    list.push(t);
  }
  const folds: TaskFold[] = [];
  for (const [key, members] of byKey) {
    if (members.length < min) continue;
    members.sort((a, b) => a.created.t - b.created.t || a.id - b.id);
    const runs: number[] = [];
    const waits: number[] = [];
    let lastEnd = -Infinity;
    for (const m of members) {
      const x = taskTimes(m, trace.durationMs);
      runs.push(x.run);
      waits.push(x.wait);
      if (x.end > lastEnd) lastEnd = x.end;
    }
    runs.sort((a, b) => a - b);
    waits.sort((a, b) => a - b);
    const first = members[0];
    folds.push({
      key,
      name: first.name,
      parentId: first.parentId,
      group: first.group ?? 0,
      definition: first.definition,
      taskIds: members.map((m) => m.id),
      run: { p50: percentile(runs, 50), p95: percentile(runs, 95) },
      wait: { p50: percentile(waits, 50), p95: percentile(waits, 95) },
      firstStart: first.created.t,
      lastEnd,
    });
  }
  return folds.sort((a, b) => a.firstStart - b.firstStart || a.taskIds[0] - b.taskIds[0]);
}

/** Task id → the fold it belongs to. */
export function foldOfTask(folds: TaskFold[]): Map<number, TaskFold> {
  const out = new Map<number, TaskFold>();
  for (const f of folds) for (const id of f.taskIds) out.set(id, f);
  return out;
}

/** `handler ×40  p50 run 0.2 ms / wait 12 ms` without the durations' formatting choice: the caller's. */
export function foldLabel(fold: TaskFold, format: (ms: number) => string): string {
  return `${fold.name} ×${fold.taskIds.length}  p50 run ${format(fold.run.p50)} / wait ${format(fold.wait.p50)}`;
}
