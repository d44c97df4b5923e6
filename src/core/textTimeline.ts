/**
 * The terminal rendering of a {@link Trace}: one row per task along a shared time axis, for the
 * CLI (and anything else that wants a plain-text picture, e.g. test failure messages).
 *
 *   main       █░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░█  await L22 (1.00 s), L24 (1.00 s)
 *     worker1  █░░░░░░░░░░░░░░░░░░█                     await L8 (1.00 s)
 *     worker2  █░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░█  await L14 (2.00 s)
 *              ├─────────┼─────────┼─────────┼─────────┤
 *              0         0.5 s     1 s       1.5 s     2 s
 *
 * A trace of several threads or processes (`trace.groups`) gets one headed section per group, its
 * tasks under it:
 *
 *   ── main ──────────────────────────────────────────────
 *   main       █░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░█  await L12 (40 ms)
 *   ── worker 1 (pool-worker.ts) · thread 2 ──────────────
 *   handle     ·        █░░░░░░█                            await pool-worker.ts:17 (6.0 ms)
 *
 * Pure: no I/O, no terminal queries; the caller passes the width and whether to colour.
 */
import type { Segment, SourceSite, SuspendedSegment, TaskRecord, Trace, TraceGroup } from '../protocol/trace';
import { computeStats } from './stats';
import { formatDuration } from './duration';
import { DEFAULT_FOLD_MIN, foldOfTask, taskFolds, type TaskFold } from './taskFolds';
import { workSpan } from './timeline/viewController';

export interface TextTimelineOptions {
  /** Total width in columns of every line (clamped to at least 40). */
  width: number;
  /** Emit ANSI colours (running green, suspended dim, rejected red). Default false. */
  color?: boolean;
  /** At most this many task rows; the rest are summarised in one line. Default 40. */
  maxRows?: number;
  /**
   * Tasks of one definition created by one parent, at least this many, are one row (`handler ×40`,
   * their activity drawn together, p50 running / waiting time in the notes); 0 shows every task.
   * Default 3 (`core/taskFolds.ts`).
   */
  foldMin?: number;
  /**
   * Draw the axis over this span. Default: where work happened when the run was mostly idle
   * (`viewController.ts#workSpan`, the viewer's rule), else the whole run.
   */
  span?: { from: number; to: number };
  /** Draw the whole run even when it was mostly idle (the CLI's `--whole-run`). */
  whole?: boolean;
}

type Row = { task: TaskRecord; depth: number } | { fold: TaskFold; depth: number; inner: number };

/**
 * A section's tasks with each fold as one row at its first member's place; the other members and
 * everything they created (which cannot fold: their parents differ) are left out and counted.
 */
function foldRows(tasks: { task: TaskRecord; depth: number }[], foldOf: Map<number, TaskFold>): Row[] {
  const out: Row[] = [];
  const done = new Set<TaskFold>();
  let hideBelow = -1;
  let counting: { inner: number } | null = null;
  for (const item of tasks) {
    if (hideBelow >= 0 && item.depth > hideBelow) {
      if (counting) counting.inner++;
      continue;
    }
    hideBelow = -1;
    counting = null;
    const fold = foldOf.get(item.task.id);
    if (!fold) {
      out.push(item);
      continue;
    }
    hideBelow = item.depth;
    if (done.has(fold)) {
      counting =
        out.find((r): r is Extract<Row, { fold: TaskFold }> => 'fold' in r && r.fold === fold) ?? null;
      continue;
    }
    done.add(fold);
    const row = { fold, depth: item.depth, inner: 0 };
    counting = row;
    out.push(row);
  }
  return out;
}

/** What one column of a lane shows. Order matters: a higher value wins when a column holds several. */
const enum Cell {
  Dead = 0,
  /** Python: created, waiting for the loop to run it for the first time. */
  Scheduled = 1,
  Yielded = 2,
  Suspended = 3,
  Running = 4,
  Rejected = 5,
  Cancelled = 6,
  Callback = 7,
}

const GLYPH: Record<Cell, string> = {
  [Cell.Dead]: ' ',
  [Cell.Scheduled]: '╌',
  [Cell.Yielded]: '·',
  [Cell.Suspended]: '░',
  [Cell.Running]: '█',
  [Cell.Rejected]: '✗',
  [Cell.Cancelled]: '⊘',
  [Cell.Callback]: '•',
};

const ANSI: Record<Cell, [string, string]> = {
  [Cell.Dead]: ['', ''],
  [Cell.Scheduled]: ['\x1b[2m', '\x1b[22m'],
  [Cell.Yielded]: ['\x1b[2m', '\x1b[22m'],
  [Cell.Suspended]: ['\x1b[2m', '\x1b[22m'],
  [Cell.Running]: ['\x1b[32m', '\x1b[39m'],
  [Cell.Rejected]: ['\x1b[31m', '\x1b[39m'],
  [Cell.Cancelled]: ['\x1b[33m', '\x1b[39m'],
  [Cell.Callback]: ['\x1b[36m', '\x1b[39m'],
};

/** Durations print one way across the product (src/core/duration.ts); re-exported for existing importers. */
export { formatDuration };

/** Tasks in tree order (children right under their creator, by creation time) with their depth. */
function treeOrder(tasks: TaskRecord[]): { task: TaskRecord; depth: number }[] {
  const ids = new Set(tasks.map((t) => t.id));
  const children = new Map<number | null, TaskRecord[]>();
  for (const t of tasks) {
    // A parent we do not know about (dropped past the event cap) makes the task a root.
    const parent = t.parentId !== null && ids.has(t.parentId) && t.parentId !== t.id ? t.parentId : null;
    let list = children.get(parent);
    if (!list) children.set(parent, (list = []));
    list.push(t);
  }
  for (const list of children.values()) list.sort((a, b) => a.created.t - b.created.t || a.id - b.id);
  const out: { task: TaskRecord; depth: number }[] = [];
  const seen = new Set<number>();
  // Iterative DFS: deep creation chains (recursion in the traced program) must not overflow our stack.
  const stack: { task: TaskRecord; depth: number }[] = (children.get(null) ?? [])
    .slice()
    .reverse()
    .map((task) => ({ task, depth: 0 }));
  while (stack.length) {
    const item = stack.pop()!;
    if (seen.has(item.task.id)) continue;
    seen.add(item.task.id);
    out.push(item);
    const kids = children.get(item.task.id) ?? [];
    for (let i = kids.length - 1; i >= 0; i--) stack.push({ task: kids[i], depth: item.depth + 1 });
  }
  // Cycles in parent links cannot happen in a real trace, but never lose a task over it.
  for (const t of tasks) if (!seen.has(t.id)) out.push({ task: t, depth: 0 });
  return out;
}

/** A group's heading text: its label, then which thread or what command it was. */
function groupHeading(g: TraceGroup): string {
  if (g.kind === 'worker') return `${g.label} · thread ${g.threadId}`;
  if (g.kind === 'process' && g.command) return `${g.label} · ${g.command}`;
  return g.label;
}

/**
 * Tasks in display order: tree order, per group when the trace has groups (a heading before each
 * group's tasks; groups without tasks are left out).
 */
function sections(
  trace: Trace,
): Array<{ heading: string | null; tasks: { task: TaskRecord; depth: number }[] }> {
  if (!trace.groups?.length) return [{ heading: null, tasks: treeOrder(trace.tasks) }];
  const known = new Set(trace.groups.map((g) => g.id));
  return trace.groups
    .map((g) => ({
      heading: groupHeading(g),
      // A task of a group the trace does not list (it should not happen) is shown with the first group.
      tasks: treeOrder(
        trace.tasks.filter((t) => (known.has(t.group ?? 0) ? (t.group ?? 0) : trace.groups![0].id) === g.id),
      ),
    }))
    .filter((sec) => sec.tasks.length > 0);
}

/** The last moment anything in the trace happened: the right end of the axis. */
function traceEnd(trace: Trace): number {
  let end = trace.durationMs;
  for (const t of trace.tasks) {
    if (t.settled) end = Math.max(end, t.settled.t);
    for (const s of t.segments) end = Math.max(end, s.end ?? s.start);
  }
  for (const c of trace.callbacks) end = Math.max(end, c.t);
  return end > 0 ? end : 1;
}

/** A "nice" tick step (1, 2, 2.5 or 5 × 10^k ms) giving roughly `target` ticks over `span`. */
function tickStep(span: number, target: number): number {
  const raw = span / Math.max(1, target);
  const pow = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * pow >= raw) return m * pow;
  return 10 * pow;
}

function tickLabel(t: number, step: number): string {
  if (t === 0) return '0';
  if (step >= 1000 || t >= 1000) {
    const s = t / 1000;
    const decimals = step >= 1000 ? (Number.isInteger(step / 1000) ? 0 : 1) : step >= 100 ? 1 : 2;
    return `${Number(s.toFixed(decimals))} s`;
  }
  const decimals = step >= 1 ? (Number.isInteger(step) ? 0 : 1) : 2;
  return `${Number(t.toFixed(decimals))} ms`;
}

/**
 * A note cut to `width`, keeping its `rejected: …` tail (what the task raised ends the row) and
 * shortening the await sites before it instead (or dropping them when the error alone fills it).
 */
function fitNote(note: string, width: number): string {
  const at = note.lastIndexOf(', rejected: ');
  if (at < 0 || [...note].length <= width) return truncate(note, width);
  const tail = note.slice(at);
  const room = width - [...tail].length;
  return room >= 12 ? truncate(note.slice(0, at), room) + tail : truncate(tail.slice(2), width);
}

function truncate(text: string, width: number): string {
  if (width <= 0) return '';
  const chars = [...text];
  if (chars.length <= width) return text;
  return chars.slice(0, Math.max(0, width - 1)).join('') + '…';
}

function pad(text: string, width: number): string {
  const len = [...text].length;
  return len >= width ? text : text + ' '.repeat(width - len);
}

/** `L22` for a line of the entry file, `lib.ts:6` for another file. */
export function siteLabel(site: SourceSite | null, entry: string): string {
  if (!site) return '?';
  if (site.file === entry) return `L${site.line}`;
  const base = site.file.split('/').pop() ?? site.file;
  return `${base}:${site.line}`;
}

/**
 * The suspension sites of one task, grouped by line in first-seen order, with how long it spent
 * there: `await L22 (1.00 s), L24 (1.00 s)`, `await L10 ×6 (480 ms)`.
 */
function awaitSummary(task: TaskRecord, trace: Trace, end: number): string {
  const groups = new Map<string, { label: string; kind: string; count: number; ms: number; threw: number }>();
  for (const seg of task.segments) {
    if (seg.state !== 'suspended') continue;
    const label = siteLabel(seg.site, trace.entry);
    const kind = seg.kind === 'await' ? 'await' : seg.kind;
    const key = `${kind} ${label}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { label, kind, count: 0, ms: 0, threw: 0 }));
    g.count++;
    g.ms += (seg.end ?? end) - seg.start;
    if (seg.threw) g.threw++;
  }
  const parts: string[] = [];
  let lastKind = '';
  // The task's own awaits first; the wait for its first run (Python `scheduled`) after them.
  const ordered = [...groups.values()].sort(
    (a, b) => Number(a.kind === 'scheduled') - Number(b.kind === 'scheduled'),
  );
  for (const g of ordered) {
    // The wait for the first run is said by its length only (its site is the creating call).
    if (g.kind === 'scheduled') {
      parts.push(`scheduled ${formatDuration(g.ms)}`);
      continue;
    }
    // Name the kind once per run of same-kind groups: "await L9 (…), L12 (…), yield L10 (…)".
    const prefix = g.kind !== lastKind ? `${g.kind} ` : '';
    lastKind = g.kind;
    const times = g.count > 1 ? ` ×${g.count}` : '';
    const threw = g.threw ? ', threw' : '';
    parts.push(`${prefix}${g.label}${times} (${formatDuration(g.ms)}${threw})`);
  }
  // The row ends with what a rejected task raised when the trace knows (Python: `ValueError: boom`).
  if (task.settled?.state === 'rejected') {
    const error = task.settled.error?.split('\n')[0].trim();
    parts.push(error ? `rejected: ${error}` : 'rejected');
  } else if (task.settled?.state === 'cancelled') parts.push('cancelled');
  else if (!task.settled) parts.push('pending');
  return parts.join(', ');
}

/** `p50 run 0.20 ms / wait 12.0 ms, p95 0.40 ms / 20.0 ms (+40 tasks they created)`. */
function foldNote(fold: TaskFold, inner: number): string {
  const f = formatDuration;
  const created = inner ? ` (+${inner} task${inner === 1 ? '' : 's'} they created)` : '';
  return `p50 run ${f(fold.run.p50)} / wait ${f(fold.wait.p50)}, p95 ${f(fold.run.p95)} / ${f(fold.wait.p95)}${created}`;
}

/** Paints the segments of one task into `cells` (one per column). */
function paintLane(
  cells: Cell[],
  segments: Segment[],
  settled: TaskRecord['settled'],
  toCol: (t: number) => number,
  end: number,
): void {
  const mark = (from: number, to: number, cell: Cell) => {
    const a = toCol(from);
    const b = Math.max(a, toCol(to));
    for (let i = a; i <= b && i < cells.length; i++) if (cell > cells[i]) cells[i] = cell;
  };
  // Suspensions first, then running stretches on top: a 0.3 ms run must stay visible even
  // when its column is otherwise mostly waiting.
  for (const s of segments) {
    if (s.state === 'suspended') mark(s.start, s.end ?? end, suspendedCell(s));
  }
  for (const s of segments) if (s.state === 'running') mark(s.start, s.end ?? end, Cell.Running);
  if (settled?.state === 'rejected') cells[Math.min(cells.length - 1, toCol(settled.t))] = Cell.Rejected;
  if (settled?.state === 'cancelled') cells[Math.min(cells.length - 1, toCol(settled.t))] = Cell.Cancelled;
}

function suspendedCell(s: SuspendedSegment): Cell {
  return s.kind === 'yield' ? Cell.Yielded : s.kind === 'scheduled' ? Cell.Scheduled : Cell.Suspended;
}

function drawCells(cells: Cell[], color: boolean): string {
  if (!color) return cells.map((c) => GLYPH[c]).join('');
  let out = '';
  let i = 0;
  while (i < cells.length) {
    let j = i;
    while (j < cells.length && cells[j] === cells[i]) j++;
    const [on, off] = ANSI[cells[i]];
    out += on + GLYPH[cells[i]].repeat(j - i) + off;
    i = j;
  }
  return out;
}

/**
 * Renders the trace as a compact text timeline: a row per task (children indented under the task
 * that created them), `█` running, `░` suspended at an await, `·` suspended at a generator
 * `yield`, `╌` scheduled (Python: created, not yet run by the loop), `✗` where a task rejected,
 * `⊘` where one was cancelled, a `callbacks` row with `•` where `.then/.catch/.finally` (or
 * Python done) callbacks ran, the await sites of each task to the right, and a time axis with units.
 */
export function renderTextTimeline(trace: Trace, opts: TextTimelineOptions): string {
  const width = Math.max(40, Math.floor(opts.width));
  const color = opts.color ?? false;
  const maxRows = Math.max(1, opts.maxRows ?? 40);
  // An empty axis would only suggest something went wrong with the drawing.
  if (trace.tasks.length === 0 && trace.callbacks.length === 0) {
    return 'no coroutines ran: the program never called an async function (nothing to draw)';
  }
  const end = traceEnd(trace);
  const byId = new Map(trace.tasks.map((t) => [t.id, t]));
  const auto = opts.span || opts.whole ? null : workSpan(trace, 0, end);
  const fitted = opts.span ?? (auto ? { from: auto.startT, to: auto.endT } : null);
  const from = fitted ? Math.max(0, fitted.from) : 0;
  const to = fitted ? Math.min(end, Math.max(fitted.to, from + 1e-6)) : end;
  const foldMin = opts.foldMin ?? DEFAULT_FOLD_MIN;
  const foldOf =
    foldMin > 0 ? foldOfTask(taskFolds(trace, { minMembers: foldMin })) : new Map<number, TaskFold>();
  // Rows in order: a heading (a group), a task or a fold; at most maxRows rows under headings.
  const layout: Array<{ heading: string } | Row> = [];
  let total = 0;
  let budget = maxRows;
  for (const sec of sections(trace)) {
    const rows = foldMin > 0 ? foldRows(sec.tasks, foldOf) : sec.tasks;
    total += rows.length;
    if (budget <= 0) continue;
    if (sec.heading !== null) layout.push({ heading: sec.heading });
    for (const item of rows.slice(0, budget)) layout.push(item);
    budget -= rows.length;
  }
  const shown = layout.filter((r): r is Row => !('heading' in r));

  // Repeated names (crawlPage ×4) get their task id, the same `#3` the JSON, the Chrome export
  // and the editor hints use, so a row can be matched with them.
  const nameCount = new Map<string, number>();
  for (const t of trace.tasks) nameCount.set(t.name, (nameCount.get(t.name) ?? 0) + 1);
  const names = shown.map((r) =>
    'fold' in r
      ? '  '.repeat(Math.min(r.depth, 6)) + `${r.fold.name} ×${r.fold.taskIds.length}`
      : '  '.repeat(Math.min(r.depth, 6)) +
        r.task.name +
        (nameCount.get(r.task.name)! > 1 ? ` #${r.task.id}` : ''),
  );
  const hasCallbacks = trace.callbacks.length > 0;
  if (hasCallbacks) names.push('callbacks');
  const notes = shown.map((r) =>
    'fold' in r ? foldNote(r.fold, r.inner) : awaitSummary(r.task, trace, end),
  );
  if (hasCallbacks) {
    const kinds = new Map<string, number>();
    for (const c of trace.callbacks) kinds.set(c.kind, (kinds.get(c.kind) ?? 0) + 1);
    notes.push([...kinds].map(([k, n]) => `${k} ×${n}`).join(', '));
  }

  // Column budget: the lanes get what is left after a name column (≤ a quarter of the width)
  // and a notes column (≤ ~40%), and never less than 20 columns.
  const nameW = Math.min(
    Math.max(4, ...names.map((n) => [...n].length)),
    Math.max(10, Math.floor(width / 4)),
  );
  const noteMax = Math.max(0, ...notes.map((n) => [...n].length));
  let noteW = Math.min(noteMax, Math.floor(width * 0.4));
  let laneW = width - nameW - 1 - (noteW ? noteW + 2 : 0);
  if (laneW < 20) {
    noteW = Math.max(0, noteW - (20 - laneW));
    laneW = width - nameW - 1 - (noteW ? noteW + 2 : 0);
  }
  laneW = Math.max(10, laneW);
  const span = to - from;
  const toCol = (t: number) => Math.min(laneW - 1, Math.max(0, Math.floor(((t - from) / span) * laneW)));

  const lines: string[] = [];
  const row = (name: string, cells: Cell[], note: string) => {
    const left = pad(truncate(name, nameW), nameW) + ' ' + drawCells(cells, color);
    lines.push(noteW && note ? `${left}  ${fitNote(note, noteW)}` : left);
  };

  let i = 0;
  for (const r of layout) {
    if ('heading' in r) {
      const text = `── ${r.heading} `;
      lines.push(truncate(text + '─'.repeat(Math.max(2, width - [...text].length)), width));
      continue;
    }
    const cells = new Array<Cell>(laneW).fill(Cell.Dead);
    // A fold draws the union of its members: a column shows the strongest state any member had.
    if ('fold' in r)
      for (const id of r.fold.taskIds) {
        const m = byId.get(id)!;
        paintLane(cells, m.segments, m.settled, toCol, end);
      }
    else paintLane(cells, r.task.segments, r.task.settled, toCol, end);
    row(names[i], cells, notes[i]);
    i++;
  }
  if (total > shown.length) {
    // Counted in tasks, whatever the rows: a fold row stands for its members and what they created.
    const drawn = shown.reduce((n, r) => n + ('fold' in r ? r.fold.taskIds.length + r.inner : 1), 0);
    lines.push(`${' '.repeat(nameW + 1)}… ${trace.tasks.length - drawn} more task(s) not shown`);
  }
  if (hasCallbacks) {
    const cells = new Array<Cell>(laneW).fill(Cell.Dead);
    for (const c of trace.callbacks) cells[toCol(c.t)] = Cell.Callback;
    row('callbacks', cells, notes[notes.length - 1]);
  }

  // The axis: a rule with a tick every `step`, labels under the ticks that fit without overlapping.
  // Over a fitted span the ticks stay on round times (from the first one inside it).
  const step = tickStep(span, Math.max(2, Math.floor(laneW / 12)));
  const rule = new Array<string>(laneW).fill('─');
  const labels = new Array<string>(laneW + 12).fill(' ');
  let nextFree = 0;
  const k0 = Math.ceil(from / step - 1e-9);
  for (let k = k0; k * step <= to + 1e-9; k++) {
    const t = k * step;
    const col = Math.min(laneW - 1, Math.max(0, Math.round(((t - from) / span) * laneW)));
    rule[col] = k === k0 && col === 0 ? '├' : '┼';
    const text = tickLabel(t, step);
    if (col >= nextFree && col + text.length <= labels.length) {
      for (let c = 0; c < text.length; c++) labels[col + c] = text[c];
      nextFree = col + text.length + 1;
    }
  }
  rule[0] = '├';
  if (rule[laneW - 1] === '─') rule[laneW - 1] = '┤';
  lines.push(' '.repeat(nameW + 1) + rule.join(''));
  // The last label may hang past the lanes into the notes column, never past the width.
  lines.push([...(' '.repeat(nameW + 1) + labels.join('')).trimEnd()].slice(0, width).join(''));

  const legend = ['█ running', '░ suspended'];
  if (trace.tasks.some((t) => t.segments.some((s) => s.state === 'suspended' && s.kind === 'scheduled')))
    legend.push('╌ scheduled');
  if (trace.tasks.some((t) => t.segments.some((s) => s.state === 'suspended' && s.kind === 'yield')))
    legend.push('· yielded');
  if (trace.tasks.some((t) => t.settled?.state === 'rejected')) legend.push('✗ rejected');
  if (trace.tasks.some((t) => t.settled?.state === 'cancelled')) legend.push('⊘ cancelled');
  if (hasCallbacks) legend.push('• callback');
  if (auto) legend.push(`axis: where work happened, of ${formatDuration(end)}`);
  lines.push(truncate(' '.repeat(nameW + 1) + legend.join('  '), width));
  return lines.join('\n');
}

/** How the run ended: `exited (code 0)`, `stopped by timeout (signal SIGINT)`, `crashed (code 1): Error: boom at a.ts:3:9`. */
export function describeExit(trace: Trace): string {
  const exit = trace.exit;
  if (!exit) return 'still running';
  const how = exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`;
  switch (exit.reason) {
    case 'exited':
      return `exited (${how})`;
    case 'timeout':
      return `stopped by timeout (${how})`;
    case 'stopped':
      return `stopped (${how})`;
    case 'crashed': {
      const err = exit.error;
      const where = err?.site ? ` at ${err.site.file}:${err.site.line}:${err.site.column}` : '';
      return `crashed (${how})${err ? `: ${truncate(err.message.split('\n')[0], 80)}${where}` : ''}`;
    }
  }
}

/**
 * One line about the whole run: `examples/workers.ts: 3 tasks, 3 yields, 2.00 s, exited (code 0)`,
 * plus the longest blocking stretch when a task held the event loop, and a truncation warning.
 */
export function summarizeTrace(trace: Trace): string {
  const stats = computeStats(trace);
  const parts = [
    `${stats.totals.tasks} task${stats.totals.tasks === 1 ? '' : 's'}`,
    `${stats.totals.yields} yield${stats.totals.yields === 1 ? '' : 's'}`,
  ];
  if (trace.callbacks.length)
    parts.push(`${trace.callbacks.length} callback${trace.callbacks.length === 1 ? '' : 's'}`);
  const workers = trace.groups?.filter((g) => g.kind === 'worker').length ?? 0;
  const processes = trace.groups?.filter((g) => g.kind === 'process').length ?? 0;
  if (processes) parts.push(`${processes} process${processes === 1 ? '' : 'es'}`);
  if (workers) parts.push(`${workers} worker thread${workers === 1 ? '' : 's'}`);
  parts.push(formatDuration(trace.durationMs), describeExit(trace));
  // A running stretch still open at the end is where the program stopped (process.exit, a
  // crash, a timeout), not a task hogging the loop: only closed stretches count as blocking.
  const closed = stats.blocking.filter((b) =>
    trace.tasks.some(
      (t) =>
        t.id === b.taskId &&
        t.segments.some((s) => s.state === 'running' && s.start === b.start && s.end !== null),
    ),
  );
  const worst = closed.reduce<(typeof closed)[number] | null>(
    (a, b) => (!a || b.durationMs > a.durationMs ? b : a),
    null,
  );
  if (worst) parts.push(`longest blocking run: ${worst.taskName} ${formatDuration(worst.durationMs)}`);
  if (trace.truncated) parts.push(`TRUNCATED after ${trace.eventCount} events`);
  return `${trace.entry}: ${parts.join(', ')}`;
}
