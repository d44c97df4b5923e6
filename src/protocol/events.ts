/**
 * The runtime → host event stream: the hot path of a traced run.
 *
 * Transport: the child appends FRAMES to a file the host names (RunManifest.eventsFile) and the
 * host reads as it grows (a pipe made the program wait for the host). Each traced thread (worker
 * threads, other processes of a command run) writes its own stream of frames to its own file in
 * RunManifest.streamsDir, named by its {@link streamKey}; the first process's main thread keeps
 * `eventsFile` ({@link ROOT_STREAM}). Task ids, site tables and times are per stream. A frame is
 *   u32 little-endian byte length of the body | u8 frame type | body
 * Frame types:
 *   FRAME_EVENTS: body = N records of EVENT_BYTES bytes each (see below), little-endian.
 *   FRAME_JSON:   body = UTF-8 JSON of a {@link RuntimeMessage} (rare: start, site tables, end).
 *
 * An event record is 16 bytes, written into a preallocated SharedArrayBuffer by the traced
 * program (no object per event on its heap) and shipped by a writer thread:
 *   f64  t        ms since the runtime's time origin (performance.now() - origin)
 *   u32  head     kind (high 4 bits) | task id (low 28 bits)
 *   u32  arg      site id, other task id, or a small code, depending on kind
 *
 * Task ids are assigned sequentially from 1 by the runtime; an EV_CREATE record does not carry
 * the new id: it is the previous id + 1 (the decoder counts), and its task field is the PARENT.
 */

export const EVENT_BYTES = 16;

/** The key of the stream written to `eventsFile`: the main thread of the process the host started. */
export const ROOT_STREAM = 'root';

/** The key (and file name) of any other thread's stream: `<pid>-<threadId>`. */
export function streamKey(pid: number, threadId: number): string {
  return `${pid}-${threadId}`;
}

export const FRAME_EVENTS = 1;
export const FRAME_JSON = 2;
export const FRAME_HEADER_BYTES = 5;
export const TASK_MASK = 0x0fffffff;

export const enum Ev {
  /** A coroutine started. task = parent task id (0 = none); arg = definition site id. New id = last id + 1. */
  Create = 1,
  /** The call that created `task` (recorded right after the call returned). arg = call site id. */
  CallSite = 2,
  /** `task` suspended at an await / for-await / yield. arg = site id. */
  Yield = 3,
  /** The suspension just recorded for `task` waits on task `arg` (one record per awaited task). */
  WaitOn = 4,
  /** The suspension just recorded for `task` awaited a combinator's promise. arg = {@link CombinatorCode}. */
  WaitKind = 5,
  /** `task` resumed. arg = 0 normal, 1 resumed by a throw (rejected await). */
  Resume = 6,
  /** `task` completed normally. */
  SettleOk = 7,
  /** `task` completed by throwing. */
  SettleErr = 8,
  /** A callback on `task`'s promise ran. arg = site id of the `.then/.catch/.finally` call. */
  CallbackThen = 9,
  CallbackCatch = 10,
  CallbackFinally = 11,
  /** A done callback (Python `add_done_callback`) ran on `task`. arg = site id of the registering call. */
  CallbackDone = 12,
  /**
   * The open suspension of `task`, about to resume, was woken by task `arg`: the task whose code
   * resolved (or rejected, or cancelled) what it waited on. Recorded just before the Resume (or the
   * settle that ends an `adopt` suspension). Sets the segment's `resumedBy`.
   */
  WokenBy = 13,
}

/** `arg` of {@link Ev.SettleErr}: how the task ended by an exception. */
export const enum SettleCode {
  Rejected = 0,
  /** Python: the task was cancelled (`CancelledError`). */
  Cancelled = 1,
}

/**
 * `arg` of {@link Ev.WaitKind}: what the suspension waited on. 1–4: a JavaScript Promise
 * combinator; 5–7: a Python grouping of tasks (its members follow as WaitOn records); 8+: a kind
 * of object that is no task (Python), named so the viewer can say what the task waited for.
 */
export const enum CombinatorCode {
  All = 1,
  AllSettled = 2,
  Race = 3,
  Any = 4,
  Gather = 5,
  Wait = 6,
  TaskGroup = 7,
  Sleep = 8,
  Future = 9,
  Queue = 10,
  Lock = 11,
  Event = 12,
  Semaphore = 13,
  Condition = 14,
  Thread = 15,
  Timeout = 16,
  Subprocess = 17,
  Stream = 18,
}

/** Site kinds in a site table. */
export type SiteKind =
  | 'function'
  | 'method'
  | 'arrow'
  | 'generator'
  | 'module'
  | 'await'
  | 'for-await'
  | 'yield'
  | 'call'
  | 'then'
  | 'catch'
  | 'finally'
  /** A `return E` (or concise arrow body) whose value the task's promise may adopt. */
  | 'adopt'
  /** Python: a Task was created and waits for the loop to run it for the first time. */
  | 'scheduled'
  /** Python: an `add_done_callback(...)` call. */
  | 'done';

/** One entry of a site table: [kind, line, column, name?]. Lines/columns 1-based, original source. */
export type SiteEntry = [kind: SiteKind, line: number, column: number, name?: string];

/** JSON frames (rare, so JSON is fine here). */
export type RuntimeMessage =
  | {
      type: 'start';
      pid: number;
      /** performance.timeOrigin + origin offset: the wall-clock epoch (ms) of t = 0. */
      epochMs: number;
      /** Node runtimes: `process.version`. */
      nodeVersion?: string;
      /** Which runtime wrote the stream and its version: `node v20.20.2`, `cpython 3.12.1`. */
      runtime?: string;
      maxEvents: number;
      /** Which thread of which process (worker_threads.threadId; 0 = a process's main thread). */
      threadId?: number;
      /** main: the first process's main thread in a file run; process: a process of a command run. */
      kind?: 'main' | 'worker' | 'process';
      /** The stream key of the thread or process that started this one (null: none traced). */
      parent?: string | null;
      /** The file the thread started with (absolute), when it started with one. */
      entry?: string;
      /** Processes: their command line (`process.argv`, Node's flags left out). */
      argv?: string[];
      /** Wall-clock epoch (ms) at which the thread itself started (before its t = 0). */
      threadEpochMs?: number;
    }
  | {
      type: 'sites';
      /** Absolute path of the instrumented file. */
      file: string;
      /** Site ids of this file are base .. base + entries.length - 1. */
      base: number;
      entries: SiteEntry[];
    }
  | { type: 'truncated'; atEvent: number }
  | {
      type: 'error';
      /** An uncaught exception or unhandled rejection, as seen by the runtime. */
      kind: 'uncaughtException' | 'unhandledRejection';
      message: string;
      stack: string;
      /** Where it was raised, when the runtime knows (Python: the innermost frame in the user's files). */
      site?: { file: string; line: number; column: number };
    }
  /** Something the program was told but that did not end it (Python: "Task exception was never retrieved"). */
  | { type: 'warning'; message: string }
  /**
   * Python: asyncio's own name of the Task whose coroutine is lane `task` (`Task-3`, or the
   * `name=` given). Sent after the events batch holding the lane's Create. See pyruntime/PROTOCOL.md.
   */
  | { type: 'taskinfo'; task: number; taskName: string }
  /**
   * Python: lane `task` settled rejected (SettleErr arg 0) with this exception, first line of
   * `traceback.format_exception_only`: `ValueError: boom`. Sent after the batch holding the settle.
   */
  | { type: 'settle-error'; task: number; error: string }
  /** The writer saw the host's stop request and shipped every event recorded so far. */
  | { type: 'stopping'; events: number }
  /** `t`: when, on the stream's clock (absent from runtimes that do not say). */
  | { type: 'end'; reason: 'exit'; code: number; events: number; t?: number };
