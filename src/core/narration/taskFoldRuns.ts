/**
 * Many similar tasks told as one: after repetition is folded (`fold.ts`), a stretch of steps taken
 * only by members of one task fold (`core/taskFolds.ts`: tasks of one definition created by one
 * parent, a server's 40 `GET /user/:id` handlers), with the loop's idle gaps between them, becomes
 * one `repeat` step: `GET /user/:id ×40 (tasks of one function, created by main): 120 steps …;
 * the first: …`. It catches what back-to-back repetition cannot: handlers whose steps interleave
 * (request 3 starts before request 2 resumes). Its members are the steps, unchanged.
 */
import type { Step } from '../../protocol/trace';
import { formatDuration } from '../duration';
import type { TaskFold } from '../taskFolds';
import type { NarrationContext } from './context';

const KIND_WORDS: Partial<Record<Step['kind'], [string, string]>> = {
  start: ['start', 'starts'],
  resume: ['resume', 'resumes'],
  continue: ['return to the caller', 'returns to the caller'],
  callback: ['callback', 'callbacks'],
  idle: ['idle gap', 'idle gaps'],
};

function sentence(run: Step[], fold: TaskFold, members: number, ctx: NarrationContext): string {
  const counts = new Map<Step['kind'], number>();
  for (const s of run) counts.set(s.kind, (counts.get(s.kind) ?? 0) + 1);
  const what = [...counts]
    .map(([k, n]) => {
      const [one, many] = KIND_WORDS[k] ?? [k, k];
      return `${n} ${n === 1 ? one : many}`;
    })
    .join(', ');
  const by = fold.parentId !== null ? `created by ${ctx.name(fold.parentId)}` : 'started by the event loop';
  const of = members === fold.taskIds.length ? '' : ` of ${fold.taskIds.length}`;
  const first = run[0];
  const last = run[run.length - 1];
  return (
    `${fold.name} ×${members}${of} (tasks of one function, ${by}) take ${run.length} steps from ` +
    `${formatDuration(first.t)} to ${formatDuration(last.end)} (${what}); each runs ${formatDuration(fold.run.p50)} ` +
    `and waits ${formatDuration(fold.wait.p50)} (p50); the first: ${first.text}`
  );
}

/**
 * Folds the runs of steps (in `steps`, already folded by repetition) taken by members of one task
 * fold. `plain(step)` says whether a step is an ordinary one (not a fold already); runs are at least
 * 3 steps by at least `minMembers` distinct members, begin and end with a member's step, and may
 * hold idle gaps in between.
 */
export function foldTaskRuns(
  steps: Step[],
  foldOf: Map<number, TaskFold>,
  ctx: NarrationContext,
  minMembers: number,
): Step[] {
  if (!foldOf.size) return steps;
  const foldAt = (s: Step): TaskFold | undefined =>
    s.kind === 'repeat' || s.kind === 'idle' || s.kind === 'end' ? undefined : foldOf.get(s.taskIds[0]);
  const out: Step[] = [];
  let i = 0;
  while (i < steps.length) {
    const fold = foldAt(steps[i]);
    if (!fold) {
      out.push(steps[i++]);
      continue;
    }
    // Extend over members of the same fold (same group) and idle gaps; end at the last member step.
    let j = i;
    let lastMember = i;
    const actors = new Set<number>([steps[i].taskIds[0]]);
    while (j + 1 < steps.length) {
      const next = steps[j + 1];
      if ((next.group ?? 0) !== (steps[i].group ?? 0)) break;
      if (next.kind === 'idle') {
        j++;
        continue;
      }
      if (foldAt(next) !== fold) break;
      j++;
      lastMember = j;
      actors.add(next.taskIds[0]);
    }
    const run = steps.slice(i, lastMember + 1);
    if (run.length < 3 || actors.size < minMembers) {
      out.push(steps[i++]);
      continue;
    }
    const ids = new Set<number>();
    const output: string[] = [];
    for (const s of run) {
      for (const id of s.taskIds) ids.add(id);
      for (const line of s.output) output.push(line);
    }
    const label = ctx.groupLabel(run[0].group ?? 0);
    const text = sentence(run, fold, actors.size, ctx);
    out.push({
      kind: 'repeat',
      t: run[0].t,
      end: run[run.length - 1].end,
      taskIds: [...ids],
      ...(run[0].group !== undefined ? { group: run[0].group } : {}),
      site: run[0].site,
      output,
      // The members' own texts already carry the group label.
      text: label ? `[${label}] ${text.replace(`the first: [${label}] `, 'the first: ')}` : text,
      members: run,
    });
    i = lastMember + 1;
  }
  return out;
}
