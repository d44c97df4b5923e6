/**
 * Narration: a trace told step by step, like the seed article's walk-through of workers.py. A step
 * is a moment where control changes hands or the loop goes idle: a task starts (JavaScript: at
 * once, inside its caller; Python: when the loop gets to a task `create_task` scheduled), parks at
 * an await naming what it waits on, resumes naming what woke it, finishes; a callback runs; nothing
 * runs. Each step has its time, tasks, site, output lines and one sentence; repetition is folded.
 *
 * Pure and linear-ish: one pass per group over its pieces of running (`runPieces`), one sort.
 */
import type { Step, Trace } from '../../protocol/trace';
import { describeExit, formatDuration } from '../textTimeline';
import { runPieces } from '../runPieces';
import { collectGroup, DEFAULT_IDLE_MS, NO_OUTPUT, type Draft } from './collect';
import { narrationContext, type NarrationContext } from './context';
import { foldSteps } from './fold';
import { attachOutput } from './output';

export interface NarrateOptions {
  /** Quiet stretches at least this long are idle steps. Default 1 ms. */
  idleMs?: number;
  /** A stretch of one task's own code at least this long is said to hold the loop. Default 50 ms. */
  holdMs?: number;
  /** Fold repeated steps into `repeat` steps (default true). */
  fold?: boolean;
}

function endDraft(trace: Trace, t: number, ctx: NarrationContext): Draft {
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
  return {
    kind: 'end',
    t,
    end: trace.durationMs,
    group: 0,
    taskIds: pending.map((p) => p.id),
    site: null,
    output: NO_OUTPUT,
    sig: 'end',
    say: (lines) =>
      `the run ends at ${formatDuration(trace.durationMs)}: ${describeExit(trace)}${never}${cut}${lines ? `; ${lines} more line${lines === 1 ? '' : 's'} of output` : ''}.`,
  };
}

function wordFolded(members: Step[], k: number, times: number, ctx: NarrationContext): string {
  const actors = [
    ...new Set(members.map((m) => (m.kind === 'idle' ? '' : ctx.name(m.taskIds[0]))).filter(Boolean)),
  ];
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
  const pieces = runPieces(trace);
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
  let drafts: Draft[] = [];
  for (const g of groups) {
    const more = collectGroup(
      pieces.get(g) ?? [],
      callbacksByGroup.get(g) ?? [],
      tasksByGroup.get(g) ?? [],
      g,
      ctx,
      idleMs,
      options.holdMs,
    );
    // Not push(...more): a million drafts would overflow the call stack.
    drafts = drafts.length ? drafts.concat(more) : more;
  }
  if (groups.size > 1)
    drafts = drafts
      .map((d, i) => ({ d, i }))
      .sort((a, b) => a.d.t - b.d.t || a.i - b.i)
      .map((x) => x.d);
  const last = drafts.reduce((m, d) => Math.max(m, d.end), 0);
  drafts.push(endDraft(trace, last, ctx));
  for (let i = 0; i + 1 < drafts.length; i++)
    if (drafts[i].kind !== 'idle') drafts[i].end = Math.max(drafts[i].end, drafts[i + 1].t);
  attachOutput(drafts, trace.output);

  // Signatures never match across groups: a group's steps fold only with the same group's.
  const sigs = groups.size > 1 ? drafts.map((d) => `${d.group}|${d.sig}`) : drafts.map((d) => d.sig);
  const steps: Step[] = drafts.map((d) => {
    const label = ctx.groupLabel(d.group);
    return {
      kind: d.kind,
      t: d.t,
      end: d.end,
      taskIds: d.taskIds,
      ...(d.group !== 0 ? { group: d.group } : {}),
      site: d.site,
      output: d.output,
      text: (label ? `[${label}] ` : '') + d.say(d.output.length),
    };
  });
  drafts.length = 0; // the drafts' closures are done with: let them go before folding
  if (options.fold === false) return steps;
  return foldSteps(steps, sigs, (members, k, times) => {
    const label = ctx.groupLabel(members[0].group ?? 0);
    const text = wordFolded(members, k, times, ctx);
    return label ? `[${label}] ${text}` : text;
  });
}
