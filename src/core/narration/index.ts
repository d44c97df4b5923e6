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
import {
  aloneIds,
  collectGroup,
  DEFAULT_HOLD_MS,
  DEFAULT_IDLE_MS,
  interner,
  RawSteps,
  type Words,
} from './collect';
import { narrationContext, type NarrationContext } from './context';
import { foldIndexed, repeatStep } from './fold';
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

function pushEnd(steps: RawSteps, trace: Trace, t: number): void {
  const { ctx } = steps.words;
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
  steps.push(
    'end',
    t,
    trace.durationMs,
    0,
    pending.map((p) => p.id),
    null,
    null,
    0,
    0,
    0,
    say,
  );
}

/** The sentence of `times` blocks of `k` raw steps from `from`. */
function wordFolded(steps: RawSteps, from: number, k: number, times: number, ctx: NarrationContext): string {
  // Who acts, by distinct task first (numbers, cheap over a million members), then by name.
  const ids = new Set<number>();
  const to = from + k * times;
  for (let i = from; i < to; i++) if (steps.kindOf(i) !== 'idle') ids.add(steps.taskIds[i][0]);
  const actors = [...new Set([...ids].map((id) => ctx.name(id)))];
  const who =
    actors.length > 6 ? `${actors.slice(0, 5).join(', ')}, … ${actors.length - 5} more` : actors.join(', ');
  if (k === 1) return `${times} steps alike (${who}); the first: ${steps.draft(from).text}`;
  const block: string[] = [];
  for (let i = from; i < from + k; i++) block.push(steps.draft(i).text);
  return `${times}× the same ${k} steps (${who}); the first time: ${block.join(' Then ')}`;
}

/** Raw steps `from` … `from + k * times - 1` as one `repeat` step (members made when read). */
function foldedStep(steps: RawSteps, from: number, k: number, times: number, ctx: NarrationContext): Step {
  const n = k * times;
  const to = from + n;
  const ids = new Set<number>();
  const output: string[] = [];
  const printed = steps.output.size > 0;
  for (let i = from; i < to; i++) {
    const own = steps.taskIds[i];
    for (let j = 0; j < own.length; j++) ids.add(own[j]);
    const lines = printed ? steps.output.get(i) : undefined;
    if (lines) for (const line of lines) output.push(line);
  }
  const group = steps.group[from];
  const label = ctx.groupLabel(group);
  const text = wordFolded(steps, from, k, times, ctx);
  return repeatStep(
    {
      kind: 'repeat',
      t: steps.t[from],
      end: steps.end[to - 1],
      taskIds: [...ids],
      ...(group !== 0 ? { group } : {}),
      site: steps.siteOf(from),
      output,
      text: label ? `[${label}] ${text}` : text,
    },
    () => {
      const members: Step[] = new Array<Step>(n);
      for (let i = 0; i < n; i++) members[i] = steps.draft(from + i).plain();
      return members;
    },
  );
}

/** The groups' raw steps as one list in time order (ties: the earlier group's first, as `mergeSorted`). */
function mergeGroups(perGroup: RawSteps[], words: Words): RawSteps {
  const live = perGroup.filter((g) => g.length > 0);
  if (live.length === 1) return live[0];
  const out = new RawSteps(words, live.reduce((n, g) => n + g.length, 0) + 1);
  if (!live.length) return out;
  const lists = live.map((g, k) => Array.from({ length: g.length }, (_, i) => [k, i] as const));
  for (const [k, i] of mergeSorted(lists, (a, b) => live[a[0]].t[a[1]] - live[b[0]].t[b[1]]))
    out.copy(live[k], i);
  return out;
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
  const words: Words = {
    ctx,
    holdMs: options.holdMs ?? DEFAULT_HOLD_MS,
    alone: aloneIds(),
    fileId: interner(),
    endCode: interner(),
  };
  const perGroup: RawSteps[] = [];
  for (const g of groups)
    perGroup.push(
      collectGroup(pieces.get(g), callbacksByGroup.get(g) ?? [], tasksByGroup.get(g) ?? [], g, words, idleMs),
    );
  // Each group's steps are in time order: merge them (ties: the group met first).
  const steps = mergeGroups(perGroup, words);
  perGroup.length = 0;
  let last = 0;
  for (let i = 0; i < steps.length; i++) if (steps.end[i] > last) last = steps.end[i];
  pushEnd(steps, trace, last);
  for (let i = 0; i + 1 < steps.length; i++)
    if (steps.kindOf(i) !== 'idle') steps.end[i] = Math.max(steps.end[i], steps.t[i + 1]);
  attachOutput(steps, trace.output);

  // Top-level steps are plain objects with their sentence written; a folded step's members are
  // made when read, their sentences written then.
  if (options.fold === false) {
    const out: Step[] = new Array<Step>(steps.length);
    for (let i = 0; i < steps.length; i++) out[i] = steps.draft(i).plain();
    return out;
  }
  const folded = foldIndexed(
    steps.length,
    (a, b) => steps.same(a, b),
    (i) => steps.draft(i).plain(),
    (i, k, times) => foldedStep(steps, i, k, times, ctx),
  );
  // Then what repetition could not fold: the interleaved steps of many tasks of one function.
  const minMembers = options.foldTasks ?? DEFAULT_FOLD_MIN;
  if (minMembers <= 0) return folded;
  return foldTaskRuns(folded, foldOfTask(taskFolds(trace, { minMembers })), ctx, minMembers);
}
