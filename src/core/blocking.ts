/**
 * The one definition of "blocking the event loop", shared by the editor (hints, lenses, the CLI
 * summary, through stats.ts) and the viewer (orange bars, tooltips, legend): a running segment
 * whose OWN time is at least the threshold (`asyncTimeline.blocking.thresholdMs`, default 50 ms).
 *
 * Own time: a coroutine that calls another synchronously is "running" while the callee runs, so
 * the running stretches of other tasks nested inside the segment are subtracted — the culprit is
 * flagged, not everyone on the stack above it. An open segment (pending at exit, or still running
 * in a live trace) runs to the trace's end.
 */
import type { Trace } from '../protocol/trace';

/** The setting's default, used where no setting reaches (CLI, standalone HTML). */
export const DEFAULT_BLOCKING_THRESHOLD_MS = 50;

/** A running segment that held the event loop. */
export interface BlockingRun {
  taskId: number;
  /** Index into the task's `segments`. */
  segIndex: number;
  start: number;
  end: number;
  /** The segment's whole length. */
  durationMs: number;
  /** Its length minus the nested running of other tasks (what the threshold is compared with). */
  ownMs: number;
}

/** Every blocking segment of the trace, in task order then segment order. A threshold ≤ 0 finds none. */
export function findBlockingRuns(trace: Trace, thresholdMs: number): BlockingRun[] {
  if (!(thresholdMs > 0)) return [];
  const end = (e: number | null) => e ?? trace.durationMs;
  const candidates: BlockingRun[] = [];
  for (const task of trace.tasks) {
    task.segments.forEach((seg, segIndex) => {
      if (seg.state !== 'running') return;
      const d = Math.max(0, end(seg.end) - seg.start);
      // Own time never exceeds the whole length: shorter segments cannot qualify.
      if (d >= thresholdMs)
        candidates.push({
          taskId: task.id,
          segIndex,
          start: seg.start,
          end: seg.start + d,
          durationMs: d,
          ownMs: d,
        });
    });
  }
  if (!candidates.length) return candidates;

  // All running stretches by start, to find those nested in a candidate by binary search.
  const running: { taskId: number; start: number; end: number }[] = [];
  for (const t of trace.tasks)
    for (const seg of t.segments)
      if (seg.state === 'running') running.push({ taskId: t.id, start: seg.start, end: end(seg.end) });
  running.sort((a, b) => a.start - b.start);

  return candidates.filter((b) => {
    let lo = 0;
    let hi = running.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (running[mid].start < b.start) lo = mid + 1;
      else hi = mid;
    }
    let covered = 0;
    let reach = -Infinity;
    for (let i = lo; i < running.length && running[i].start <= b.end; i++) {
      const r = running[i];
      if (r.taskId === b.taskId || r.end > b.end || r.end <= reach) continue;
      covered += r.end - Math.max(r.start, reach);
      reach = r.end;
    }
    b.ownMs = b.durationMs - covered;
    return b.ownMs >= thresholdMs;
  });
}

/** The blocking segments as a lookup: task id → segment indexes. */
export type BlockingSet = ReadonlyMap<number, ReadonlySet<number>>;

/** {@link findBlockingRuns} as a {@link BlockingSet} (what the viewer asks per segment). */
export function blockingSet(trace: Trace, thresholdMs: number): BlockingSet {
  const out = new Map<number, Set<number>>();
  for (const b of findBlockingRuns(trace, thresholdMs)) {
    let s = out.get(b.taskId);
    if (!s) out.set(b.taskId, (s = new Set()));
    s.add(b.segIndex);
  }
  return out;
}
