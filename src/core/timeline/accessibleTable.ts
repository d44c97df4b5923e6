import type { LaneLayout } from './laneTree';
import { formatDuration, formatTimestamp } from '../duration';
import { describeTask, errorLine, formatSite, taskTitle } from './taskDetails';
import type { TraceIndex } from './traceIndex';
import { foldOfTask, taskFolds, type TaskFold } from '../taskFolds';
import { waitTargetLabel } from '../waitLabels';

/** Column headers of the accessible task table. */
export const TABLE_COLUMNS = [
  'Task',
  'Created by',
  'Created',
  'Outcome',
  'Running',
  'Suspended',
  'Waits',
] as const;

/** The column a grouped trace (several threads/processes) adds at the end: where the task ran. */
export const GROUP_COLUMN = 'Thread / process';

/** The table's columns for this trace: single-thread traces keep exactly {@link TABLE_COLUMNS}. */
export function tableColumns(index: TraceIndex): readonly string[] {
  return index.groups ? [...TABLE_COLUMNS, GROUP_COLUMN] : TABLE_COLUMNS;
}

/** One row of the accessible table: plain strings, so the DOM side only ever sets textContent. */
export interface TableRow {
  /** The task of the row; a fold's header row carries its first member. */
  taskId: number;
  depth: number;
  cells: string[];
  /** A fold's header row (`core/taskFolds.ts`): the member ids, its members' rows follow one level in. */
  foldMembers?: number[];
}

/** The header row of a fold: what a screen reader hears before the members. */
function foldRow(index: TraceIndex, fold: TaskFold, depth: number): TableRow {
  const ids = fold.taskIds;
  const outcomes = new Map<string, number>();
  for (const id of ids) {
    const state = index.lanes.get(id)?.task.settled?.state ?? 'pending';
    outcomes.set(state, (outcomes.get(state) ?? 0) + 1);
  }
  const parent = fold.parentId !== null ? index.lanes.get(fold.parentId)?.task : undefined;
  const group = index.groups?.byId.get(fold.group)?.group.label;
  const spread = (x: { p50: number; p95: number }) =>
    `p50 ${formatDuration(x.p50)}, p95 ${formatDuration(x.p95)}`;
  return {
    taskId: ids[0],
    depth,
    foldMembers: ids,
    cells: [
      `${fold.name} ×${ids.length} (one function, one creator: its ${ids.length} tasks follow)`,
      parent ? `${parent.name} (#${parent.id})` : 'top level',
      `${formatTimestamp(fold.firstStart)} to ${formatTimestamp(fold.lastEnd)}`,
      [...outcomes].map(([state, n]) => `${n} ${state === 'pending' ? 'pending at exit' : state}`).join(', '),
      spread(fold.run),
      spread(fold.wait),
      `members #${ids.slice(0, 8).join(', #')}${ids.length > 8 ? `, … ${ids.length - 8} more` : ''}`,
      ...(index.groups ? [group ?? ''] : []),
    ],
  };
}

/** The row of one task. */
function taskRow(index: TraceIndex, taskId: number, depth: number): TableRow | null {
  const d = describeTask(index, taskId);
  if (!d) return null;
  const outcome =
    d.outcome === 'pending'
      ? 'pending at exit'
      : `${d.outcome} at ${formatTimestamp(d.settledAt ?? 0)}${errorLine(d.error) ? `: ${errorLine(d.error)}` : ''}`;
  let waits = 'none';
  // Python: the wait for the loop's first step is said apart (it is no await of the task's own).
  const scheduled = d.suspensions.find((s) => s.kind === 'scheduled');
  const own = scheduled ? d.suspensions.filter((s) => s !== scheduled) : d.suspensions;
  if (own.length) {
    let longest = own[0];
    for (const s of own) if ((s.duration ?? Infinity) > (longest.duration ?? Infinity)) longest = s;
    const on = longest.awaits.length
      ? ` on ${longest.awaits.map((a) => a.name).join(', ')}`
      : longest.waitsFor
        ? ` on ${waitTargetLabel(longest.waitsFor)}`
        : '';
    const dur = longest.duration === null ? 'never resumed' : formatDuration(longest.duration);
    waits = `${own.length}; longest ${dur} at ${formatSite(longest.site)}${on}`;
  }
  if (scheduled) {
    const first =
      scheduled.duration === null
        ? 'never run'
        : `scheduled ${formatDuration(scheduled.duration)} before its first run`;
    waits = own.length ? `${first}; ${waits}` : first;
  }
  return {
    taskId: d.id,
    depth,
    cells: [
      taskTitle(d),
      d.parent ? `${d.parent.name} (#${d.parent.id})` : 'top level',
      `${formatTimestamp(d.createdAt)} at ${formatSite(d.createdSite)}`,
      outcome,
      formatDuration(d.running),
      formatDuration(d.suspended),
      waits,
      ...(d.group ? [d.group] : []),
    ],
  };
}

/**
 * The same facts as the canvas, as table rows in lane order: a screen reader user reads who
 * created each task, when and where, how it ended, and where it waited longest.
 * `limit` caps the row count (the DOM cost of 10,000 rows is not worth paying on every update).
 */
export function buildTableRows(
  index: TraceIndex,
  layout: LaneLayout,
  limit = Infinity,
  folds: TaskFold[] = taskFolds(index.trace),
): TableRow[] {
  const rows: TableRow[] = [];
  // Many tasks of one function and one creator: a header row before the first, the members one level in.
  const foldOf = foldOfTask(folds);
  const headed = new Set<TaskFold>();
  for (const r of layout.rows) {
    if (rows.length >= limit) break;
    if (r.kind !== 'task') continue; // a thread's header: said by the group column of each of its rows
    const fold = foldOf.get(r.taskId);
    if (fold && !headed.has(fold)) {
      headed.add(fold);
      rows.push(foldRow(index, fold, r.depth));
    }
    // A folded fold's row stands for all its members: the table lists them all (one level in).
    const ids = r.fold && r.collapsed ? r.fold.memberIds : [r.taskId];
    for (const id of ids) {
      if (rows.length >= limit) break;
      const row = taskRow(index, id, r.depth + (fold ? 1 : 0));
      if (row) rows.push(row);
    }
  }
  return rows;
}
