/**
 * The sentence for a piece of running: how the task came to run (started, resumed and by whom,
 * back after a call), what it did (scheduled tasks, printed), how the piece ended (parked at an
 * await and on what, finished, still running). Only recorded facts: a waker the trace does not
 * name is said to be unknown.
 */
import type { SuspendedSegment, TaskRecord } from '../../protocol/trace';
import { combinatorLabel, waitTargetLabel } from '../waitLabels';
import { formatDuration } from '../textTimeline';
import type { RunPiece } from '../runPieces';
import type { NarrationContext } from './context';

/** What ran just before a piece in the same group, when it matters (a callback may have woken it). */
export interface Before {
  callback?: { kind: string; taskId: number; site: string };
}

function list(names: string[]): string {
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

/** `worker1`, `Promise.all of crawlPage ×4`, `asyncio.gather of a, b`. */
export function awaitedTasks(s: SuspendedSegment, ctx: NarrationContext): string {
  const names = s.awaits.map((id) => ctx.name(id));
  const distinct = new Set(s.awaits.map((id) => ctx.tasks.get(id)?.name ?? `#${id}`));
  const members =
    distinct.size === 1 && names.length > 2 ? `${[...distinct][0]} ×${names.length}` : list(names);
  return s.combinator ? `${combinatorLabel(s.combinator)} of ${members}` : members;
}

/** What a suspension waits on, as the object of "awaiting …". */
export function waitObject(s: SuspendedSegment, ctx: NarrationContext): string {
  if (s.awaits.length) return awaitedTasks(s, ctx);
  if (s.waitsFor) return waitTargetLabel(s.waitsFor);
  return ctx.python ? 'a future' : "a promise that is no task's";
}

/** How a task that was suspended at `s` came to run again. */
function wokenBy(task: TaskRecord, s: SuspendedSegment, ctx: NarrationContext, before: Before): string {
  const how = s.threw ? ' — it resumes by throwing (what it awaited failed)' : '';
  const by = s.resumedBy;
  if (by != null) {
    const waker = ctx.tasks.get(by);
    if (s.awaits.includes(by) && waker?.settled && s.end !== null && waker.settled.t <= s.end) {
      const verb =
        waker.settled.state === 'fulfilled'
          ? 'finishing'
          : waker.settled.state === 'rejected'
            ? 'rejecting'
            : 'being cancelled';
      const ties = s.awaits.filter((id) => id !== by && ctx.tasks.get(id)?.settled?.t === waker.settled!.t);
      const tie = ties.length ? `; ${list(ties.map((id) => ctx.name(id)))} settled at the same moment` : '';
      // A task that rejected or was cancelled already says why the await throws.
      return `woken by ${ctx.name(by)} ${verb}${tie}${waker.settled.state === 'fulfilled' ? how : ''}`;
    }
    return `woken by ${ctx.name(by)} (its code resolved what ${ctx.name(task.id)} awaited)${how}`;
  }
  if (s.awaits.length) return `woken with no waker recorded (it awaited ${awaitedTasks(s, ctx)})${how}`;
  const after = before.callback
    ? `; right before, the ${before.callback.kind} on ${ctx.name(before.callback.taskId)} (${before.callback.site}) ran`
    : '';
  if (s.waitsFor) {
    const what = waitTargetLabel(s.waitsFor).replace(/^an? /, 'its ');
    return `when ${what} ${s.waitsFor === 'sleep' || s.waitsFor === 'timeout' ? 'was over' : 'was ready'} (no task woke it)${after}${how}`;
  }
  return `woken by no task (a timer, I/O or a promise settled outside tasks: the trace does not say which)${after}${how}`;
}

/** The opening clause of a piece, and the site it is about. */
export function beginClause(piece: RunPiece, ctx: NarrationContext, before: Before): string {
  const { task, seg } = piece;
  const me = ctx.name(task.id);
  if (!piece.first) return `back in ${me}`;
  const prev = task.segments[seg - 1];
  if (prev && prev.state === 'suspended' && prev.kind !== 'scheduled')
    return `${me} resumes at ${ctx.where(prev.site)}, ${wokenBy(task, prev, ctx, before)}`;
  const from = task.created.site ? `at ${ctx.where(task.created.site)}` : 'from the event loop';
  const parent = task.parentId !== null ? ctx.tasks.get(task.parentId) : undefined;
  if (prev && prev.state === 'suspended') {
    // Python: create_task only scheduled it; the loop runs it when it gets to it.
    const waited = formatDuration(piece.start - task.created.t);
    const by = parent ? ` by ${ctx.name(parent.id)}` : '';
    return `the loop runs ${me} for the first time (scheduled${by} ${from}, ${waited} earlier)`;
  }
  if (parent) {
    const eager = ctx.python
      ? `it runs at once, inside ${ctx.name(parent.id)}'s turn`
      : `JavaScript runs it at once, up to its first await, before ${ctx.name(parent.id)} goes on (eager start)`;
    return `${ctx.name(parent.id)} calls ${task.name}() ${from}: ${eager}`;
  }
  return `${me} starts (${task.created.site ? `called ${from} by top-level code` : 'started by the event loop'})`;
}

/** The closing clause of a piece: where it parked, or how the task ended. Empty for a piece cut by a call. */
export function endClause(piece: RunPiece, ctx: NarrationContext): string {
  if (!piece.last) return '';
  const { task, seg } = piece;
  if (piece.open) return 'is still running when the run ends';
  const next = task.segments[seg + 1];
  if (next && next.state === 'suspended') {
    const at = ctx.where(next.site);
    switch (next.kind) {
      case 'yield':
        return `yields a value at ${at} and waits for its consumer`;
      case 'adopt':
        return `returns at ${at} and takes on the outcome of ${waitObject(next, ctx)}`;
      case 'for-await':
        return `waits at the for await at ${at} on ${waitObject(next, ctx)}`;
      default:
        return `parks at ${at} awaiting ${waitObject(next, ctx)}`;
    }
  }
  if (next) return '';
  const settled = task.settled;
  if (!settled) return 'stops here: nothing later is recorded (the trace ends)';
  if (settled.state === 'fulfilled') return 'finishes (fulfilled)';
  if (settled.state === 'cancelled') return 'is cancelled';
  return `rejects${settled.error ? ` (${settled.error.split('\n')[0]})` : ''}`;
}

/** `schedules worker_1 (L24) and worker_2 (L25)`, `schedules crawl_page ×4 (L17)`. */
export function scheduledClause(children: TaskRecord[], ctx: NarrationContext): string {
  if (!children.length) return '';
  const groups = new Map<string, TaskRecord[]>();
  for (const c of children) {
    const key = `${c.name}@${ctx.where(c.created.site)}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = []));
    g.push(c);
  }
  const parts = [...groups.values()].map((g) =>
    g.length === 1
      ? `${ctx.name(g[0].id)} (${ctx.where(g[0].created.site)})`
      : `${g[0].name} ×${g.length} (${ctx.where(g[0].created.site)})`,
  );
  return `schedules ${list(parts)}`;
}

/** `prints 1 line`, `prints 3 lines`. */
export function printsClause(lines: number): string {
  return lines ? `prints ${lines} line${lines === 1 ? '' : 's'}` : '';
}

/** Joins clauses into one sentence: `a, b, and c.` */
export function sentence(first: string, rest: string[]): string {
  const parts = rest.filter(Boolean);
  if (!parts.length) return `${first}.`;
  if (parts.length === 1) return `${first}, and ${parts[0]}.`;
  return `${first}, ${parts.slice(0, -1).join(', ')}, and ${parts[parts.length - 1]}.`;
}
