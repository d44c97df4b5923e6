/**
 * The critical path in one line, for the CLI's run summary:
 * `critical path: main → worker2 (await at L14, 2.00 s) → main — 2.00 s of 2.01 s`.
 * Consecutive stretches of one task are one name; tasks with under 1% of the path are counted, not
 * named (a JavaScript callee's eager first run); a task's long wait on something that is no task
 * (a sleep, a timer, a waker nobody recorded) is said in brackets; ties are said after the chain.
 */
import type { CriticalStep, Trace } from '../../protocol/trace';
import { formatDuration, siteLabel } from '../textTimeline';
import { waitTargetLabel } from '../waitLabels';
import { narrationContext } from '../narration/context';

/** A wait shown in brackets when it is at least this share of the path. */
const NOTABLE_SHARE = 0.1;
/** Names shown before the middle of a long chain is elided. */
const MAX_NODES = 7;
/** A task whose stretches add up to less than this share is left out of the line (never out of the path). */
const SMALL_SHARE = 0.01;

function waitWord(s: CriticalStep, trace: Trace): string {
  const at = s.site ? ` at ${siteLabel(s.site, trace.entry)}` : '';
  const w = s.waitingOn!;
  if (w.kind === 'target' && w.target) return `${waitTargetLabel(w.target).replace(/^an? /, '')}${at}`;
  if (w.kind === 'unknown') return `await${at}, waker unknown`;
  if (w.kind === 'scheduled') return `scheduled${at}`;
  return `await${at}`;
}

/** How much of the path each task accounts for (running and waiting stretches), by task id. */
export function criticalShare(path: CriticalStep[]): Map<number, number> {
  const share = new Map<number, number>();
  for (const s of path) share.set(s.taskId, (share.get(s.taskId) ?? 0) + (s.end - s.start));
  return share;
}

/** The one-line summary; `null` when there is no path (no task ran). */
export function criticalPathLine(trace: Trace, path: CriticalStep[]): string | null {
  if (!path.length) return null;
  const total = path[path.length - 1].end - path[0].start;
  const ctx = narrationContext(trace);
  const share = criticalShare(path);
  const nodes: { taskId: number; notes: string[] }[] = [];
  const ties = new Set<number>();
  let small = 0;
  path.forEach((s, i) => {
    for (const id of s.waitingOn?.ties ?? []) ties.add(id);
    const edge = i === 0 || i === path.length - 1;
    if (!edge && share.get(s.taskId)! < SMALL_SHARE * total) {
      small++;
      return;
    }
    let node = nodes[nodes.length - 1];
    if (!node || node.taskId !== s.taskId) nodes.push((node = { taskId: s.taskId, notes: [] }));
    const leaf = s.waitingOn && s.waitingOn.kind !== 'task';
    if (leaf && s.end - s.start >= NOTABLE_SHARE * total)
      node.notes.push(`${waitWord(s, trace)}, ${formatDuration(s.end - s.start)}`);
  });
  const words = nodes.map((n) => `${ctx.name(n.taskId)}${n.notes.length ? ` (${n.notes.join('; ')})` : ''}`);
  const chain =
    words.length > MAX_NODES
      ? [...words.slice(0, 3), `… ${words.length - 6} more …`, ...words.slice(-3)].join(' → ')
      : words.join(' → ');
  const tie = ties.size
    ? `; tied with ${[...ties].map((id) => ctx.name(id)).join(', ')} (settled at the same moment)`
    : '';
  const brief = small ? ` (+${small} short stretch${small === 1 ? '' : 'es'})` : '';
  const cut = trace.truncated ? ' (the trace is truncated: the path covers what was recorded)' : '';
  return `critical path: ${chain}${brief} — ${formatDuration(total)} of ${formatDuration(trace.durationMs)}${tie}${cut}`;
}
