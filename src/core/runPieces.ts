/**
 * Who held each event loop when: the running segments of a trace cut into the pieces where a task
 * ran its OWN code. A JavaScript async function called from another runs at once, inside its
 * caller's running segment (the eager start): `main` [10, 40] holding `worker1` [11, 39] is `main`
 * [10, 11], `worker1` [11, 39], `main` [39, 40]. Narration and the critical path both read the run
 * through these pieces, so both say the same thing about who ran.
 *
 * Pure, O(n log n) in the number of running segments (one sort per group).
 */
import type { TaskRecord, Trace } from '../protocol/trace';

export interface RunPiece {
  task: TaskRecord;
  /** Index of the running segment in `task.segments`. */
  seg: number;
  start: number;
  end: number;
  /** The first / last piece of its segment (a segment with nested calls has several). */
  first: boolean;
  last: boolean;
  /** The segment was still running when the run ended (`end` is then the trace's end). */
  open: boolean;
  group: number;
}

interface Open {
  task: TaskRecord;
  seg: number;
  start: number;
  end: number;
  cursor: number;
  emitted: boolean;
  open: boolean;
}

/**
 * A Python task made by `create_task` starts with a zero-length running segment and then waits to
 * be scheduled: that instant is its creation, not a run of its code.
 */
export function isCreationMark(task: TaskRecord, seg: number): boolean {
  const s = task.segments[seg];
  const next = task.segments[seg + 1];
  return (
    seg === 0 &&
    s.state === 'running' &&
    s.end === s.start &&
    next !== undefined &&
    next.state === 'suspended' &&
    next.kind === 'scheduled'
  );
}

/** The pieces of every group, each group's in time order, keyed by group id. */
export function runPieces(trace: Trace): Map<number, RunPiece[]> {
  const byGroup = new Map<number, Open[]>();
  for (const task of trace.tasks) {
    const group = task.group ?? 0;
    let list = byGroup.get(group);
    if (!list) byGroup.set(group, (list = []));
    task.segments.forEach((s, seg) => {
      if (s.state !== 'running' || isCreationMark(task, seg)) return;
      const end = s.end ?? Math.max(trace.durationMs, s.start);
      list.push({ task, seg, start: s.start, end, cursor: s.start, emitted: false, open: s.end === null });
    });
  }
  const out = new Map<number, RunPiece[]>();
  for (const [group, list] of byGroup) {
    // Outer segments first when two start together: the caller holds the callee.
    list.sort((a, b) => a.start - b.start || b.end - a.end || a.task.id - b.task.id);
    const pieces: RunPiece[] = [];
    const stack: Open[] = [];
    const emit = (o: Open, to: number, last: boolean) => {
      const first = !o.emitted;
      // A zero-length middle piece says nothing; the first and last carry how the segment began and ended.
      if (to <= o.cursor && !first && !last) return;
      pieces.push({
        task: o.task,
        seg: o.seg,
        start: o.cursor,
        end: Math.max(o.cursor, to),
        first,
        last,
        open: last && o.open,
        group,
      });
      o.emitted = true;
    };
    const finish = () => {
      const o = stack.pop()!;
      emit(o, o.end, true);
      const parent = stack[stack.length - 1];
      if (parent) parent.cursor = Math.max(parent.cursor, Math.min(o.end, parent.end));
    };
    for (const o of list) {
      while (stack.length && stack[stack.length - 1].end <= o.start) finish();
      const parent = stack[stack.length - 1];
      if (parent) {
        emit(parent, o.start, false);
        parent.cursor = o.start;
      }
      stack.push(o);
    }
    while (stack.length) finish();
    pieces.sort((a, b) => a.start - b.start || a.end - b.end);
    out.set(group, pieces);
  }
  return out;
}
