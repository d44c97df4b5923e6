/**
 * Narration: a trace told step by step, like the seed article's walk-through of workers.py. A step
 * is a moment where control changes hands or the loop goes idle: a task starts (JavaScript: at
 * once, inside its caller; Python: when the loop gets to a task `create_task` scheduled), parks at
 * an await naming what it waits on, resumes naming what woke it, finishes; a callback runs; nothing
 * runs. Each step has its time, tasks, site, output lines and one sentence; repetition is folded.
 *
 * Pure and linear-ish: one pass per group over its pieces of running (`runPieces`), groups merged
 * by time, sentences written only for the steps that are read (a folded step's members on demand).
 */
import type { Step, Trace } from '../../protocol/trace';
import { describeExit, formatDuration } from '../textTimeline';
import { pieceTables } from '../runPieces';
import { mergeSorted } from '../mergeSorted';
import { aloneIds, collectGroup, DEFAULT_HOLD_MS, DEFAULT_IDLE_MS, Draft, type Words } from './collect';
import { narrationContext, type NarrationContext } from './context';
import { foldSteps } from './fold';
import { foldTaskRuns } from './taskFoldRuns';
import { DEFAULT_FOLD_MIN, foldOfTask, taskFolds } from '../taskFolds';
import { attachOutput } from './output';

export interface NarrateOptions {
  /** Quiet stretches at least this long are idle steps. Default 1 ms. */
  idleMs?: number;
  /** A stretch of one task's own code at least this long is said to hold the loop. Default 50 ms. */
  holdMs?: number;
  /** Fold repeated steps into `repeat` steps (default true). */
  fold?: boolean;
  /**
   * Fold the steps of many tasks of one function and parent (`core/taskFolds.ts`), this many at
   * least (default 3), into one `repeat` step even when their steps interleave; 0: do not.
   */
  foldTasks?: number;
}

function endDraft(trace: Trace, t: number, words: Words): Draft {
  const { ctx } = words;
  const pending = trace.tasks.filter((task) => !task.settled);
  const never = pending.length
    ? `; ${pending.length} task${pending.length === 1 ? '' : 's'} never finished (${pending
        .slice(0, 4)
        .map((p) => {
          const last = p.segments[p.segments.length - 1];
          return `${ctx.name(p.id)}${last?.state === 'suspended' ? ` at ${ctx.where(last.site)}` : ''}`;
        })
        .join(', ')}${pending.length > 4 ? ', …' : ''})`
    : '';
  const cut = trace.truncated
    ? `; the trace is truncated after ${trace.eventCount} events: later events were not recorded`
    : '';
  const say = (lines: number) =>
    `the run ends at ${formatDuration(trace.durationMs)}: ${describeExit(trace)}${never}${cut}${lines ? `; ${lines} more line${lines === 1 ? '' : 's'} of output` : ''}.`;
  return Draft.other(
    'end',
    t,
    trace.durationMs,
    0,
    pending.map((p) => p.id),
    null,
    words,
    say,
  );
}

function wordFolded(members: Step[], k: number, times: number, ctx: NarrationContext): string {
  // Who acts, by distinct task first (numbers, cheap over a million members), then by name.
  const ids = new Set<number>();
  for (const m of members) if (m.kind !== 'idle') ids.add(m.taskIds[0]);
  const actors = [...new Set([...ids].map((id) => ctx.name(id)))];
  const who =
    actors.length > 6 ? `${actors.slice(0, 5).join(', ')}, … ${actors.length - 5} more` : actors.join(', ');
  if (k === 1) return `${times} steps alike (${who}); the first: ${members[0].text}`;
  const block = members
    .slice(0, k)
    .map((m) => m.text)
    .join(' Then ');
  return `${times}× the same ${k} steps (${who}); the first time: ${block}`;
}

/** The trace's steps in time order (groups interleaved, each step naming its group). */
export function narrate(trace: Trace, options: NarrateOptions = {}): Step[] {
  const ctx = narrationContext(trace);
  const idleMs = options.idleMs ?? DEFAULT_IDLE_MS;
  const pieces = pieceTables(trace);
  const tasksByGroup = new Map<number, Trace['tasks']>();
  for (const t of trace.tasks) {
    const g = t.group ?? 0;
    let list = tasksByGroup.get(g);
    if (!list) tasksByGroup.set(g, (list = []));
    list.push(t);
  }
  const callbacksByGroup = new Map<number, Trace['callbacks']>();
  for (const c of [...trace.callbacks].sort((a, b) => a.t - b.t)) {
    const g = ctx.tasks.get(c.taskId)?.group ?? 0;
    let list = callbacksByGroup.get(g);
    if (!list) callbacksByGroup.set(g, (list = []));
    list.push(c);
  }
  const groups = new Set([...tasksByGroup.keys(), ...callbacksByGroup.keys()]);
  const words: Words = { ctx, holdMs: options.holdMs ?? DEFAULT_HOLD_MS, alone: aloneIds() };
  const perGroup: Draft[][] = [];
  for (const g of groups)
    perGroup.push(
      collectGroup(pieces.get(g), callbacksByGroup.get(g) ?? [], tasksByGroup.get(g) ?? [], g, words, idleMs),
    );
  // Each group's steps are in time order: merge them (ties: the group met first).
  const drafts = mergeSorted(perGroup, (a, b) => a.t - b.t);
  perGroup.length = 0;
  let last = 0;
  for (const d of drafts) if (d.end > last) last = d.end;
  drafts.push(endDraft(trace, last, words));
  for (let i = 0; i + 1 < drafts.length; i++)
    if (drafts[i].kind !== 'idle') drafts[i].end = Math.max(drafts[i].end, drafts[i + 1].t);
  attachOutput(drafts, trace.output);

  // Top-level steps are plain objects with their sentence written; a folded step's members stay
  // drafts, whose sentences are written when read (or serialized).
  if (options.fold === false) return drafts.map((d) => d.plain());
  const folded = foldSteps(
    drafts,
    Draft.same,
    (d) => d.plain(),
    (members, k, times) => {
      const label = ctx.groupLabel(members[0].group ?? 0);
      const text = wordFolded(members, k, times, ctx);
      return label ? `[${label}] ${text}` : text;
    },
  );
  // Then what repetition could not fold: the interleaved steps of many tasks of one function.
  const minMembers = options.foldTasks ?? DEFAULT_FOLD_MIN;
  if (minMembers <= 0) return folded;
  return foldTaskRuns(folded, foldOfTask(taskFolds(trace, { minMembers })), ctx, minMembers);
}
