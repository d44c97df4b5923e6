/**
 * What each mark on the timeline means, decided once here (the renderer only picks a colour and a
 * shape per meaning; tooltips and the legend use the same words): how a segment is drawn, how a
 * task ended, and how a suspension ended.
 */
import type { Segment, TaskRecord } from '../../protocol/trace';
import { isBlocking, type TraceIndex } from './traceIndex';

/**
 * A segment's meaning: `running`; `blocking` (a running segment that held the event loop, by the
 * one definition in core/blocking.ts at the setting's threshold); `scheduled` (Python: created, not
 * yet run by the loop); `suspended` (at an await or yield).
 */
export type SegmentMark = 'running' | 'blocking' | 'scheduled' | 'suspended';

export function segmentMark(index: TraceIndex, task: TaskRecord, segIndex: number): SegmentMark {
  const seg = task.segments[segIndex];
  if (seg.state === 'running') return isBlocking(index, task.id, segIndex) ? 'blocking' : 'running';
  return seg.kind === 'scheduled' ? 'scheduled' : 'suspended';
}

/** How a task ended: its settle state, or `pending` when it had not settled at exit (or yet, live). */
export type SettleMark = 'fulfilled' | 'rejected' | 'cancelled' | 'pending';

export function settleMark(task: TaskRecord): SettleMark {
  return task.settled ? task.settled.state : 'pending';
}

/**
 * How a suspension ended: `resume` (▲), `resume-threw` (red ▲: the awaited promise rejected and the
 * task resumed by throwing), or `pending` (never resumed: the » open end). Null for running segments.
 */
export type ResumeMark = 'resume' | 'resume-threw' | 'pending';

export function resumeMark(seg: Segment): ResumeMark | null {
  if (seg.state !== 'suspended') return null;
  if (seg.end === null) return 'pending';
  return seg.threw ? 'resume-threw' : 'resume';
}
