/**
 * Everything the editor shows about a trace, computed as plain data: the after-line hints on
 * await and task-creation lines, blocking warnings, hover Markdown, and the summary CodeLens
 * titles. The `src/extension/` adapters only map these onto the VS Code API.
 *
 * Lines are 1-based, as in the trace. Hover Markdown uses `command:` links, so the adapter must
 * mark it trusted for exactly the command id passed in {@link HintOptions.showCommand}.
 */
import type { CallbackKind, CriticalStep, TaskRecord, Trace } from '../protocol/trace';
import { criticalPath, criticalShare } from './criticalPath';
import { combinatorLabel, waitTargetLabel } from './waitLabels';
import { computeStats, type TraceStats } from './stats';
import { groupIdOf } from './timeline/laneGroups';
import { formatDuration } from './duration';
import { DEFAULT_BLOCKING_THRESHOLD_MS } from './blocking';

/** What a hint is about; the adapter picks a decoration style per kind. */
export type HintKind = 'await' | 'create' | 'blocking' | 'callback';

export interface LineHint {
  /** 1-based line in the source file. */
  line: number;
  kind: HintKind;
  /** The short after-line text. */
  label: string;
  /** Markdown for the hover (a table plus a "Show in timeline" command link). */
  hover: string;
  /** The tasks this hint is about (what "Show in timeline" reveals). */
  taskIds: number[];
}

export interface LensHint {
  /** 1-based line of the function definition. */
  line: number;
  /** 1-based column of the definition (several functions may share a line). */
  column: number;
  title: string;
  taskIds: number[];
}

export interface FileHints {
  lines: LineHint[];
  lenses: LensHint[];
}

export interface HintOptions {
  /** Command id behind the "Show in timeline" links; it receives `{ taskIds }`. */
  showCommand: string;
  /** Blocking threshold (core/blocking.ts); used when `stats` is not given. Default 50. */
  blockingThresholdMs?: number;
  /** Precomputed stats of the same trace (saves a pass when several files are shown). */
  stats?: TraceStats;
  /** At most this many rows in a hover table. Default 20. */
  maxHoverRows?: number;
  /** The trace's critical path, when already computed (else `trace.criticalPath`, else computed here). */
  criticalPath?: CriticalStep[];
}

/** Durations print one way across the product (src/core/duration.ts); re-exported for existing importers. */
export { formatDuration };

/** A point on the trace's time axis: `0.2 ms`, `1001 ms`, `2001 ms` (ms since the program started). */
export function formatTime(t: number): string {
  if (!Number.isFinite(t)) return '—';
  if (t < 10) return `${t.toFixed(1)} ms`;
  return `${Math.round(t)} ms`;
}

const CALLBACK_WORDS: Record<CallbackKind, string> = {
  then: '.then callback',
  catch: '.catch callback',
  finally: '.finally callback',
  done: 'done callback',
};

/** `2 calls`, `1 call`. */
function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** Escapes text for a Markdown table cell or inline text. */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()|<>~]/g, (c) => `\\${c}`).replace(/\r?\n/g, ' ');
}

/** The `command:` link URI for the "Show in timeline" command with these tasks. */
export function showInTimelineLink(command: string, taskIds: number[]): string {
  return `command:${command}?${encodeURIComponent(JSON.stringify([{ taskIds }]))}`;
}

/** `worker #3`, plus asyncio's own name when it says more (`worker #3 (Task-3)`, `worker #3 (fetch-a)`). */
function taskLabel(task: TaskRecord | undefined, id: number): string {
  if (!task) return `#${id}`;
  const own = task.taskName && task.taskName !== task.name ? ` (${task.taskName})` : '';
  return `${task.name} #${id}${own}`;
}

/** A task's end state for a hover cell: `rejected: ValueError: boom` when the trace has the error. */
function stateLabel(task: TaskRecord | undefined, state: string): string {
  const error = state === 'rejected' ? task?.settled?.error?.split('\n')[0].trim() : undefined;
  return error ? `${state}: ${error}` : state;
}

/** Each trace's critical-path share per task, computed once per trace object (hints are asked per file, often). */
const shares = new WeakMap<Trace, Map<number, number>>();

function pathShare(trace: Trace): Map<number, number> {
  let share = shares.get(trace);
  if (!share) shares.set(trace, (share = criticalShare(trace.criticalPath ?? criticalPath(trace))));
  return share;
}

/**
 * Computes every hint and lens for one source file of a trace.
 * @param file the file as the trace names it (relative to the trace's cwd, `/` separators).
 */
export function computeFileHints(trace: Trace, file: string, options: HintOptions): FileHints {
  const stats =
    options.stats ?? computeStats(trace, { blockingThresholdMs: options.blockingThresholdMs ?? DEFAULT_BLOCKING_THRESHOLD_MS });
  const maxRows = options.maxHoverRows ?? 20;
  const tasks = new Map(trace.tasks.map((t) => [t.id, t]));
  // Several threads/processes: each task says which one it ran on (`crunch #11 · worker 1`).
  const groups = trace.groups && trace.groups.length > 1 ? new Map(trace.groups.map((g) => [g.id, g.label])) : null;
  const where = (id: number) => {
    const t = tasks.get(id);
    const label = groups && t ? groups.get(groupIdOf(t)) : undefined;
    return label ? ` · ${label}` : '';
  };
  const name = (id: number) => escapeMarkdown(taskLabel(tasks.get(id), id) + where(id));
  const names = (ids: number[]) => (ids.length ? ids.map(name).join(', ') : '—');
  const link = (ids: number[]) => `[Show in timeline](${showInTimelineLink(options.showCommand, ids)})`;
  const more = (n: number) => (n > maxRows ? `\n\n… and ${n - maxRows} more` : '');
  const lines: LineHint[] = [];

  // A suspension on no task: what Python says it waited on, else what JavaScript awaits.
  const plain = trace.language === 'python' ? 'a future' : 'a plain promise';
  for (const s of stats.sites) {
    if (s.site.file !== file) continue;
    const verb = s.kind === 'yield' ? 'yielded' : 'waited';
    const parts = [`⏸ ${s.count}× · ${verb} ${formatDuration(s.totalMs)}`];
    if (s.count > 1 && Math.abs(s.maxMs - s.totalMs / s.count) > 0.005)
      parts.push(`max ${formatDuration(s.maxMs)}`);
    if (s.pending > 0) parts.push(`${s.pending} never resumed`);
    const rows = s.suspensions.slice(0, maxRows).map((x) => {
      const on = x.awaits.length
        ? names(x.awaits) + (x.combinator ? ` (${combinatorLabel(x.combinator)})` : '')
        : x.waitsFor
          ? waitTargetLabel(x.waitsFor)
          : plain;
      const resumed = x.end === null ? 'never' : formatTime(x.end) + (x.threw ? ' (threw)' : '');
      const by = x.end === null ? '—' : x.resumedBy != null ? name(x.resumedBy) : '—';
      return `| ${name(x.taskId)} | ${formatTime(x.start)} | ${resumed} | ${formatDuration(x.durationMs)} | ${on} | ${by} |`;
    });
    const hover = [
      `**${escapeMarkdown(s.kind)}** at line ${s.site.line}: suspended ${plural(s.count, 'time')}, ${verb} ${formatDuration(s.totalMs)} in total`,
      '',
      '| task | suspended at | resumed at | waited | waited on | resumed by |',
      '|---|---:|---:|---:|---|---|',
      ...rows,
    ].join('\n');
    lines.push({
      line: s.site.line,
      kind: 'await',
      label: parts.join(' · '),
      hover: hover + more(s.suspensions.length) + '\n\n' + link(s.taskIds),
      taskIds: s.taskIds,
    });
  }

  for (const c of stats.creations) {
    if (c.site.file !== file) continue;
    const first = c.tasks[0]!;
    const lastEnd = c.tasks.every((t) => t.settled !== null)
      ? Math.max(...c.tasks.map((t) => t.settled as number))
      : null;
    const who =
      c.tasks.length === 1
        ? taskLabel(tasks.get(first.id), first.id)
        : `${first.name} ×${c.tasks.length} (#${first.id}…#${c.tasks[c.tasks.length - 1]!.id})`;
    const rejected = c.tasks.filter((t) => t.state === 'rejected').length;
    const cancelled = c.tasks.filter((t) => t.state === 'cancelled').length;
    // One task that raised: say what (`· rejected: ValueError: boom`); several: how many.
    const rejectedText =
      c.tasks.length === 1 && rejected ? ` · ${stateLabel(tasks.get(first.id), 'rejected')}` : rejected ? ` · ${rejected} rejected` : '';
    const label = `→ ${who} · ${formatTime(first.created)} → ${lastEnd === null ? 'pending' : formatTime(lastEnd)}${rejectedText}${cancelled ? ` · ${cancelled} cancelled` : ''}`;
    // Python tasks wait for the loop before their first step: say how long (the seed's point).
    const scheduled = c.tasks.some((t) => t.scheduledMs > 0);
    const rows = c.tasks
      .slice(0, maxRows)
      .map(
        (t) =>
          `| ${name(t.id)} | ${formatTime(t.created)} |${scheduled ? ` ${formatDuration(t.scheduledMs)} |` : ''} ${t.settled === null ? '—' : formatTime(t.settled)} | ${t.settled === null ? '—' : formatDuration(t.settled - t.created)} | ${escapeMarkdown(stateLabel(tasks.get(t.id), t.state))} |`,
      );
    const hover = [
      `**${plural(c.tasks.length, 'task')} created** at line ${c.site.line}`,
      ...(scheduled ? ['', '*Scheduled*: created here, the task first ran when the event loop got to it.'] : []),
      '',
      `| task | created at |${scheduled ? ' scheduled for |' : ''} settled at | lifetime | state |`,
      `|---|---:|${scheduled ? '---:|' : ''}---:|---:|---|`,
      ...rows,
    ].join('\n');
    const ids = c.tasks.map((t) => t.id);
    lines.push({
      line: c.site.line,
      kind: 'create',
      label,
      hover: hover + more(c.tasks.length) + '\n\n' + link(ids),
      taskIds: ids,
    });
  }

  // One warning per line: the longest stretch that began there, and how many there were.
  const blockingByLine = new Map<number, typeof stats.blocking>();
  for (const b of stats.blocking) {
    if (!b.site || b.site.file !== file) continue;
    const list = blockingByLine.get(b.site.line) ?? [];
    list.push(b);
    blockingByLine.set(b.site.line, list);
  }
  for (const [line, list] of blockingByLine) {
    const worst = list.reduce((a, b) => (b.durationMs > a.durationMs ? b : a));
    const delayed = [...new Set(list.flatMap((b) => b.delayedTaskIds))];
    const times = list.length > 1 ? ` (${list.length}×)` : '';
    const label =
      `⚠ ran ${formatDuration(worst.durationMs)} without yielding${times}` +
      (delayed.length
        ? ` · delayed ${plural(delayed.length, 'task')} up to ${formatDuration(Math.max(...list.map((b) => b.delayMs)))}`
        : '');
    const rows = list
      .slice(0, maxRows)
      .map(
        (b) =>
          `| ${name(b.taskId)} | ${formatTime(b.start)} | ${formatTime(b.end)} | ${formatDuration(b.durationMs)} | ${names(b.delayedTaskIds)} |`,
      );
    const hover = [
      `**Blocked the event loop**: a coroutine ran without yielding from this line; nothing else could run meanwhile.`,
      '',
      '| task | from | to | ran | kept waiting |',
      '|---|---:|---:|---:|---|',
      ...rows,
    ].join('\n');
    const ids = [...new Set([...list.map((b) => b.taskId), ...delayed])];
    lines.push({
      line,
      kind: 'blocking',
      label,
      hover: hover + more(list.length) + '\n\n' + link(ids),
      taskIds: ids,
    });
  }

  // Callbacks registered on a line (`.then(…)`, Python's `add_done_callback(…)`): when they ran.
  const callbacksByLine = new Map<number, Trace['callbacks']>();
  for (const cb of trace.callbacks) {
    if (!cb.site || cb.site.file !== file) continue;
    const list = callbacksByLine.get(cb.site.line) ?? [];
    list.push(cb);
    callbacksByLine.set(cb.site.line, list);
  }
  for (const [line, list] of callbacksByLine) {
    const kinds = [...new Set(list.map((c) => c.kind))];
    const what = kinds.length === 1 ? CALLBACK_WORDS[kinds[0]] : 'callback';
    const first = Math.min(...list.map((c) => c.t));
    const last = Math.max(...list.map((c) => c.t));
    const label = `↩ ${list.length}× ${what}${list.length === 1 ? '' : 's'} · ${formatTime(first)}${list.length > 1 ? ` → ${formatTime(last)}` : ''}`;
    const rows = list.slice(0, maxRows).map((c) => {
      const t = tasks.get(c.taskId);
      return `| ${name(c.taskId)} | ${CALLBACK_WORDS[c.kind]} | ${formatTime(c.t)} | ${t?.settled?.state ?? 'pending'} |`;
    });
    const done = kinds.includes('done')
      ? ['', '*Done callbacks* run once the task has finished, whether it returned, raised or was cancelled.']
      : [];
    const hover = [
      `**${plural(list.length, 'callback')} ran** from line ${line}`,
      ...done,
      '',
      '| on task | kind | ran at | task ended |',
      '|---|---|---:|---|',
      ...rows,
    ].join('\n');
    const ids = [...new Set(list.map((c) => c.taskId))];
    lines.push({ line, kind: 'callback', label, hover: hover + more(list.length) + '\n\n' + link(ids), taskIds: ids });
  }

  const lenses: LensHint[] = [];
  // How much of the critical path each function's tasks account for (running and waiting on it).
  const share = options.criticalPath ? criticalShare(options.criticalPath) : pathShare(trace);
  for (const f of stats.functions) {
    if (!f.definition || f.definition.file !== file || f.kind === 'module') continue;
    // When every rejected call raised the same thing, the lens says what (`1 rejected: ValueError: boom`).
    const errors = new Set(
      f.taskIds.map((id) => tasks.get(id)).filter((t) => t?.settled?.state === 'rejected').map((t) => stateLabel(t, 'rejected')),
    );
    const why = errors.size === 1 ? [...errors][0].slice('rejected'.length) : '';
    const rejected = (f.rejected ? ` · ${f.rejected} rejected${why.length > 80 ? why.slice(0, 79) + '…' : why}` : '') + (f.cancelled ? ` · ${f.cancelled} cancelled` : '');
    const onPath = f.taskIds.reduce((sum, id) => sum + (share.get(id) ?? 0), 0);
    const critical = onPath > 0 ? ` · ${formatDuration(onPath)} on the critical path` : '';
    const title = `${plural(f.calls, 'call')} · ${plural(f.yields, 'yield')} · waited ${formatDuration(f.waitedMs)} · ran ${formatDuration(f.ranMs)}${critical}${rejected} — Show in timeline`;
    lenses.push({ line: f.definition.line, column: f.definition.column, title, taskIds: f.taskIds });
  }

  lines.sort((a, b) => a.line - b.line || a.kind.localeCompare(b.kind));
  lenses.sort((a, b) => a.line - b.line || a.column - b.column);
  return { lines, lenses };
}

/** The files a trace has something to say about (sites, creations, definitions). */
export function filesWithHints(trace: Trace): string[] {
  const files = new Set<string>();
  for (const t of trace.tasks) {
    if (t.definition) files.add(t.definition.file);
    if (t.created.site) files.add(t.created.site.file);
    for (const s of t.segments) if (s.state === 'suspended' && s.site) files.add(s.site.file);
  }
  return [...files];
}
