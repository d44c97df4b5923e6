/**
 * The Trace: what one run of an async program looked like, in a language-neutral shape.
 * This is the JSON the CLI writes (`docs/trace-format.md`), what the extension keeps per run,
 * and what the webview draws. Times are milliseconds from the start of the program's own code;
 * lines and columns are 1-based in the ORIGINAL source; files are relative to the run's cwd
 * (with `/` separators), or absolute when outside it.
 */

export const TRACE_FORMAT = 'async-timeline-trace';
export const TRACE_VERSION = 1;

/** A place in the original source. */
export interface SourceSite {
  file: string;
  line: number;
  column: number;
}

export type ExitReason = 'exited' | 'timeout' | 'stopped' | 'crashed';

export interface TraceExit {
  /** The program's exit code (null when killed by a signal). */
  code: number | null;
  signal: string | null;
  reason: ExitReason;
  /** For crashes: the uncaught error / unhandled rejection, mapped to the original source. */
  error?: { message: string; site?: SourceSite | null } | null;
}

/** What kind of coroutine a task is. `module` = a module body using top-level await. */
export type TaskKind = 'function' | 'method' | 'arrow' | 'generator' | 'module';

/** How a suspension came about. */
export type SuspendKind =
  | 'await'
  | 'for-await'
  | 'yield'
  /** The body returned a promise/thenable; the task's promise settles when that one does. */
  | 'adopt'
  /** Python: created by `create_task` (or alike), waiting for the loop to run it for the first time. */
  | 'scheduled';

/** The Promise combinator the awaited value came from, when there was one. */
export type Combinator = 'all' | 'allSettled' | 'race' | 'any' | 'gather' | 'wait' | 'taskGroup';

/** What a suspension waited on when it was no task (Python: the kind of asyncio object). */
export type WaitTarget =
  | 'sleep'
  | 'future'
  | 'queue'
  | 'lock'
  | 'event'
  | 'semaphore'
  | 'condition'
  | 'thread'
  | 'timeout'
  | 'subprocess'
  | 'stream';

export interface RunningSegment {
  state: 'running';
  start: number;
  /** null while the task is still running (live trace, or the program ended mid-segment). */
  end: number | null;
}

export interface SuspendedSegment {
  state: 'suspended';
  start: number;
  /** null when the task never resumed (pending at exit, or still waiting in a live trace). */
  end: number | null;
  /** The `await` (or `yield`, `for await`) that suspended the task. */
  site: SourceSite | null;
  kind: SuspendKind;
  /** Ids of the tasks whose promises this suspension waited on (direct await or a combinator). */
  awaits: number[];
  combinator?: Combinator;
  /** What it waited on when that was no task (a sleep, a queue, a lock…), when the runtime knows. */
  waitsFor?: WaitTarget;
  /** The task whose settling woke this one (a member of `awaits` that settled last before the resume). */
  resumedBy?: number | null;
  /** True when the await resumed by throwing (the awaited promise rejected). */
  threw?: boolean;
}

export type Segment = RunningSegment | SuspendedSegment;

export interface TaskRecord {
  id: number;
  /** `worker1`, `Crawler.fetch`, `handler` (named arrow), or `<anonymous file:line>`. */
  name: string;
  kind: TaskKind;
  /** The task that was running when this one was created (null: created by top-level code / the loop). */
  parentId: number | null;
  /** Where the coroutine is defined (the function itself). */
  definition: SourceSite | null;
  created: {
    t: number;
    /** The call that created the task (null when called from code that was not instrumented). */
    site: SourceSite | null;
  };
  settled: { t: number; state: SettleState; error?: string } | null;
  /** Python: asyncio's own name for the task (`Task-3`, or the `name=` given), when it is an asyncio.Task. */
  taskName?: string;
  /** The thread or process (an entry of `Trace.groups`) whose event loop ran this task; absent = 0, the main thread. */
  group?: number;
  /** Alternating running / suspended stretches, in time order, from creation to settle. */
  segments: Segment[];
}

/** `cancelled`: Python only (a task ended by `CancelledError`). */
export type SettleState = 'fulfilled' | 'rejected' | 'cancelled';

/** `done`: Python's `add_done_callback` (runs on success, failure and cancellation). */
export type CallbackKind = 'then' | 'catch' | 'finally' | 'done';

/** A `.then/.catch/.finally` callback on a task's promise, recorded when it ran. */
export interface CallbackRecord {
  t: number;
  kind: CallbackKind;
  taskId: number;
  site: SourceSite | null;
}

/** A chunk of the program's output, timestamped on arrival (for ticks on the time axis). */
export interface OutputRecord {
  t: number;
  stream: 'stdout' | 'stderr';
  text: string;
}

/**
 * One event loop of the run: the main thread, a worker thread, or another traced process (a
 * command run with `run -- <command>` starts several). Absent from single-thread traces.
 */
export interface TraceGroup {
  /** 0 = the main thread of the first process. Task ids are unique across groups. */
  id: number;
  kind: 'main' | 'worker' | 'process';
  /** What the viewer and the text timeline call it: `main`, `worker 2 (pool-worker.ts)`, `node mocha (pid 4242)`. */
  label: string;
  pid: number;
  /** worker_threads.threadId (0 for a process's main thread). */
  threadId: number;
  /** The group that started this one (a worker's thread, a process's parent), null for the first. */
  parentGroup: number | null;
  /** The file it started with (relative to cwd, like every `file`), when one. */
  entry?: string;
  /** Processes: the command line it was started with. */
  command?: string;
  /** When it started and ended (ms, the trace's clock); null end: still running or killed. */
  started: number;
  ended: number | null;
}

/** A file of the program that ran without tracing hooks, and why (it still ran, unchanged). */
export interface UntracedFile {
  file: string;
  reason: string;
}

export interface Trace {
  format: typeof TRACE_FORMAT;
  version: typeof TRACE_VERSION;
  /** The source language that produced the trace (the model is shared across tracers). */
  language: 'javascript' | 'typescript' | 'python';
  /** The runtime that produced it (`node v20.20.2`, `cpython 3.12.1`), when known. */
  runtime?: string;
  entry: string;
  /** Absolute working directory of the run; `file` fields are relative to it. */
  cwd: string;
  /** Wall-clock start of the run (ISO 8601). */
  startedAt: string;
  durationMs: number;
  exit: TraceExit | null;
  /** True when the event cap was reached: later events were dropped, the program ran on. */
  truncated: boolean;
  eventCount: number;
  tasks: TaskRecord[];
  callbacks: CallbackRecord[];
  output: OutputRecord[];
  /** The threads and processes of the run, when more than the main thread ran traced code. */
  groups?: TraceGroup[];
  /** Files that could not be traced and ran untraced (a compile the project's settings could not express, …). */
  untraced?: UntracedFile[];
  /** The run told step by step (`--explain`; `core/narration`). */
  steps?: Step[];
  /** The chain of running and waiting stretches that determined the run's length (`--explain`; `core/criticalPath`). */
  criticalPath?: CriticalStep[];
}

/**
 * What a narration step is about. `start`: a task runs for the first time; `resume`: it runs again
 * after a suspension; `continue`: it runs again after a coroutine it called synchronously returned
 * control (JavaScript's eager start); `callback`: a `.then/.catch/.finally` (Python: done) callback;
 * `idle`: nothing runs; `end`: the run ends; `repeat`: a folded run of similar steps (`members`).
 */
export type StepKind = 'start' | 'resume' | 'continue' | 'callback' | 'idle' | 'end' | 'repeat';

/** One moment of the run where control changes hands or the loop goes idle. */
export interface Step {
  kind: StepKind;
  /** When it began and when the next step began (ms). */
  t: number;
  end: number;
  /** The task that ran first (for `idle`, the tasks waiting), then the others it names. */
  taskIds: number[];
  /** The thread or process (`Trace.groups`) it happened in; absent = 0, the main thread. */
  group?: number;
  /** Where: the await it resumed from / parked at, the call that started it, the callback's `.then(`. */
  site: SourceSite | null;
  /** The program's output lines that arrived during the step. */
  output: string[];
  /** One sentence: `worker1 resumes at L8 (woken by no task: a timer, I/O…), prints 1 line, and finishes (fulfilled).` */
  text: string;
  /** `repeat`: the folded steps, in order. */
  members?: Step[];
}

/** What a waiting stretch of the critical path waited on. */
export interface CriticalWait {
  /**
   * `task`: that task's settling (or its code resolving the awaited promise) ended the wait — the
   * path goes on in it; `scheduled`: Python, waiting for the loop to run the task the first time —
   * the path goes on in its creator; `target`: a non-task the runtime named (`target`: a sleep, a
   * lock…); `promise`: a promise that is no task's (JavaScript: a timer, I/O…); `unknown`: it awaited
   * tasks (`taskIds`) but no waker was recorded.
   */
  kind: 'task' | 'scheduled' | 'target' | 'promise' | 'unknown';
  /** `task`: the waker; `unknown`: the awaited tasks. */
  taskIds: number[];
  target?: WaitTarget;
  combinator?: Combinator;
  /** Other awaited tasks that settled at the very same recorded time as the waker: equally critical. */
  ties?: number[];
}

/** One stretch of the critical path. */
export interface CriticalStep {
  taskId: number;
  start: number;
  end: number;
  kind: 'running' | 'waiting';
  /** Running: the await it resumed from, or the creating call for a first run; waiting: the await. */
  site: SourceSite | null;
  /** Null for running stretches. */
  waitingOn: CriticalWait | null;
}
