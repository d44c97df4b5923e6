import { formatDuration, formatTimestamp } from '../duration';
import { callbackLabel, combinatorLabel, waitTargetLabel } from '../waitLabels';
import { errorLine, formatSite, taskTitle } from './taskDetails';
import { isBlocking, type TraceIndex } from './traceIndex';
import type { Hit } from './hitTest';
import type { SourceSite, TaskRecord } from '../../protocol/trace';
import { groupFacts, groupNoun, groupOfTask } from './laneGroups';

/** A tooltip: a title line and label/value pairs, all plain text. */
export interface HoverFacts {
  title: string;
  rows: Array<[string, string]>;
  /** The source site a click on this spot opens. */
  site: SourceSite | null;
}

/**
 * The tooltip for whatever is under the pointer: task, state, start, duration, the await site
 * and what it waited on (and who woke it), or a callback / output line. Null for empty space.
 */
export function hoverFacts(index: TraceIndex, hit: Hit): HoverFacts | null {
  if (hit.area === 'axis') {
    if (hit.outputIndex === null) return null;
    const o = index.trace.output[hit.outputIndex];
    return {
      title: o.stream === 'stderr' ? 'stderr' : 'stdout',
      rows: [
        ['at', formatTimestamp(o.t)],
        ['text', clip(o.text.replace(/\n$/, ''), 300)],
      ],
      site: null,
    };
  }
  if (hit.area === 'group') {
    const node = index.groups?.byId.get(hit.groupId);
    if (!node) return null;
    const parentId = node.group.parentGroup;
    const parent = parentId !== null ? (index.groups!.byId.get(parentId)?.group ?? null) : null;
    return { title: node.group.label, rows: groupFacts(node, parent), site: null };
  }
  if (hit.area === 'gutter') {
    const lane = index.lanes.get(hit.taskId)!;
    const t = lane.task;
    const outcome = t.settled ? `${t.settled.state} at ${formatTimestamp(t.settled.t)}` : 'pending at exit';
    const error = t.settled?.state === 'rejected' ? errorLine(t.settled.error) : undefined;
    return {
      title: taskTitle(t),
      rows: [
        ['kind', t.kind],
        ['created', `${formatTimestamp(t.created.t)} at ${formatSite(t.created.site)}`],
        ['defined', formatSite(t.definition)],
        ['outcome', outcome],
        ...(error ? [['raised', error] as [string, string]] : []),
        ...groupRow(index, t),
      ],
      site: t.created.site ?? t.definition,
    };
  }
  if (hit.area !== 'lane') return null;
  const lane = index.lanes.get(hit.taskId)!;
  const task = lane.task;
  if (hit.callback) {
    const c = hit.callback;
    return {
      title: `${callbackLabel(c.kind)} on ${task.name}`,
      rows: [
        ['ran at', formatTimestamp(c.t)],
        ['site', formatSite(c.site)],
      ],
      site: c.site,
    };
  }
  if (hit.segIndex < 0) return null;
  const seg = task.segments[hit.segIndex];
  const start = lane.starts[hit.segIndex];
  const end = lane.ends[hit.segIndex];
  const name = (id: number): string => index.lanes.get(id)?.task.name ?? `task ${id}`;
  const rows: Array<[string, string]> = [];
  let state: string;
  if (seg.state === 'running') {
    state = isBlocking(index, task.id, hit.segIndex) ? 'running — blocking the event loop' : 'running';
  } else {
    state =
      seg.kind === 'scheduled'
        ? seg.end === null
          ? 'scheduled: created, never run by the event loop'
          : 'scheduled: created, waiting for the event loop to run it'
        : seg.end === null
          ? `suspended at ${seg.kind} (never resumed)`
          : `suspended at ${seg.kind}`;
  }
  rows.push(['state', state]);
  rows.push(['start', formatTimestamp(start)]);
  rows.push([
    'duration',
    seg.end === null ? `${formatDuration(end - start)} so far` : formatDuration(end - start),
  ]);
  if (seg.state === 'suspended') {
    if (seg.kind === 'scheduled') {
      rows.push(['created at', formatSite(seg.site)]);
    } else {
      rows.push([seg.kind === 'yield' ? 'yield site' : 'await site', formatSite(seg.site)]);
      if (seg.awaits.length) {
        const list =
          seg.awaits.slice(0, 8).map(name).join(', ') +
          (seg.awaits.length > 8 ? `, … (${seg.awaits.length})` : '');
        rows.push(['waited on', seg.combinator ? `${combinatorLabel(seg.combinator)}(${list})` : list]);
      } else if (seg.waitsFor) {
        rows.push(['waited on', waitTargetLabel(seg.waitsFor)]);
      } else {
        rows.push([
          'waited on',
          index.trace.language === 'python' ? 'an asyncio future' : 'a promise from uninstrumented code (timer, I/O, …)',
        ]);
      }
    }
    // Woken by a task it awaited (that task settled), or by one that released a lock, set an
    // event, put into a queue… (Python primitives: the waker is no member of `awaits`).
    if (seg.resumedBy != null)
      rows.push(['woken by', seg.awaits.includes(seg.resumedBy) ? `${name(seg.resumedBy)} settling` : name(seg.resumedBy)]);
    if (seg.threw)
      rows.push([
        'resumed',
        index.trace.language === 'python'
          ? 'by throwing (the awaited task failed, or this one was cancelled)'
          : 'by throwing (the awaited promise rejected)',
      ]);
  }
  // The last stretch of a task that raised says what it raised.
  if (hit.segIndex === task.segments.length - 1 && task.settled?.state === 'rejected' && errorLine(task.settled.error))
    rows.push(['raised', errorLine(task.settled.error)!]);
  rows.push(...groupRow(index, task));
  return { title: taskTitle(task), rows, site: siteOfSegment(index, hit.taskId, hit.segIndex) };
}

/** `thread: worker 2 (pool.ts)`: which event loop ran the task, only in traces with several. */
function groupRow(index: TraceIndex, task: TaskRecord): Array<[string, string]> {
  const node = groupOfTask(index.groups, task);
  return node ? [[groupNoun(node.group), node.group.label]] : [];
}

/**
 * The source line a segment stands for: a suspension's own await/yield site; a running segment's
 * site is where it resumed (the previous suspension), or the creation call for the first one.
 */
export function siteOfSegment(index: TraceIndex, taskId: number, segIndex: number): SourceSite | null {
  const task = index.lanes.get(taskId)?.task;
  if (!task) return null;
  for (let i = Math.min(segIndex, task.segments.length - 1); i >= 0; i--) {
    const s = task.segments[i];
    if (s.state === 'suspended' && s.site) return s.site;
  }
  return task.created.site ?? task.definition;
}

function clip(s: string, n: number): string {
  return s.length > n ? s.slice(0, n) + '…' : s;
}
