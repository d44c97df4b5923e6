/**
 * One run of one file: owns the traced child process (through the runner's handle), streams
 * its output, publishes live and final traces to the results store, and kills the process tree
 * when disposed. A new run of the same file disposes the previous session.
 */
import type * as vscode from 'vscode';
import { SourceError } from '../instrument/errors';
import type { TraceExit } from '../protocol/trace';
import type { RunCallbacks, RunHandle, RunOptions } from '../runner/types';
import type { ResultsStore } from './resultsStore';

/**
 * Live snapshots (a copy of the trace, then decorations, lenses and views recomputed) may take at
 * most about 1/LIVE_BUDGET of the extension host's time: after one that took `c` ms, the next waits
 * at least (LIVE_BUDGET - 1) * c. Small traces update every time the runner says so (~100 ms);
 * a run of millions of events updates less often instead of starving the editor.
 */
export const LIVE_BUDGET = 10;

/** The runner's entry point (injected, so tests and the composition root choose it). */
export type StartRun = (opts: RunOptions, cb?: RunCallbacks) => Promise<RunHandle>;

/** How a run request ended, as the run command reports it (and returns it to callers/tests). */
export type RunOutcome =
  | {
      status: 'finished';
      entry: string;
      exit: TraceExit;
      durationMs: number;
      tasks: number;
      truncated: boolean;
    }
  | { status: 'source-error'; entry: string; file: string; line: number; column: number; message: string }
  | { status: 'failed'; entry?: string; message: string }
  | { status: 'refused'; reason: 'untrusted' | 'no-file' | 'unsupported' | 'untitled'; message: string }
  | { status: 'replaced'; entry: string };

/** Where program output goes (an Output channel). */
export type OutputSink = Pick<vscode.OutputChannel, 'append' | 'appendLine'>;

/** One run of one file. */
export class RunSession {
  readonly startedAt = Date.now();
  private handle: RunHandle | undefined;
  /** Stop requests so far: the first is graceful, any later one kills the tree at once. */
  private stops = 0;
  private replaced = false;
  private finished = false;
  private liveTimer: ReturnType<typeof setTimeout> | undefined;
  private nextLiveAt = 0;

  constructor(
    readonly entry: string,
    private readonly options: RunOptions,
    private readonly startRun: StartRun,
    private readonly store: ResultsStore,
    private readonly output: OutputSink,
    /** What the run is when it is no plain file run (a test, an npm script): shown by the viewer. */
    readonly label?: string,
  ) {}

  /** True until the program ended (or failed to start). */
  get running(): boolean {
    return !this.finished;
  }

  get pid(): number | undefined {
    return this.handle?.pid;
  }

  /** Starts the program and resolves when it has ended and every event is in. Never rejects. */
  async run(): Promise<RunOutcome> {
    try {
      try {
        this.handle = await this.startRun(this.options, {
          onStdout: (t) => this.output.append(t),
          onStderr: (t) => this.output.append(t),
          onUpdate: () => this.publishLive(),
        });
      } catch (err) {
        if (err instanceof SourceError || (err instanceof Error && err.name === 'SourceError')) {
          const e = err as SourceError;
          return {
            status: 'source-error',
            entry: this.entry,
            file: e.file,
            line: e.line,
            column: e.column,
            message: e.detail ?? e.message,
          };
        }
        return {
          status: 'failed',
          entry: this.entry,
          message: err instanceof Error ? err.message : String(err),
        };
      }
      if (this.replaced) this.handle.stop('now');
      else if (this.stops > 0) this.handle.stop(this.stops > 1 ? 'now' : 'graceful');
      const { trace, exit, notices, warnings } = await this.handle.done;
      if (this.replaced) return { status: 'replaced', entry: this.entry };
      for (const n of notices ?? []) this.output.appendLine(`ℹ ${n}`);
      for (const w of warnings ?? []) this.output.appendLine(`⚠ ${w.split('\n')[0]}`);
      this.store.set(this.entry, trace, false, 'run', this.label);
      return {
        status: 'finished',
        entry: this.entry,
        exit,
        durationMs: trace.durationMs,
        tasks: trace.tasks.length,
        truncated: trace.truncated,
      };
    } finally {
      this.finished = true;
      if (this.liveTimer) clearTimeout(this.liveTimer);
      this.liveTimer = undefined;
    }
  }

  private publishLive(): void {
    if (this.finished || this.replaced || !this.handle) return;
    const started = Date.now();
    if (started < this.nextLiveAt) {
      this.liveTimer ??= setTimeout(() => {
        this.liveTimer = undefined;
        this.publishLive();
      }, this.nextLiveAt - started);
      return;
    }
    try {
      this.store.set(this.entry, this.handle.snapshot(), true, 'run', this.label);
    } catch {
      // A snapshot is a convenience; the final trace comes with `done`.
    }
    const ended = Date.now();
    const cost = ended - started;
    this.nextLiveAt = cost < 5 ? 0 : ended + (LIVE_BUDGET - 1) * cost;
  }

  /**
   * Stops the program as Ctrl-C would (SIGINT, then SIGTERM and SIGKILL after the grace period), so
   * its shutdown handlers run; a second Stop kills its process tree at once. The trace keeps what was
   * recorded.
   */
  stop(): void {
    this.stops++;
    this.handle?.stop(this.stops > 1 ? 'now' : 'graceful');
  }

  /** True while a stop (Stop, or the timeout) waits for the program to end. */
  get stopping(): boolean {
    return !this.finished && (this.handle?.stopping || this.stops > 0);
  }

  /**
   * Disposing a session kills its program at once: the extension host may be going away, and the
   * program (in its own process group) must not outlive it waiting for a grace period.
   */
  dispose(): void {
    this.stops = Math.max(this.stops, 2);
    this.handle?.stop('now');
  }

  /** Kills the program at once because a newer run of the same file replaces this one (and may need its port). */
  replace(): void {
    this.replaced = true;
    this.handle?.stop('now');
  }
}
