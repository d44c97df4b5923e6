/**
 * The results the editor shows: one trace per entry file (a finished or live run, or a trace
 * file the user opened), the most recent first. Decorations, lenses and the timeline views
 * read from here and listen to `onDidChange`; nothing else holds traces.
 */
import path from 'node:path';
import * as vscode from 'vscode';
import { filesWithHints } from '../core/editorHints';
import { computeStats, type TraceStats } from '../core/stats';
import type { Trace } from '../protocol/trace';

/** The results of one run (or one opened trace file). */
export interface RunResults {
  /** Absolute path of the entry file (the key; a new run of the same file replaces it). */
  readonly entry: string;
  readonly origin: 'run' | 'file';
  trace: Trace;
  live: boolean;
  /** Bumped on every update (live snapshots included). */
  version: number;
  /** Trace-relative file names this trace has hints for. */
  files: Set<string>;
  /** What the run was when it was no plain file run (`test "adds" (node:test)`, `npm run build`). */
  label?: string;
}

/** What changed: `results` updated (or was added), or everything was cleared. */
export type ResultsChange = { kind: 'update'; results: RunResults } | { kind: 'clear' };

/** Converts an absolute path to the name a trace uses for it (relative to its cwd, `/`-separated). */
export function traceFileName(trace: Trace, fsPath: string): string {
  const rel = path.relative(trace.cwd, fsPath);
  const name = rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : fsPath;
  return name.split(path.sep).join('/');
}

/** Converts a trace's file name back to an absolute path. */
export function absoluteTracePath(trace: Trace, file: string): string {
  return path.isAbsolute(file) ? path.normalize(file) : path.resolve(trace.cwd, file);
}

/** Holds every run's results. */
export class ResultsStore implements vscode.Disposable {
  private readonly byEntry = new Map<string, RunResults>();
  private readonly statsCache = new WeakMap<
    RunResults,
    { version: number; threshold: number; stats: TraceStats }
  >();
  private readonly emitter = new vscode.EventEmitter<ResultsChange>();
  /** Fires on every update and on clear. */
  readonly onDidChange = this.emitter.event;

  /** Adds or replaces the results for `entry`. */
  set(entry: string, trace: Trace, live: boolean, origin: 'run' | 'file', label?: string): RunResults {
    const old = this.byEntry.get(entry);
    const results: RunResults = {
      entry,
      origin,
      trace,
      live,
      version: (old?.version ?? 0) + 1,
      files: new Set(filesWithHints(trace)),
      ...(label !== undefined ? { label } : {}),
    };
    // Re-insert so that iteration order is recency order.
    this.byEntry.delete(entry);
    this.byEntry.set(entry, results);
    this.emitter.fire({ kind: 'update', results });
    return results;
  }

  /** The most recently updated results, if any. */
  get latest(): RunResults | undefined {
    let last: RunResults | undefined;
    for (const r of this.byEntry.values()) last = r;
    return last;
  }

  get all(): RunResults[] {
    return [...this.byEntry.values()];
  }

  get isEmpty(): boolean {
    return this.byEntry.size === 0;
  }

  get(entry: string): RunResults | undefined {
    return this.byEntry.get(entry);
  }

  /** The most recent results that say something about this file, and the file's name in that trace. */
  forFile(fsPath: string): { results: RunResults; file: string } | undefined {
    const all = this.all;
    for (let i = all.length - 1; i >= 0; i--) {
      const r = all[i]!;
      const file = traceFileName(r.trace, fsPath);
      if (r.files.has(file)) return { results: r, file };
    }
    return undefined;
  }

  /** Stats of these results at this blocking threshold (cached per version). */
  stats(results: RunResults, threshold: number): TraceStats {
    const c = this.statsCache.get(results);
    if (c && c.version === results.version && c.threshold === threshold) return c.stats;
    const stats = computeStats(results.trace, { blockingThresholdMs: threshold });
    this.statsCache.set(results, { version: results.version, threshold, stats });
    return stats;
  }

  /** Forgets everything. */
  clear(): void {
    this.byEntry.clear();
    this.emitter.fire({ kind: 'clear' });
  }

  dispose(): void {
    this.emitter.dispose();
  }
}
