/**
 * The raw steps of one group, in time order: a step per piece of running, per callback, per idle
 * gap. Words come later (after the output is attached), so a draft keeps its facts and a
 * signature that says when two steps read the same (what folding compares).
 */
import type { CallbackRecord, StepKind, SourceSite, TaskRecord } from '../../protocol/trace';
import { callbackLabel } from '../waitLabels';
import { formatDuration } from '../textTimeline';
import type { RunPiece } from '../runPieces';
import type { NarrationContext } from './context';
import { IdleSweep } from './idle';
import { beginClause, endClause, printsClause, scheduledClause, sentence, type Before } from './pieceWords';

/** The output of a step that printed nothing: shared and frozen (a million steps, one array). */
export const NO_OUTPUT = Object.freeze([]) as unknown as string[];

export interface Draft {
  kind: StepKind;
  t: number;
  end: number;
  group: number;
  taskIds: number[];
  site: SourceSite | null;
  output: string[];
  /** Steps with equal signatures read alike (the same function doing the same thing at the same lines). */
  sig: string;
  /** The sentence, given how many lines it printed. */
  say(lines: number): string;
}

/** A quiet stretch shorter than this is the loop's own bookkeeping, not idleness. */
export const DEFAULT_IDLE_MS = 1;
/** A piece at least this long is said to hold the loop (the editor's default blocking threshold). */
export const DEFAULT_HOLD_MS = 50;

function pieceDraft(
  piece: RunPiece,
  ctx: NarrationContext,
  before: Before,
  scheduled: TaskRecord[],
  holdMs: number,
): Draft {
  const { task, seg } = piece;
  const prev = task.segments[seg - 1];
  const next = task.segments[seg + 1];
  const kind: StepKind = !piece.first
    ? 'continue'
    : prev && prev.state === 'suspended' && prev.kind !== 'scheduled'
      ? 'resume'
      : 'start';
  const site =
    kind === 'resume' && prev?.state === 'suspended'
      ? prev.site
      : kind === 'start'
        ? task.created.site
        : piece.last && next?.state === 'suspended'
          ? next.site
          : null;
  const others = new Set<number>();
  if (kind === 'start' && task.parentId !== null) others.add(task.parentId);
  if (kind === 'resume' && prev?.state === 'suspended' && prev.resumedBy != null) others.add(prev.resumedBy);
  if (piece.last && next?.state === 'suspended') for (const id of next.awaits) others.add(id);
  for (const c of scheduled) others.add(c.id);
  others.delete(task.id);
  const length = piece.end - piece.start;
  const ended = !piece.last
    ? 'call'
    : piece.open
      ? 'open'
      : next
        ? next.state === 'suspended'
          ? next.kind
          : ''
        : (task.settled?.state ?? 'cut');
  const endLine = piece.last && next?.state === 'suspended' ? (next.site?.line ?? 0) : 0;
  return {
    kind,
    t: piece.start,
    end: piece.end,
    group: piece.group,
    taskIds: others.size ? [task.id, ...others] : [task.id],
    site,
    output: NO_OUTPUT,
    // Cheap on purpose (a million steps): no sentence is written until it is asked for.
    sig: `${kind}|${task.name}|${site?.file ?? ''}:${site?.line ?? 0}|${ended}|${endLine}|${scheduled.length}`,
    say: (lines) => {
      const held =
        length >= holdMs && !piece.open ? `runs ${formatDuration(length)} without giving the loop back` : '';
      return sentence(beginClause(piece, ctx, before), [
        held,
        scheduledClause(scheduled, ctx),
        printsClause(lines),
        endClause(piece, ctx),
      ]);
    },
  };
}

function callbackDraft(c: CallbackRecord, ctx: NarrationContext, group: number): Draft {
  const at = ctx.where(c.site);
  const owner = ctx.tasks.get(c.taskId);
  const state = owner?.settled ? ` (${ctx.name(c.taskId)} ${owner.settled.state})` : '';
  return {
    kind: 'callback',
    t: c.t,
    end: c.t,
    group,
    taskIds: [c.taskId],
    site: c.site,
    output: NO_OUTPUT,
    sig: `callback|${c.kind}|${at}`,
    say: (lines) =>
      sentence(`the ${callbackLabel(c.kind)} attached at ${at} to ${ctx.name(c.taskId)}${state} runs`, [
        printsClause(lines),
      ]),
  };
}

/** Every raw step of one group's pieces and callbacks, with the idle gaps between them. */
export function collectGroup(
  pieces: RunPiece[],
  callbacks: CallbackRecord[],
  tasks: TaskRecord[],
  group: number,
  ctx: NarrationContext,
  idleMs: number,
  holdMs = DEFAULT_HOLD_MS,
): Draft[] {
  // Python tasks scheduled during a piece, by their creator, in creation order.
  const scheduledBy = new Map<number, TaskRecord[]>();
  for (const t of tasks) {
    const first = t.segments[1];
    if (t.parentId === null || !first || first.state !== 'suspended' || first.kind !== 'scheduled') continue;
    let list = scheduledBy.get(t.parentId);
    if (!list) scheduledBy.set(t.parentId, (list = []));
    list.push(t);
  }
  const cursor = new Map<number, number>();
  const takeScheduled = (piece: RunPiece): TaskRecord[] => {
    const list = scheduledBy.get(piece.task.id);
    if (!list) return [];
    let i = cursor.get(piece.task.id) ?? 0;
    const out: TaskRecord[] = [];
    while (i < list.length && list[i].created.t <= piece.end) out.push(list[i++]);
    cursor.set(piece.task.id, i);
    return out;
  };

  const sweep = new IdleSweep(tasks, ctx);
  const drafts: Draft[] = [];
  let busyUntil = -Infinity;
  let before: Before = {};
  const gap = (t: number) => {
    if (busyUntil === -Infinity || t - busyUntil < idleMs) return;
    sweep.advance(busyUntil);
    const { taskIds, what } = sweep.describe();
    const from = busyUntil;
    drafts.push({
      kind: 'idle',
      t: from,
      end: t,
      group,
      taskIds,
      site: null,
      output: NO_OUTPUT,
      sig: 'idle',
      say: () => `nothing runs for ${formatDuration(t - from)}: ${what}.`,
    });
  };
  let ci = 0;
  for (const piece of pieces) {
    while (ci < callbacks.length && callbacks[ci].t <= piece.start) {
      const c = callbacks[ci++];
      gap(c.t);
      drafts.push(callbackDraft(c, ctx, group));
      busyUntil = Math.max(busyUntil, c.t);
      const site = ctx.where(c.site);
      before = { callback: { kind: callbackLabel(c.kind), taskId: c.taskId, site } };
    }
    gap(piece.start);
    const made = takeScheduled(piece);
    // "Back in main" until main calls the next one says nothing the next step does not: the call
    // step names the caller. Such a piece is left out (its time goes to the step before).
    const silent = !piece.first && !piece.last && !made.length;
    if (!silent) drafts.push(pieceDraft(piece, ctx, before, made, holdMs));
    busyUntil = Math.max(busyUntil, piece.end);
    before = {};
  }
  while (ci < callbacks.length) {
    const c = callbacks[ci++];
    gap(c.t);
    drafts.push(callbackDraft(c, ctx, group));
    busyUntil = Math.max(busyUntil, c.t);
  }
  return drafts;
}
