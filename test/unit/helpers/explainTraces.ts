/**
 * A tiny builder for hand-made traces in the narration and critical-path tests: a task is its
 * creation and a list of stretches, `r(0, 1)` running, `w(1, 5, {...})` suspended.
 */
import type {
  RunningSegment,
  Segment,
  SettleState,
  SuspendedSegment,
  TaskRecord,
  Trace,
} from '../../../src/protocol/trace';

export const FILE = 'app.ts';

export const r = (start: number, end: number | null): RunningSegment => ({ state: 'running', start, end });

export const w = (
  start: number,
  end: number | null,
  line: number,
  more: Partial<SuspendedSegment> = {},
): SuspendedSegment => ({
  state: 'suspended',
  start,
  end,
  site: { file: FILE, line, column: 3 },
  kind: 'await',
  awaits: [],
  ...more,
});

export function task(
  id: number,
  name: string,
  parentId: number | null,
  segments: Segment[],
  settled: { t: number; state: SettleState; error?: string } | null,
  line = 1,
  more: Partial<TaskRecord> = {},
): TaskRecord {
  return {
    id,
    name,
    kind: 'function',
    parentId,
    definition: { file: FILE, line: id * 10, column: 1 },
    created: { t: segments[0]?.start ?? 0, site: { file: FILE, line, column: 5 } },
    settled,
    segments,
    ...more,
  };
}

export function trace(tasks: TaskRecord[], more: Partial<Trace> = {}): Trace {
  return {
    format: 'async-timeline-trace',
    version: 1,
    language: 'typescript',
    entry: FILE,
    cwd: '/w',
    startedAt: '2026-01-01T00:00:00.000Z',
    durationMs: Math.max(0, ...tasks.map((t) => t.settled?.t ?? 0)) + 1,
    exit: { code: 0, signal: null, reason: 'exited' },
    truncated: false,
    eventCount: 10,
    tasks,
    callbacks: [],
    output: [],
    ...more,
  };
}

/**
 * main awaits Promise.all([a, b]) at L5; a sleeps until `aEnd`, b until `bEnd` (JavaScript: both
 * start eagerly inside main). `resumedBy` is the last to settle (a on a tie, as the builder would).
 */
export function fanOut(aEnd: number, bEnd: number): Trace {
  const last = Math.max(aEnd, bEnd) + 0.1;
  const waker = bEnd > aEnd ? 3 : 2;
  return trace([
    task(
      1,
      'main',
      null,
      [
        r(0, 1),
        w(1, last + 0.1, 5, { awaits: [2, 3], combinator: 'all', resumedBy: waker }),
        r(last + 0.1, last + 0.2),
      ],
      { t: last + 0.2, state: 'fulfilled' },
      20,
    ),
    task(
      2,
      'a',
      1,
      [r(0.2, 0.4), w(0.4, aEnd, 11), r(aEnd, aEnd + 0.1)],
      { t: aEnd + 0.1, state: 'fulfilled' },
      3,
    ),
    task(
      3,
      'b',
      1,
      [r(0.5, 0.7), w(0.7, bEnd, 12), r(bEnd, bEnd + 0.1)],
      { t: bEnd + 0.1, state: 'fulfilled' },
      4,
    ),
  ]);
}
