/**
 * Export of a {@link Trace} in the Chrome Trace Event Format (the JSON that Perfetto,
 * chrome://tracing and speedscope open). Pure: a trace in, a plain JSON-able object out.
 *
 * Two views of the same run, as two "processes" of the file:
 *
 * pid 1 — "lanes": one thread track per task (tid = task id, named `worker1 #2`, sorted in
 *   creation-tree order). On it, complete events (`ph: "X"`): the task's lifetime (cat `task`)
 *   with its running (cat `running`) and suspended (cat `suspended`, named `await L22`) stretches
 *   nested inside. Flow arrows (`ph: "s"` → `ph: "f"`, `bp: "e"`) bind to these slices:
 *     - cat `create`: the creator's running slice → the new task's first running slice;
 *     - cat `await`:  the awaited task's last running slice (where it settled) → the waiter's
 *                     running slice right after the resume (named `wakes` for the task that
 *                     woke it — `resumedBy` — and `settled` for other awaited tasks).
 *   Python's `scheduled` stretches (created, not yet run by the loop) have cat `scheduled`.
 *   Instant events (`ph: "i"`, scope thread): `.then/.catch/.finally` (or Python done) callbacks on the task
 *   they belong to, and the program's output on an `output` track (tid 0).
 * pid 2 — "async slices": the same tasks as nestable async events (`ph: "b"/"e"`, cat `task`,
 *   `id` = task id), the lifetime with the running/suspended stretches nested. Flow events
 *   only bind to thread slices in the viewers, which is why the arrows live in pid 1.
 *
 * A trace of several threads or processes (`trace.groups`): each group's lanes are a "process" of
 * their own — group 0 stays pid 1, group g is pid {@link GROUP_PID_BASE} + g, named after the group
 * (`worker 1 (pool-worker.ts)`, with its real pid and thread id in the name) — so each thread's tasks
 * are threads (tids = task ids) under their own heading. The async-slices view stays one process.
 *
 * Times (`ts`, `dur`) are microseconds from the start of the program's own code, as the format
 * requires; `displayTimeUnit: "ms"` only tells the viewer how to label them.
 */
import type { Segment, SourceSite, SuspendedSegment, TaskRecord, Trace, TraceGroup } from '../protocol/trace';

/** One event of the Chrome Trace Event Format (only the fields this exporter uses). */
export interface ChromeTraceEvent {
  name: string;
  ph: 'X' | 'b' | 'e' | 's' | 'f' | 'i' | 'M';
  pid: number;
  tid: number;
  ts: number;
  cat?: string;
  dur?: number;
  id?: number | string;
  /** Flow end binding point: `e` = the enclosing slice. */
  bp?: 'e';
  /** Instant event scope: `t` = thread. */
  s?: 't' | 'p' | 'g';
  args?: Record<string, unknown>;
}

/** The exported file: `JSON.stringify` it as is. */
export interface ChromeTrace {
  traceEvents: ChromeTraceEvent[];
  displayTimeUnit: 'ms';
  /** Shown by the viewers as trace metadata. */
  otherData: Record<string, string | number | boolean | null>;
}

/** The process ids of the two views (see the module comment). */
export const LANES_PID = 1;
export const ASYNC_PID = 2;
const OUTPUT_TID = 0;
/** Lanes of group g > 0 are pid GROUP_PID_BASE + g (pids 1 and 2 are the views above). */
export const GROUP_PID_BASE = 10;

/** A group as a Chrome process name: its label and where it ran. */
function groupName(g: TraceGroup): string {
  return g.kind === 'worker' ? `${g.label}, pid ${g.pid} thread ${g.threadId}` : g.kind === 'main' ? `${g.label}, pid ${g.pid}` : g.label;
}

/** ms → µs, rounded to the nanosecond so float noise does not leak into the file. */
function us(ms: number): number {
  return Math.round(ms * 1e6) / 1e3;
}

/** The length of [from, to] ms in µs, rounded like {@link us}. */
function durUs(from: number, to: number): number {
  return Math.round((us(to) - us(from)) * 1e3) / 1e3;
}

function siteText(site: SourceSite | null | undefined): string | null {
  return site ? `${site.file}:${site.line}:${site.column}` : null;
}

function suspendedName(seg: SuspendedSegment, entry: string): string {
  const word = seg.kind === 'await' ? 'await' : seg.kind;
  if (!seg.site) return word;
  const where = seg.site.file === entry ? `L${seg.site.line}` : `${seg.site.file}:${seg.site.line}`;
  return `${word} ${where}`;
}

/** Creation-tree order (children right after their creator), for thread_sort_index. */
function treeOrder(tasks: TaskRecord[]): TaskRecord[] {
  const ids = new Set(tasks.map((t) => t.id));
  const kids = new Map<number | null, TaskRecord[]>();
  for (const t of tasks) {
    const p = t.parentId !== null && ids.has(t.parentId) && t.parentId !== t.id ? t.parentId : null;
    if (!kids.has(p)) kids.set(p, []);
    kids.get(p)!.push(t);
  }
  const out: TaskRecord[] = [];
  const seen = new Set<number>();
  const stack = [...(kids.get(null) ?? [])].reverse();
  while (stack.length) {
    const t = stack.pop()!;
    if (seen.has(t.id)) continue;
    seen.add(t.id);
    out.push(t);
    const k = kids.get(t.id) ?? [];
    for (let i = k.length - 1; i >= 0; i--) stack.push(k[i]);
  }
  for (const t of tasks) if (!seen.has(t.id)) out.push(t);
  return out;
}

/** A task's stretches clamped into its lifetime and made monotonic, with open ends closed at `end`. */
interface Span {
  start: number;
  end: number;
  seg: Segment;
}

function spansOf(task: TaskRecord, lifeStart: number, lifeEnd: number): Span[] {
  const out: Span[] = [];
  let cursor = lifeStart;
  for (const seg of task.segments) {
    // Complete events on one thread must nest perfectly: never let a stretch start before the
    // previous one ended or leave the task's lifetime, whatever rounding the trace carries.
    const start = Math.min(Math.max(seg.start, cursor), lifeEnd);
    const end = Math.min(Math.max(seg.end ?? lifeEnd, start), lifeEnd);
    out.push({ start, end, seg });
    cursor = end;
  }
  return out;
}

/** A time strictly inside [start, end] near `t`, so a flow event binds to that slice and not a neighbour. */
function inside(t: number, span: Span): number {
  const margin = Math.min(0.0005, (span.end - span.start) / 2); // 0.5 µs, or the middle of a tiny slice
  return Math.min(Math.max(t, span.start + margin), span.end - margin);
}

/**
 * Converts a trace to the Chrome Trace Event Format (see the module comment for the mapping).
 * Events are sorted by `ts` (metadata first); on each track, begin/end pairs and flows come out
 * in a well-nested order, so every `b` has its `e` and every `s` its `f`.
 */
export function toChromeTrace(trace: Trace): ChromeTrace {
  // Loops, not Math.max(...spread): a trace may hold far more tasks than a call has arguments.
  let end = trace.durationMs;
  for (const t of trace.tasks) {
    end = Math.max(end, t.settled?.t ?? 0, t.created.t);
    for (const s of t.segments) end = Math.max(end, s.end ?? s.start);
  }
  for (const c of trace.callbacks) end = Math.max(end, c.t);
  const byId = new Map(trace.tasks.map((t) => [t.id, t]));
  const meta: ChromeTraceEvent[] = [];
  const events: ChromeTraceEvent[] = [];
  const M = (pid: number, tid: number, name: string, args: Record<string, unknown>) =>
    meta.push({ name, ph: 'M', pid, tid, ts: 0, args });

  const groups = trace.groups ?? [];
  const first = groups[0];
  M(LANES_PID, OUTPUT_TID, 'process_name', { name: `Async Timeline: ${trace.entry} (lanes${first ? `: ${groupName(first)}` : ''})` });
  M(LANES_PID, OUTPUT_TID, 'process_sort_index', { sort_index: 0 });
  for (const g of groups.slice(1)) {
    M(GROUP_PID_BASE + g.id, 0, 'process_name', { name: `Async Timeline: ${groupName(g)}` });
    M(GROUP_PID_BASE + g.id, 0, 'process_sort_index', { sort_index: 1 + g.id });
  }
  /** The lanes' pid of a task: its group's. */
  const pidOf = (taskId: number) => {
    const g = byId.get(taskId)?.group ?? 0;
    return g === 0 || !groups.some((x) => x.id === g) ? LANES_PID : GROUP_PID_BASE + g;
  };
  M(ASYNC_PID, 0, 'process_name', { name: `Async Timeline: ${trace.entry} (async slices)` });
  M(ASYNC_PID, 0, 'process_sort_index', { sort_index: 1 + groups.length });

  const ordered = treeOrder(trace.tasks);
  const spans = new Map<number, Span[]>();
  const lives = new Map<number, { start: number; end: number }>();
  ordered.forEach((task, index) => {
    const start = task.created.t;
    const lifeEnd = Math.max(start, task.settled?.t ?? end);
    lives.set(task.id, { start, end: lifeEnd });
    const sp = spansOf(task, start, lifeEnd);
    spans.set(task.id, sp);
    M(pidOf(task.id), task.id, 'thread_name', { name: `${task.name} #${task.id}` });
    M(pidOf(task.id), task.id, 'thread_sort_index', { sort_index: index + 1 });

    const state = task.settled?.state ?? 'pending';
    const taskArgs = {
      taskId: task.id,
      kind: task.kind,
      parentId: task.parentId,
      definition: siteText(task.definition),
      createdAt: siteText(task.created.site),
      state,
      ...(task.taskName ? { taskName: task.taskName } : {}),
      ...(task.group ? { group: task.group } : {}),
    };
    events.push({
      name: task.name,
      cat: 'task',
      ph: 'X',
      pid: pidOf(task.id),
      tid: task.id,
      ts: us(start),
      dur: durUs(start, lifeEnd),
      args: taskArgs,
    });
    // The async view: the lifetime, then each stretch begun and ended in order inside it.
    events.push({
      name: task.name,
      cat: 'task',
      ph: 'b',
      pid: ASYNC_PID,
      tid: 0,
      id: task.id,
      ts: us(start),
      args: taskArgs,
    });
    for (const span of sp) {
      const seg = span.seg;
      const name = seg.state === 'running' ? 'running' : suspendedName(seg, trace.entry);
      const args: Record<string, unknown> =
        seg.state === 'running'
          ? { open: seg.end === null }
          : {
              site: siteText(seg.site),
              kind: seg.kind,
              awaits: seg.awaits,
              combinator: seg.combinator ?? null,
              ...(seg.waitsFor ? { waitsFor: seg.waitsFor } : {}),
              resumedBy: seg.resumedBy ?? null,
              threw: seg.threw ?? false,
              open: seg.end === null,
            };
      events.push({
        name,
        // Python's "created, not run yet" is its own category, so a viewer can tell it from waiting.
        cat: seg.state === 'suspended' && seg.kind === 'scheduled' ? 'scheduled' : seg.state,
        ph: 'X',
        pid: pidOf(task.id),
        tid: task.id,
        ts: us(span.start),
        dur: durUs(span.start, span.end),
        args,
      });
      events.push({
        name,
        cat: 'task',
        ph: 'b',
        pid: ASYNC_PID,
        tid: 0,
        id: task.id,
        ts: us(span.start),
        args,
      });
      events.push({ name, cat: 'task', ph: 'e', pid: ASYNC_PID, tid: 0, id: task.id, ts: us(span.end) });
    }
    events.push({
      name: task.name,
      cat: 'task',
      ph: 'e',
      pid: ASYNC_PID,
      tid: 0,
      id: task.id,
      ts: us(lifeEnd),
      args: { state },
    });
  });

  // Flow arrows, each an `s` inside the source slice and an `f` (bound to its enclosing slice)
  // inside the target slice; ids are unique per arrow.
  let flowId = 0;
  const flow = (
    cat: string,
    name: string,
    fromTid: number,
    from: Span,
    fromT: number,
    toTid: number,
    to: Span,
    toT: number,
  ) => {
    const id = ++flowId;
    events.push({ name, cat, ph: 's', pid: pidOf(fromTid), tid: fromTid, id, ts: us(inside(fromT, from)) });
    events.push({ name, cat, ph: 'f', bp: 'e', pid: pidOf(toTid), tid: toTid, id, ts: us(inside(toT, to)) });
  };
  const runningAt = (taskId: number, t: number, prefer: 'before' | 'after'): Span | null => {
    const sp = (spans.get(taskId) ?? []).filter((s) => s.seg.state === 'running');
    if (!sp.length) return null;
    // The running stretch that contains t; otherwise the nearest one on the preferred side.
    const hit = sp.find((s) => s.start <= t && t <= s.end);
    if (hit) return hit;
    if (prefer === 'before') return [...sp].reverse().find((s) => s.end <= t) ?? sp[0];
    return sp.find((s) => s.start >= t) ?? sp[sp.length - 1];
  };

  for (const task of ordered) {
    if (task.parentId !== null && lives.has(task.parentId) && task.parentId !== task.id) {
      const from = runningAt(task.parentId, task.created.t, 'before');
      const to = runningAt(task.id, task.created.t, 'after');
      if (from && to)
        flow('create', 'creates', task.parentId, from, task.created.t, task.id, to, task.created.t);
    }
    const sp = spans.get(task.id) ?? [];
    sp.forEach((span, i) => {
      const seg = span.seg;
      if (seg.state !== 'suspended' || seg.end === null) return;
      const next = sp[i + 1];
      if (!next || next.seg.state !== 'running') return;
      for (const awaited of new Set(seg.awaits)) {
        const other = byId.get(awaited);
        // Only tasks that settled while this one waited can have woken it.
        if (!other?.settled || other.settled.t > seg.end + 0.001 || awaited === task.id) continue;
        const from = runningAt(awaited, other.settled.t, 'before');
        if (!from) continue;
        const name = seg.resumedBy === awaited ? 'wakes' : 'settled';
        flow('await', name, awaited, from, other.settled.t, task.id, next, next.start);
      }
      // A runtime-named waker that was not awaited (Python: the producer that fed a queue, the
      // task that released a lock): an arrow from where it was running when it woke this one.
      const waker = seg.resumedBy;
      if (waker != null && waker !== task.id && !seg.awaits.includes(waker) && lives.has(waker)) {
        const from = runningAt(waker, seg.end, 'before');
        if (from) flow('await', 'wakes', waker, from, Math.min(seg.end, from.end), task.id, next, next.start);
      }
    });
  }

  for (const cb of trace.callbacks) {
    const tid = lives.has(cb.taskId) ? cb.taskId : OUTPUT_TID;
    events.push({
      name: `${cb.kind} callback`,
      cat: 'callback',
      ph: 'i',
      s: 't',
      pid: tid === OUTPUT_TID ? LANES_PID : pidOf(tid),
      tid,
      ts: us(cb.t),
      args: { taskId: cb.taskId, site: siteText(cb.site) },
    });
  }
  if (trace.output.length) {
    M(LANES_PID, OUTPUT_TID, 'thread_name', { name: 'output' });
    M(LANES_PID, OUTPUT_TID, 'thread_sort_index', { sort_index: ordered.length + 1 });
    for (const o of trace.output) {
      const firstLine = o.text.split('\n')[0];
      events.push({
        name: `${o.stream}: ${firstLine.length > 60 ? firstLine.slice(0, 59) + '…' : firstLine}`,
        cat: 'output',
        ph: 'i',
        s: 't',
        pid: LANES_PID,
        tid: OUTPUT_TID,
        ts: us(o.t),
        args: { stream: o.stream, text: o.text },
      });
    }
  }

  // Stable sort: events generated in nesting order keep it when their timestamps tie.
  events.sort((a, b) => a.ts - b.ts);
  return {
    traceEvents: [...meta, ...events],
    displayTimeUnit: 'ms',
    otherData: {
      format: trace.format,
      version: trace.version,
      entry: trace.entry,
      language: trace.language,
      ...(trace.runtime ? { runtime: trace.runtime } : {}),
      startedAt: trace.startedAt,
      durationMs: trace.durationMs,
      exitReason: trace.exit?.reason ?? null,
      exitCode: trace.exit?.code ?? null,
      truncated: trace.truncated,
    },
  };
}
