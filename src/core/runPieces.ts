/**
 * Who held each event loop when: the running segments of a trace cut into the pieces where a task
 * ran its OWN code. A JavaScript async function called from another runs at once, inside its
 * caller's running segment (the eager start): `main` [10, 40] holding `worker1` [11, 39] is `main`
 * [10, 11], `worker1` [11, 39], `main` [39, 40]. Narration and the critical path both read the run
 * through these pieces, so both say the same thing about who ran.
 *
 * Pure and O(n) in the number of running segments (a 1M-event trace has 500k): they are ordered
 * by a radix sort of their start times, kept in flat typed arrays, and swept once with a stack.
 */
import type { TaskRecord, Trace } from '../protocol/trace';
import { orderByKey } from './sortByTime';

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

/** `PieceTable.flags` bits. */
export const FIRST = 1;
export const LAST = 2;
export const OPEN = 4;

/**
 * One group's pieces, in time order, as columns (typed arrays, no object per piece: a 1M-event
 * trace has half a million, and narration and the critical path read each a few times). Piece `i`
 * is `tasks[src[i]].segments[segs[src[i]]]` from `start[i]` to `end[i]`; `flags[i]` holds FIRST,
 * LAST, OPEN.
 */
export interface PieceTable {
  group: number;
  length: number;
  /** The group's running segments (task and index), in task order. */
  tasks: TaskRecord[];
  segs: Int32Array;
  /** Per piece: which running segment it is a piece of (an index into `tasks`/`segs`). */
  src: Int32Array;
  start: Float64Array;
  end: Float64Array;
  flags: Uint8Array;
}

/** Piece `i` of a table as an object. */
export function pieceAt(table: PieceTable, i: number): RunPiece {
  const f = table.flags[i];
  const o = table.src[i];
  return {
    task: table.tasks[o],
    seg: table.segs[o],
    start: table.start[i],
    end: table.end[i],
    first: (f & FIRST) !== 0,
    last: (f & LAST) !== 0,
    open: (f & OPEN) !== 0,
    group: table.group,
  };
}

/** The pieces of every group, each group's in time order, keyed by group id. */
export function runPieces(trace: Trace): Map<number, RunPiece[]> {
  const out = new Map<number, RunPiece[]>();
  for (const [group, table] of pieceTables(trace))
    out.set(
      group,
      Array.from({ length: table.length }, (_, i) => pieceAt(table, i)),
    );
  return out;
}

/** `runPieces` as columns, keyed by group id. */
export function pieceTables(trace: Trace): Map<number, PieceTable> {
  // Per group, its running segments in task (id) order, then each task's own order.
  const counts = new Map<number, number>();
  for (const task of trace.tasks) {
    const group = task.group ?? 0;
    let n = counts.get(group) ?? 0;
    const segs = task.segments;
    for (let seg = 0; seg < segs.length; seg++) if (segs[seg].state === 'running') n++;
    counts.set(group, n);
  }
  const byGroup = new Map<number, { n: number; tasks: TaskRecord[]; segs: Int32Array }>();
  for (const [group, n] of counts)
    byGroup.set(group, { n: 0, tasks: new Array<TaskRecord>(n), segs: new Int32Array(n) });
  for (const task of trace.tasks) {
    const list = byGroup.get(task.group ?? 0)!;
    const segs = task.segments;
    for (let seg = 0; seg < segs.length; seg++)
      if (segs[seg].state === 'running' && !isCreationMark(task, seg)) {
        list.tasks[list.n] = task;
        list.segs[list.n++] = seg;
      }
  }
  const out = new Map<number, PieceTable>();
  for (const [group, list] of byGroup) {
    list.tasks.length = list.n;
    out.set(group, sweep(list.tasks, list.segs.subarray(0, list.n), group, trace.durationMs));
  }
  return out;
}

function sweep(tasks: TaskRecord[], segs: Int32Array, group: number, durationMs: number): PieceTable {
  const n = tasks.length;
  const start = new Float64Array(n);
  const end = new Float64Array(n);
  const open = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const s = tasks[i].segments[segs[i]];
    start[i] = s.start;
    if (s.end === null) {
      end[i] = Math.max(durationMs, s.start);
      open[i] = 1;
    } else end[i] = s.end;
  }
  // By start; outer segments first when two start together (the caller holds the callee), then
  // in id order. The radix sort is stable, so only runs of equal starts need the longer-first rule.
  const order = orderByKey(start);
  for (let i = 0; i < n;) {
    let j = i + 1;
    while (j < n && start[order[j]] === start[order[i]]) j++;
    if (j - i > 1) {
      const run = Array.from(order.subarray(i, j)).sort((a, b) => end[b] - end[a] || a - b);
      order.set(run, i);
    }
    i = j;
  }
  const cursor = Float64Array.from(start);
  const emitted = new Uint8Array(n);
  // Each segment gives at most one piece per segment nested in it, plus its last one.
  const cap = 2 * n;
  const src = new Int32Array(cap);
  const pStart = new Float64Array(cap);
  const pEnd = new Float64Array(cap);
  const flags = new Uint8Array(cap);
  let count = 0;
  const stack = new Int32Array(n);
  let top = 0;
  let sorted = true;
  const emit = (o: number, to: number, last: boolean) => {
    const first = emitted[o] === 0;
    // A zero-length middle piece says nothing; the first and last carry how the segment began and ended.
    if (to <= cursor[o] && !first && !last) return;
    const from = cursor[o];
    const until = Math.max(from, to);
    const k = count++;
    if (k > 0 && (pStart[k - 1] > from || (pStart[k - 1] === from && pEnd[k - 1] > until))) sorted = false;
    src[k] = o;
    pStart[k] = from;
    pEnd[k] = until;
    flags[k] = (first ? FIRST : 0) | (last ? LAST : 0) | (last && open[o] ? OPEN : 0);
    emitted[o] = 1;
  };
  const finish = () => {
    const o = stack[--top];
    emit(o, end[o], true);
    if (top > 0) {
      const parent = stack[top - 1];
      cursor[parent] = Math.max(cursor[parent], Math.min(end[o], end[parent]));
    }
  };
  for (let k = 0; k < n; k++) {
    const o = order[k];
    while (top > 0 && end[stack[top - 1]] <= start[o]) finish();
    if (top > 0) {
      const parent = stack[top - 1];
      emit(parent, start[o], false);
      cursor[parent] = start[o];
    }
    stack[top++] = o;
  }
  while (top > 0) finish();
  const table: PieceTable = {
    group,
    length: count,
    tasks,
    segs,
    src: src.subarray(0, count),
    start: pStart.subarray(0, count),
    end: pEnd.subarray(0, count),
    flags: flags.subarray(0, count),
  };
  // The sweep emits in time order except where segments overlap without nesting (no single loop
  // records that; hand-made traces can): sort only then (stable, by start then end).
  if (!sorted) {
    const idx = Array.from({ length: count }, (_, i) => i).sort(
      (a, b) => table.start[a] - table.start[b] || table.end[a] - table.end[b] || a - b,
    );
    table.src = Int32Array.from(idx, (i) => table.src[i]);
    table.start = Float64Array.from(idx, (i) => table.start[i]);
    table.end = Float64Array.from(idx, (i) => table.end[i]);
    table.flags = Uint8Array.from(idx, (i) => table.flags[i]);
  }
  return table;
}
