/**
 * Per-site, per-task and per-function statistics of a {@link Trace}: the numbers behind the
 * editor's decorations and CodeLens summaries and the CLI's one-line summary.
 *
 * Pure: a trace in, plain data out. Open-ended segments (a live trace, or a task still pending
 * when the program ended) are measured up to `trace.durationMs`, and counted as `pending`.
 */
import type {
  Combinator,
  SettleState,
  SourceSite,
  SuspendKind,
  TaskKind,
  Trace,
  WaitTarget,
} from '../protocol/trace';
import { DEFAULT_BLOCKING_THRESHOLD_MS, findBlockingRuns } from './blocking';

/** One suspension of one task, as the hover tables list them. */
export interface Suspension {
  taskId: number;
  taskName: string;
  start: number;
  /** null: never resumed. */
  end: number | null;
  /** Measured duration (open-ended suspensions run to the end of the trace). */
  durationMs: number;
  kind: SuspendKind;
  awaits: number[];
  combinator?: Combinator;
  /** What it waited on when that was no task (Python: a sleep, a queue…). */
  waitsFor?: WaitTarget;
  resumedBy: number | null;
  threw: boolean;
}

/** Every suspension that happened at one source line. */
export interface SiteStats {
  /** `file:line`, the grouping key. */
  key: string;
  /** The first site seen on that line (its column is the first await's). */
  site: SourceSite;
  kind: SuspendKind;
  /** How many times a task suspended here. */
  count: number;
  totalMs: number;
  maxMs: number;
  /** Suspensions that never resumed (pending at exit / still waiting). */
  pending: number;
  /** Distinct task ids that suspended here, in first-seen order. */
  taskIds: number[];
  suspensions: Suspension[];
}

/** Running vs suspended totals of one task. */
export interface TaskStats {
  taskId: number;
  name: string;
  runningMs: number;
  suspendedMs: number;
  yields: number;
  /** Python: how long it waited, once created, for the loop to run it the first time (part of suspendedMs, not a yield). */
  scheduledMs: number;
  /** Creation to settle (or to the end of the trace while unsettled). */
  lifetimeMs: number;
}

/** Aggregates over every task of one coroutine definition (the summary CodeLens). */
export interface FunctionStats {
  /** `file:line` of the definition, or `name:<name>` when the definition is unknown. */
  key: string;
  name: string;
  kind: TaskKind;
  definition: SourceSite | null;
  calls: number;
  yields: number;
  waitedMs: number;
  ranMs: number;
  rejected: number;
  /** Python: tasks ended by cancellation. */
  cancelled: number;
  taskIds: number[];
}

/** The tasks created at one call site (a `worker2()` call, maybe in a loop). */
export interface CreationSiteStats {
  key: string;
  site: SourceSite;
  tasks: {
    id: number;
    name: string;
    created: number;
    settled: number | null;
    state: SettleState | 'pending';
    /** Python: how long it waited for the loop before it first ran (0 for coroutines that start at once). */
    scheduledMs: number;
  }[];
}

/** A running stretch longer than the threshold: the task held the event loop. */
export interface BlockingStretch {
  taskId: number;
  taskName: string;
  start: number;
  end: number;
  durationMs: number;
  /** Where the stretch began: the await it resumed from, or the function's definition. */
  site: SourceSite | null;
  /** Other tasks that were suspended during the stretch and resumed right after it ended. */
  delayedTaskIds: number[];
  /** The longest any of them was held up (at most): from when the stretch began, or they
   *  suspended, to their resume. */
  delayMs: number;
}

export interface TraceStats {
  sites: SiteStats[];
  tasks: TaskStats[];
  functions: FunctionStats[];
  creations: CreationSiteStats[];
  blocking: BlockingStretch[];
  /** Sum over tasks. */
  totals: { tasks: number; yields: number; runningMs: number; suspendedMs: number };
}

export interface StatsOptions {
  /** Running stretches at least this long count as blocking. Default 50 ms. */
  blockingThresholdMs?: number;
}

/** The grouping key of a source line. */
export function siteKey(site: { file: string; line: number }): string {
  return `${site.file}:${site.line}`;
}

function segEnd(end: number | null, trace: Trace): number {
  return end ?? trace.durationMs;
}

/** Computes every statistic of a trace in one pass over its segments. */
export function computeStats(trace: Trace, options: StatsOptions = {}): TraceStats {
  const threshold = options.blockingThresholdMs ?? DEFAULT_BLOCKING_THRESHOLD_MS;
  const sites = new Map<string, SiteStats>();
  const functions = new Map<string, FunctionStats>();
  const creations = new Map<string, CreationSiteStats>();
  const tasks: TaskStats[] = [];
  const totals = { tasks: trace.tasks.length, yields: 0, runningMs: 0, suspendedMs: 0 };

  for (const task of trace.tasks) {
    let runningMs = 0;
    let suspendedMs = 0;
    let yields = 0;
    let scheduledMs = 0;
    for (const seg of task.segments) {
      const d = Math.max(0, segEnd(seg.end, trace) - seg.start);
      if (seg.state === 'running') {
        runningMs += d;
        continue;
      }
      suspendedMs += d;
      // Waiting to be run the first time is no yield of the task's own, and its "site" is the
      // creating call, which the creation hint already covers.
      if (seg.kind === 'scheduled') {
        scheduledMs += d;
        continue;
      }
      yields++;
      if (!seg.site) continue;
      const key = siteKey(seg.site);
      let s = sites.get(key);
      if (!s) {
        s = {
          key,
          site: seg.site,
          kind: seg.kind,
          count: 0,
          totalMs: 0,
          maxMs: 0,
          pending: 0,
          taskIds: [],
          suspensions: [],
        };
        sites.set(key, s);
      }
      s.count++;
      s.totalMs += d;
      s.maxMs = Math.max(s.maxMs, d);
      if (seg.end === null) s.pending++;
      if (!s.taskIds.includes(task.id)) s.taskIds.push(task.id);
      s.suspensions.push({
        taskId: task.id,
        taskName: task.name,
        start: seg.start,
        end: seg.end,
        durationMs: d,
        kind: seg.kind,
        awaits: seg.awaits,
        ...(seg.combinator ? { combinator: seg.combinator } : {}),
        ...(seg.waitsFor ? { waitsFor: seg.waitsFor } : {}),
        resumedBy: seg.resumedBy ?? null,
        threw: seg.threw === true,
      });
    }
    const lifetimeMs = Math.max(0, (task.settled ? task.settled.t : trace.durationMs) - task.created.t);
    tasks.push({ taskId: task.id, name: task.name, runningMs, suspendedMs, yields, scheduledMs, lifetimeMs });
    totals.yields += yields;
    totals.runningMs += runningMs;
    totals.suspendedMs += suspendedMs;

    const fkey = task.definition ? siteKey(task.definition) : `name:${task.name}`;
    let f = functions.get(fkey);
    if (!f) {
      f = {
        key: fkey,
        name: task.name,
        kind: task.kind,
        definition: task.definition,
        calls: 0,
        yields: 0,
        waitedMs: 0,
        ranMs: 0,
        rejected: 0,
        cancelled: 0,
        taskIds: [],
      };
      functions.set(fkey, f);
    }
    f.calls++;
    f.yields += yields;
    f.waitedMs += suspendedMs;
    f.ranMs += runningMs;
    if (task.settled?.state === 'rejected') f.rejected++;
    if (task.settled?.state === 'cancelled') f.cancelled++;
    f.taskIds.push(task.id);

    if (task.created.site) {
      const ckey = siteKey(task.created.site);
      let c = creations.get(ckey);
      if (!c) {
        c = { key: ckey, site: task.created.site, tasks: [] };
        creations.set(ckey, c);
      }
      c.tasks.push({
        id: task.id,
        name: task.name,
        created: task.created.t,
        settled: task.settled ? task.settled.t : null,
        state: task.settled ? task.settled.state : 'pending',
        scheduledMs,
      });
    }
  }

  // What blocked the loop: one definition (core/blocking.ts), shared with the viewer. A stretch
  // begins where the task resumed (its previous await), or at the function for a first run.
  const byId = new Map(trace.tasks.map((t) => [t.id, t]));
  const own: BlockingStretch[] = findBlockingRuns(trace, threshold).map((b) => {
    const task = byId.get(b.taskId)!;
    const prev = task.segments[b.segIndex - 1];
    const resumedFrom = prev && prev.state === 'suspended' && prev.kind !== 'scheduled' ? prev : null;
    return {
      taskId: b.taskId,
      taskName: task.name,
      start: b.start,
      end: b.end,
      durationMs: b.durationMs,
      site: resumedFrom ? resumedFrom.site : task.definition,
      delayedTaskIds: [],
      delayMs: 0,
    };
  });

  // Who was kept waiting: tasks suspended across the stretch that resumed right after it ended
  // (they were ready but queued behind it). The delay is how long each of them was held up, at most.
  for (const b of own) {
    const slack = 2 + b.durationMs * 0.1;
    for (const other of trace.tasks) {
      if (other.id === b.taskId) continue;
      for (const seg of other.segments) {
        if (seg.state !== 'suspended' || seg.end === null) continue;
        if (seg.start < b.end && seg.end >= b.end && seg.end <= b.end + slack) {
          if (!b.delayedTaskIds.includes(other.id)) b.delayedTaskIds.push(other.id);
          b.delayMs = Math.max(b.delayMs, seg.end - Math.max(b.start, seg.start));
        }
      }
    }
  }

  return {
    sites: [...sites.values()],
    tasks,
    functions: [...functions.values()],
    creations: [...creations.values()],
    blocking: own,
    totals,
  };
}
