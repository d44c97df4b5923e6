import type { Combinator, SettleState, SourceSite, SuspendKind, WaitTarget } from '../../protocol/trace';
import { groupOfTask } from './laneGroups';
import type { TraceIndex } from './traceIndex';

/** One suspension of a task, as the details pane and tooltips tell it. */
export interface SuspensionFact {
  segIndex: number;
  site: SourceSite | null;
  kind: SuspendKind;
  start: number;
  /** null when the task never resumed. */
  duration: number | null;
  awaits: Array<{ id: number; name: string }>;
  combinator: Combinator | null;
  /** Python: what it waited on when that was no task (a sleep, a queue…). */
  waitsFor: WaitTarget | null;
  resumedBy: { id: number; name: string } | null;
  threw: boolean;
}

/** Everything the details pane says about one task. */
export interface TaskDetails {
  id: number;
  name: string;
  /** Python: asyncio's own name for the task (`Task-3`, or the `name=` it was given). */
  taskName?: string;
  kind: string;
  parent: { id: number; name: string } | null;
  definition: SourceSite | null;
  createdAt: number;
  createdSite: SourceSite | null;
  outcome: SettleState | 'pending';
  settledAt: number | null;
  /** What a rejected task raised, when the trace says (Python: `ValueError: boom`). */
  error?: string;
  /** Creation to settle (or to the end of the trace when pending). */
  lifetime: number;
  running: number;
  suspended: number;
  suspensions: SuspensionFact[];
  children: number;
  callbacks: number;
  /** The thread/process it ran on (its group's label), only when the trace has several. */
  group?: string;
}

/** Facts about one task for the details pane, tooltips and the accessible table; null if unknown. */
export function describeTask(index: TraceIndex, taskId: number): TaskDetails | null {
  const lane = index.lanes.get(taskId);
  if (!lane) return null;
  const task = lane.task;
  const named = (id: number): { id: number; name: string } => ({
    id,
    name: index.lanes.get(id)?.task.name ?? `task ${id}`,
  });
  let running = 0;
  let suspended = 0;
  const suspensions: SuspensionFact[] = [];
  task.segments.forEach((s, i) => {
    const dur = lane.ends[i] - lane.starts[i];
    if (s.state === 'running') {
      running += dur;
      return;
    }
    suspended += dur;
    suspensions.push({
      segIndex: i,
      site: s.site,
      kind: s.kind,
      start: s.start,
      duration: s.end === null ? null : dur,
      awaits: s.awaits.map(named),
      combinator: s.combinator ?? null,
      waitsFor: s.waitsFor ?? null,
      resumedBy: s.resumedBy != null ? named(s.resumedBy) : null,
      threw: s.threw === true,
    });
  });
  const parent = task.parentId !== null && index.lanes.has(task.parentId) ? named(task.parentId) : null;
  const group = groupOfTask(index.groups, task);
  return {
    id: task.id,
    name: task.name,
    ...(task.taskName ? { taskName: task.taskName } : {}),
    kind: task.kind,
    parent,
    definition: task.definition,
    createdAt: task.created.t,
    createdSite: task.created.site,
    outcome: task.settled ? task.settled.state : 'pending',
    settledAt: task.settled ? task.settled.t : null,
    ...(task.settled?.state === 'rejected' && task.settled.error ? { error: task.settled.error } : {}),
    lifetime: lane.end - task.created.t,
    running,
    suspended,
    suspensions,
    children: lane.children.length,
    callbacks: index.callbacksByTask.get(taskId)?.length ?? 0,
    ...(group ? { group: group.group.label } : {}),
  };
}

/** "file:line:column", or a dash when the site is unknown. */
export function formatSite(site: SourceSite | null | undefined): string {
  return site ? `${site.file}:${site.line}:${site.column}` : '—';
}

/** Short form for lane labels: just the file's base name and line. */
export function formatSiteShort(site: SourceSite | null | undefined): string {
  if (!site) return '';
  const slash = site.file.lastIndexOf('/');
  return `${slash >= 0 ? site.file.slice(slash + 1) : site.file}:${site.line}`;
}

/** `worker (#3)`, with asyncio's own name when it says more: `worker (#3, Task-3)`. */
export function taskTitle(t: { id: number; name: string; taskName?: string }): string {
  return t.taskName && t.taskName !== t.name ? `${t.name} (#${t.id}, ${t.taskName})` : `${t.name} (#${t.id})`;
}

/** The first line of an error, for one-line places (a table cell, a tooltip row). */
export function errorLine(error: string | undefined): string | undefined {
  const line = error?.split('\n')[0].trim();
  return line ? line : undefined;
}
