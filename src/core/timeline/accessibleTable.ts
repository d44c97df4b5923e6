import type { LaneLayout } from './laneTree';
import { formatDuration, formatTimestamp } from '../duration';
import { describeTask, errorLine, formatSite, taskTitle } from './taskDetails';
import type { TraceIndex } from './traceIndex';
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
  taskId: number;
  depth: number;
  cells: string[];
}

/**
 * The same facts as the canvas, as table rows in lane order: a screen reader user reads who
 * created each task, when and where, how it ended, and where it waited longest.
 * `limit` caps the row count (the DOM cost of 10,000 rows is not worth paying on every update).
 */
export function buildTableRows(index: TraceIndex, layout: LaneLayout, limit = Infinity): TableRow[] {
  const rows: TableRow[] = [];
  for (const r of layout.rows) {
    if (rows.length >= limit) break;
    if (r.kind !== 'task') continue; // a thread's header: said by the group column of each of its rows
    const d = describeTask(index, r.taskId);
    if (!d) continue;
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
      const first = scheduled.duration === null ? 'never run' : `scheduled ${formatDuration(scheduled.duration)} before its first run`;
      waits = own.length ? `${first}; ${waits}` : first;
    }
    rows.push({
      taskId: d.id,
      depth: r.depth,
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
    });
  }
  return rows;
}
