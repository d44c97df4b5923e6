/** The host side of a traced run: options, callbacks and the handle a caller gets back. */
import type { Trace, TraceExit } from '../protocol/trace';

export interface RunOptions {
  /** Absolute path of the program's entry file (.ts .tsx .mts .cts .js .mjs .cjs, or .py). */
  entry: string;
  /** Working directory of the program; trace file paths are relative to it. */
  cwd: string;
  /** Program arguments (process.argv.slice(2) inside the program). */
  args?: string[];
  /** Extra environment variables, merged over the host's environment. */
  env?: Record<string, string>;
  /** The `node` executable to run the program with (default: `node` on PATH). */
  nodePath?: string;
  /** The Python interpreter for a .py entry (default: python3, else python, on PATH; resolved to the real binary). */
  pythonPath?: string;
  /** Where `pythonPath` came from, for messages. Default 'option'. */
  pythonSource?: 'option' | 'setting' | 'python-extension';
  /**
   * Run this command instead of `node entry` (`async-timeline run -- npm test`): every Node process
   * it starts is traced, each its own group of lanes; the command's exit code is the run's.
   * `entry` then names what the run is called (the package or test file), not what is spawned.
   */
  command?: string[];
  /** Stop the program after this many milliseconds of its own code (exit reason `timeout`). 0 / undefined: no limit. */
  timeoutMs?: number;
  /**
   * Stop, timeout and Ctrl-C send SIGINT, then SIGTERM after this grace period (ms), then kill the
   * process tree after the same period again, so the program's own shutdown handlers run. Default 2000.
   */
  stopGraceMs?: number;
  /** Event cap: past it the trace is marked truncated and recording stops (the program runs on). */
  maxEvents?: number;
  /** false: run the same transpiled program WITHOUT tracing hooks (differential tests, benchmarks). */
  instrument?: boolean;
  /**
   * Packages from node_modules to instrument like the program's own files, by name (`p-queue`,
   * `@scope/name`; every nested copy of that name too): their tasks get lanes. Default: none.
   */
  packages?: string[];
  /** Source text to use instead of the entry file's content on disk (an unsaved editor buffer). */
  entrySource?: string;
  /** The built dist/ folder (runtime/, instrument.js); found next to this module when omitted. */
  distDir?: string;
  /** The program's standard input: the caller's terminal (CLI) or nothing (editor). Default 'ignore'. */
  stdin?: 'inherit' | 'ignore';
  /** How often (ms) the live trace snapshot callback fires at most. Default 100. */
  updateIntervalMs?: number;
  /**
   * TEST-ONLY: one more module for the child to `--require`, loaded right after the runtime's own
   * preload (the oracle test uses it to watch the same run with Node's promise hooks). It adds an
   * observer; it cannot turn any of the tracing off. Never set by the CLI or the extension.
   */
  testOnlyExtraPreload?: string;
}

export interface RunCallbacks {
  /** Program stdout, as it arrives (already passed through unchanged). */
  onStdout?(text: string): void;
  onStderr?(text: string): void;
  /** The live trace changed (throttled to updateIntervalMs). Call handle.snapshot() to get it. */
  onUpdate?(): void;
}

export interface RunResult {
  trace: Trace;
  exit: TraceExit;
  /** Things the user should hear of that did not end the run: the program ran untraced (Python < 3.11). */
  notices?: string[];
  /** What the runtime was told but did not end on (Python: "Task exception was never retrieved: …"). */
  warnings?: string[];
}

/** `'graceful'`: SIGINT first and wait (the default); `'now'`: kill the process tree at once. */
export type StopMode = 'graceful' | 'now';

export interface RunHandle {
  /** Process id of the traced program. */
  readonly pid: number;
  /** Resolves when the program has ended and every event has been read; never rejects. */
  readonly done: Promise<RunResult>;
  /** The trace as it is now (live). */
  snapshot(): Trace;
  /**
   * Stop the program as Ctrl-C in a terminal would: SIGINT, then SIGTERM and SIGKILL of the tree
   * after `stopGraceMs` each (runner/stopPolicy.ts). A second call while that is under way, or
   * `'now'`, kills the tree at once. The trace keeps every event recorded so far.
   */
  stop(mode?: StopMode): void;
  /** True from the first stop (or the timeout) until the program has ended. */
  readonly stopping: boolean;
  /** Python runs: the interpreter that runs the program, described for logs (`/…/python3.12 (3.12.1, PATH)`). */
  readonly interpreter?: string;
  /** Bytes of event frames read so far (for benchmarks). */
  readonly eventBytes: number;
}
