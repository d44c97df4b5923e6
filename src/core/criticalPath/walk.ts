/**
 * The exact critical path: from the end of the run (or of one task) walk back through what each
 * stretch was waiting on, using only recorded edges:
 *
 * - a running segment is on the path, cut into who really ran (`runPieces`: a JavaScript callee
 *   running inside its caller is the callee's time);
 * - a suspension woken by a task (`resumedBy`: the awaited task that settled last, or the task whose
 *   code resolved the awaited promise) hands the path to that task at the moment it settled (or
 *   last ran); the waiter's wait from then to its resume stays on the path (the hand-over);
 * - a suspension on no task (a timer, a sleep, I/O, a lock) or with no recorded waker is on the path
 *   whole, and says so (`promise`, `target`, `unknown`);
 * - a Python `scheduled` wait is on the path whole; before it, and before any task's first run,
 *   the path goes on in the task that created it, at the moment it did.
 *
 * The walk only goes back in time, visiting each segment at most once: O(segments + log) per jump.
 */
import type { CriticalStep, CriticalWait, SuspendedSegment, TaskRecord, Trace } from '../../protocol/trace';
import { FIRST, isCreationMark, pieceTables, type PieceTable } from '../runPieces';

export interface CriticalPathOptions {
  /** Walk back from the end of this task instead of the end of the run. */
  taskId?: number;
}

/** The index of the segment of `task` that holds time `x`, preferring a running one on a boundary. */
function segmentAt(task: TaskRecord, x: number): number {
  const segs = task.segments;
  let lo = 0;
  let hi = segs.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (segs[mid].start <= x) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  // A segment that begins exactly at x did not hold x yet when the previous one ended there.
  while (found > 0 && segs[found].start === x && segs[found - 1].end === x && segs[found].state !== 'running')
    found--;
  return found;
}

/** When a task's life on the run ends: its settling, the run's end while it runs, or its last recorded moment. */
function lastMoment(task: TaskRecord, trace: Trace): number {
  if (task.settled) return task.settled.t;
  const last = task.segments[task.segments.length - 1];
  if (!last) return task.created.t;
  if (last.end !== null) return last.end;
  return last.state === 'running' ? Math.max(trace.durationMs, last.start) : last.start;
}

/** The task whose end the whole run waited for: the one whose life ends last (the lowest id on a tie). */
export function endTask(trace: Trace): TaskRecord | undefined {
  let best: TaskRecord | undefined;
  let bestT = -Infinity;
  for (const t of trace.tasks) {
    const m = lastMoment(t, trace);
    if (m > bestT) {
      best = t;
      bestT = m;
    }
  }
  return best;
}

function leafWait(s: SuspendedSegment): CriticalWait {
  if (s.awaits.length)
    return { kind: 'unknown', taskIds: [...s.awaits], ...(s.combinator ? { combinator: s.combinator } : {}) };
  if (s.waitsFor) return { kind: 'target', taskIds: [], target: s.waitsFor };
  return { kind: 'promise', taskIds: [] };
}

/** The index of the latest piece of a group that starts before `to` (or is an instant at `to`). */
function lastPieceBefore(t: PieceTable, to: number): number {
  let lo = 0;
  let hi = t.length - 1;
  let at = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (t.start[mid] < to || (t.start[mid] === to && t.end[mid] === to)) {
      at = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return at;
}

function runningSite(t: PieceTable, i: number) {
  if (!(t.flags[i] & FIRST)) return null;
  const task = t.tasks[t.src[i]];
  const prev = task.segments[t.segs[t.src[i]] - 1];
  return prev && prev.state === 'suspended' && prev.kind !== 'scheduled' ? prev.site : task.created.site;
}

/** The critical path, in time order. Empty when the trace has no task. */
export function criticalPath(trace: Trace, options: CriticalPathOptions = {}): CriticalStep[] {
  const tasks = new Map(trace.tasks.map((t) => [t.id, t]));
  const target = options.taskId !== undefined ? tasks.get(options.taskId) : endTask(trace);
  if (!target) return [];
  let task: TaskRecord = target;
  const pieces = pieceTables(trace);
  const back: CriticalStep[] = [];
  const push = (s: CriticalStep) => {
    if (s.end > s.start) back.push(s);
  };
  let x = lastMoment(task, trace);
  let i = segmentAt(task, x);
  let budget = 4 * (trace.tasks.reduce((n, t) => n + t.segments.length, 0) + trace.tasks.length) + 16;
  while (budget-- > 0) {
    if (i < 0 || (i === 0 && isCreationMark(task, 0))) {
      // Before its first run, the path is in whoever created it.
      const parent: TaskRecord | undefined = task.parentId !== null ? tasks.get(task.parentId) : undefined;
      if (!parent) break;
      x = Math.min(x, task.created.t);
      task = parent;
      i = segmentAt(parent, x);
      continue;
    }
    const seg = task.segments[i];
    if (seg.state === 'running') {
      const table = pieces.get(task.group ?? 0);
      const to = Math.min(x, seg.end ?? x);
      // The group's pieces in [seg.start, to], latest first.
      if (table)
        for (let p = lastPieceBefore(table, to); p >= 0 && table.start[p] >= seg.start; p--)
          push({
            taskId: table.tasks[table.src[p]].id,
            start: table.start[p],
            end: Math.min(table.end[p], to),
            kind: 'running',
            site: runningSite(table, p),
            waitingOn: null,
          });
      x = seg.start;
      i--;
      continue;
    }
    const to = Math.min(x, seg.end ?? x);
    if (seg.kind === 'scheduled') {
      push({
        taskId: task.id,
        start: seg.start,
        end: to,
        kind: 'waiting',
        site: seg.site,
        waitingOn: { kind: 'scheduled', taskIds: [] },
      });
      x = seg.start;
      i--;
      continue;
    }
    // Entered before its resume (a task created while its creator was recorded as suspended): what
    // woke it came later than what the path is about, so the wait counts whole and nothing is followed.
    const waker = seg.resumedBy != null && to === seg.end ? tasks.get(seg.resumedBy) : undefined;
    if (waker) {
      const settledWake = seg.awaits.includes(waker.id) && waker.settled !== null && waker.settled.t <= to;
      let wakeT: number;
      if (settledWake) wakeT = waker.settled!.t;
      else {
        // Its code resolved what this task awaited: the path goes on where it last ran before the resume.
        let j = segmentAt(waker, to);
        while (j >= 0 && waker.segments[j].state !== 'running') j--;
        wakeT = j >= 0 ? Math.min(to, waker.segments[j].end ?? to) : -Infinity;
      }
      const ties = settledWake
        ? seg.awaits.filter((id) => id !== waker.id && tasks.get(id)?.settled?.t === waker.settled!.t)
        : [];
      const wait: CriticalWait = {
        kind: 'task',
        taskIds: [waker.id],
        ...(seg.combinator ? { combinator: seg.combinator } : {}),
        ...(ties.length ? { ties } : {}),
      };
      if (wakeT > seg.start && wakeT <= to) {
        push({ taskId: task.id, start: wakeT, end: to, kind: 'waiting', site: seg.site, waitingOn: wait });
        x = wakeT;
        task = waker;
        i = segmentAt(waker, x);
        continue;
      }
      // The waker was done before the await began: the wait was only the loop's turn.
      push({ taskId: task.id, start: seg.start, end: to, kind: 'waiting', site: seg.site, waitingOn: wait });
    } else {
      push({
        taskId: task.id,
        start: seg.start,
        end: to,
        kind: 'waiting',
        site: seg.site,
        waitingOn: leafWait(seg),
      });
    }
    x = seg.start;
    i--;
  }
  return back.reverse();
}
