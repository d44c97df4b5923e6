/**
 * Folds the runtime's event stream into a {@link Trace}, incrementally (live views take snapshots
 * while the program runs). Pure: bytes and messages in, plain data out.
 */
import { EVENT_BYTES, Ev, ROOT_STREAM, SettleCode, TASK_MASK, type RuntimeMessage, type SiteEntry, type SiteKind } from '../protocol/events';
import type {
  CallbackRecord,
  Combinator,
  OutputRecord,
  RunningSegment,
  SourceSite,
  SuspendedSegment,
  SuspendKind,
  TaskKind,
  TaskRecord,
  Trace,
  TraceExit,
  TraceGroup,
  WaitTarget,
} from '../protocol/trace';
import { TRACE_FORMAT, TRACE_VERSION } from '../protocol/trace';
import { describeGroup, plainPath } from './traceGroups';

interface Site {
  kind: SiteKind;
  name: string | undefined;
  where: SourceSite;
}

export interface TraceMeta {
  entry: string;
  cwd: string;
  language: Trace['language'];
  startedAt: string;
}

const DENSE_SITES = 1 << 20;
/** WaitKind codes 1–4 (JavaScript Promise combinators) and 5–7 (Python groupings of tasks); see CombinatorCode. */
const COMBINATORS: Combinator[] = ['all', 'all', 'allSettled', 'race', 'any', 'gather', 'wait', 'taskGroup'];
/** WaitKind codes from 8 up: what a Python suspension waited on when it was no task. */
const WAIT_TARGETS: WaitTarget[] = ['sleep', 'future', 'queue', 'lock', 'event', 'semaphore', 'condition', 'thread', 'timeout', 'subprocess', 'stream'];
const FIRST_WAIT_TARGET = 8;
/** Shared by every suspension that waited on no task (most of them): one array instead of millions. */
const NO_AWAITS: number[] = Object.freeze([]) as unknown as number[];

/** Display form of a file: relative to cwd with `/` separators, or as given when outside it. */
export function relativeTo(cwd: string, file: string): string {
  const norm = (p: string) => p.replace(/\\/g, '/');
  const base = norm(cwd).replace(/\/+$/, '') + '/';
  const f = norm(file);
  return f.startsWith(base) ? f.slice(base.length) : f;
}

/**
 * One thread's event stream (the main thread, a worker, a process of a command run). Its task ids,
 * site tables and clock are its own; folding maps them onto the trace's.
 */
interface Stream {
  key: string;
  /** Local task id → the trace's task id (index 0: none). */
  ids: number[];
  /** Site tables the thread registered itself (modules it prepared); null: the shared host tables. */
  sites: Map<number, Site> | null;
  /** Added to the stream's times: its t = 0 on the trace's clock. */
  offset: number;
  start: Extract<RuntimeMessage, { type: 'start' }> | null;
  /** Set once it ran traced code (its `start` frame). */
  group: TraceGroup | null;
  /** Its parent's stream key, from the start frame. */
  parent: string | null;
  acked: boolean;
  ended: boolean;
}

/** Python: a lane's asyncio name or settle error, waiting until the lane's events are folded. */
interface TaskNote {
  stream: Stream;
  local: number;
  value: string;
}

export class TraceBuilder {
  /** Site ids are mostly small and dense (each file's table is numbered from its base): an array... */
  private readonly sites: Array<Site | undefined> = [];
  /** ...and a Map for ids far out (modules prepared on the ES-module hooks thread number from 2^26 up). */
  private readonly farSites = new Map<number, Site>();
  private readonly tasks: TaskRecord[] = [];
  private readonly callbacks: CallbackRecord[] = [];
  private readonly output: OutputRecord[] = [];
  /** Event batches not folded yet, with the stream each came from (folded in arrival order). */
  private pending: Array<{ stream: Stream; bytes: Uint8Array }> = [];
  private readonly streams = new Map<string, Stream>();
  private readonly groups: TraceGroup[] = [];
  private lastId = 0;
  /** Members of the one large await group being filled (its WaitOn records come in a row). */
  private awaitSet: { seg: SuspendedSegment; ids: Set<number> } | null = null;
  private lastT = 0;
  private events = 0;
  private truncated = false;
  private exit: TraceExit | null = null;
  private durationMs = 0;
  /** Wall-clock epoch (ms) of the child's t = 0, from its start frame. */
  epochMs: number | null = null;
  /** The last uncaught error / unhandled rejection the runtime reported (with where it was raised, when the runtime knows). */
  lastError: { kind: string; message: string; stack: string; site?: SourceSite } | null = null;
  /** Which runtime wrote the stream (`cpython 3.12.1`), from its start frame. */
  private runtime: string | undefined;
  /** Non-fatal things the program was told (Python: "Task exception was never retrieved"). */
  readonly warnings: string[] = [];
  /** Python: asyncio task names and settle errors by lane, applied once the lane's events are folded. */
  private taskNames: TaskNote[] = [];
  private settleErrors: TaskNote[] = [];

  constructor(private readonly meta: TraceMeta) {}

  /**
   * Set when every stream that said anything acknowledged a stop request or said goodbye: every
   * event recorded before the stop has arrived.
   */
  get stopAcknowledged(): boolean {
    if (this.streams.size === 0) return false;
    for (const s of this.streams.values()) if (!s.acked && !s.ended) return false;
    return true;
  }

  /** Set when the main stream said goodbye at exit (every event of it has arrived). */
  get ended(): boolean {
    return this.streams.get(ROOT_STREAM)?.ended ?? false;
  }

  private stream(key: string): Stream {
    let s = this.streams.get(key);
    if (!s) {
      s = { key, ids: [0], sites: key === ROOT_STREAM ? null : new Map(), offset: 0, start: null, group: null, parent: null, acked: false, ended: false };
      this.streams.set(key, s);
    }
    return s;
  }

  /**
   * A JSON frame from the runtime. `streamKey`: which thread's stream it came in (the file it was read
   * from); the main stream by default. Site tables the host registers itself go to the main stream's
   * (shared) tables, which every stream also sees.
   */
  handleMessage(msg: RuntimeMessage, streamKey: string = ROOT_STREAM): void {
    const stream = this.stream(streamKey);
    switch (msg.type) {
      case 'start':
        this.started(stream, msg);
        break;
      case 'sites':
        msg.entries.forEach((entry: SiteEntry, k: number) => {
          const [kind, line, column, name] = entry;
          const id = msg.base + k;
          const site: Site = { kind, name, where: { file: relativeTo(this.meta.cwd, msg.file), line, column } };
          if (stream.sites) stream.sites.set(id, site);
          else if (id < DENSE_SITES) this.sites[id] = site;
          else this.farSites.set(id, site);
        });
        break;
      case 'truncated':
        this.truncated = true;
        break;
      case 'error':
        // A worker's uncaught error ends that worker, not the run; a command's other processes report
        // through their exit codes. What ended the run is the first process's main thread's error.
        if (!this.isRunsOwn(stream)) break;
        this.lastError = { kind: msg.kind, message: msg.message, stack: msg.stack };
        // A runtime that knows where it was raised says so (Python); the host maps JS stacks itself.
        if (msg.site) this.lastError.site = { ...msg.site, file: relativeTo(this.meta.cwd, msg.site.file) };
        break;
      case 'stopping':
        stream.acked = true;
        break;
      case 'end':
        stream.ended = true;
        if (stream.group && msg.t !== undefined) stream.group.ended = msg.t + stream.offset;
        break;
      case 'warning':
        // Every process of a command may say the same thing once: the user hears it once.
        if (stream.key !== ROOT_STREAM && this.warnings.includes(msg.message)) break;
        this.warnings.push(msg.message);
        break;
      // Python: both come after the batch that holds the lane's Create / settle, which may still be
      // pending (folded lazily), so they wait in a map until then.
      case 'taskinfo':
        this.taskNames.push({ stream, local: msg.task, value: msg.taskName });
        break;
      case 'settle-error':
        this.settleErrors.push({ stream, local: msg.task, value: msg.error });
        break;
      default: {
        const never: never = msg;
        void never;
      }
    }
  }

  /** Whether errors in this stream end the run: the first process's main thread (or the only stream). */
  private isRunsOwn(stream: Stream): boolean {
    if (stream.key === ROOT_STREAM) return true;
    return stream.group?.id === 0 && stream.group.threadId === 0;
  }

  /**
   * A stream ran traced code: it becomes a group. The first stream to start sets the trace's clock
   * (t = 0 and the wall-clock epoch of output ticks); every other stream's times are shifted by the
   * difference of the epochs their `start` frames carry.
   */
  private started(stream: Stream, msg: Extract<RuntimeMessage, { type: 'start' }>): void {
    if (stream.start) return;
    stream.start = msg;
    if (msg.runtime) this.runtime = msg.runtime;
    this.epochMs ??= msg.epochMs;
    stream.offset = msg.epochMs - this.epochMs;
    stream.parent = msg.parent ?? null;
    const sameProcessWorkers = this.groups.filter((g) => g.kind === 'worker' && g.pid === msg.pid).length;
    const entry = msg.entry ? relativeTo(this.meta.cwd, plainPath(msg.entry)) : undefined;
    const described = describeGroup(msg, this.groups.length, sameProcessWorkers + 1, entry);
    // A thread's own start (before its program's first line) is when its lane group begins; the first
    // group begins at t = 0 (its process started the tool's runtime before that).
    const startedAt = msg.threadEpochMs !== undefined && this.groups.length > 0 ? Math.max(0, msg.threadEpochMs - this.epochMs) : Math.max(0, stream.offset);
    stream.group = { ...described, parentGroup: null, started: startedAt, ended: null };
    this.groups.push(stream.group);
  }

  /**
   * A batch of 16-byte event records (little-endian) from stream `streamKey`. Kept as bytes and folded
   * in when a snapshot is taken: reading the event file must stay cheap, whatever the program writes.
   */
  handleEvents(bytes: Uint8Array, streamKey: string = ROOT_STREAM): void {
    this.pending.push({ stream: this.stream(streamKey), bytes });
  }

  private decodePending(): void {
    const batches = this.pending;
    this.pending = [];
    for (const { stream, bytes } of batches) this.decode(stream, bytes);
    if (this.taskNames.length || this.settleErrors.length) this.applyTaskInfo();
  }

  private applyTaskInfo(): void {
    const taskOf = (e: TaskNote) => this.task(e.stream.ids[e.local] ?? 0);
    this.taskNames = this.taskNames.filter((e) => {
      const task = taskOf(e);
      if (task) task.taskName = e.value;
      return !task;
    });
    this.settleErrors = this.settleErrors.filter((e) => {
      const task = taskOf(e);
      if (task?.settled) task.settled.error = e.value;
      return !task?.settled;
    });
  }

  private decode(stream: Stream, bytes: Uint8Array): void {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const n = Math.floor(bytes.byteLength / EVENT_BYTES);
    for (let i = 0; i < n; i++) {
      const o = i * EVENT_BYTES;
      this.apply(stream, view.getFloat64(o, true) + stream.offset, view.getUint32(o + 8, true), view.getUint32(o + 12, true));
    }
  }

  /** Program output, timestamped on arrival with the host's wall clock (ms since the epoch). */
  addOutput(stream: 'stdout' | 'stderr', text: string, hostEpochMs: number): void {
    const t = this.epochMs === null ? 0 : Math.max(0, hostEpochMs - this.epochMs);
    this.output.push({ t, stream, text });
  }

  /** Trace time (ms) for a host wall-clock instant. */
  timeAt(hostEpochMs: number): number {
    return this.epochMs === null ? 0 : Math.max(0, hostEpochMs - this.epochMs);
  }

  finish(exit: TraceExit, endT: number): void {
    this.decodePending();
    this.exit = exit;
    this.durationMs = Math.max(this.lastT, endT);
  }

  private site(stream: Stream, id: number): Site | undefined {
    return stream.sites?.get(id) ?? (id < DENSE_SITES ? this.sites[id] : this.farSites.get(id));
  }

  private task(id: number): TaskRecord | undefined {
    return this.tasks[id - 1];
  }

  private apply(stream: Stream, t: number, head: number, arg: number): void {
    this.events++;
    if (t > this.lastT) this.lastT = t;
    const kind = head >>> 28;
    const local = head & TASK_MASK;
    // Task ids in the stream are the thread's own; the trace numbers tasks across all threads.
    const id = kind === Ev.Create ? local : (stream.ids[local] ?? 0);
    switch (kind) {
      case Ev.Create: {
        const taskId = ++this.lastId;
        stream.ids.push(taskId);
        const def = this.site(stream, arg);
        const parent = local === 0 ? null : (stream.ids[local] ?? null);
        const group = stream.group?.id ?? 0;
        this.tasks.push({
          id: taskId,
          name: def?.name ?? `<anonymous #${taskId}>`,
          kind: siteKindToTaskKind(def?.kind),
          parentId: parent,
          definition: def?.where ?? null,
          created: { t, site: null },
          settled: null,
          ...(group !== 0 ? { group } : {}),
          segments: [{ state: 'running', start: t, end: null }],
        });
        break;
      }
      case Ev.CallSite: {
        const task = this.task(id);
        if (task && task.created.site === null) task.created.site = this.site(stream, arg)?.where ?? null;
        break;
      }
      case Ev.Yield: {
        const task = this.task(id);
        if (!task) break;
        const site = this.site(stream, arg);
        // Python: a task created by create_task never ran before the loop first steps it; the
        // runtime records its creation and the `scheduled` wait a moment apart, but the task ran
        // none of its code in between: a zero-length running segment, then the wait from creation.
        const start = site?.kind === 'scheduled' && task.segments.length === 1 ? task.created.t : t;
        closeLast(task, start);
        const seg: SuspendedSegment = {
          state: 'suspended',
          start,
          end: null,
          site: site?.where ?? null,
          kind: suspendKind(site?.kind),
          awaits: NO_AWAITS,
          // Set on resume; present from the start so every segment keeps one shape (no property added later).
          resumedBy: null,
        };
        task.segments.push(seg);
        break;
      }
      case Ev.WaitOn: {
        const seg = this.openSuspended(id);
        if (!seg) break;
        arg = stream.ids[arg] ?? 0;
        if (seg.awaits === NO_AWAITS) {
          seg.awaits = [arg];
        } else if (seg.awaits.length < 16) {
          if (!seg.awaits.includes(arg)) seg.awaits.push(arg);
        } else {
          // Promise.all over thousands of tasks: look members up in a set, not the array (quadratic).
          if (this.awaitSet?.seg !== seg) this.awaitSet = { seg, ids: new Set(seg.awaits) };
          if (!this.awaitSet.ids.has(arg)) {
            this.awaitSet.ids.add(arg);
            seg.awaits.push(arg);
          }
        }
        break;
      }
      case Ev.WaitKind: {
        const seg = this.openSuspended(id);
        if (!seg) break;
        if (arg >= FIRST_WAIT_TARGET) {
          const what = WAIT_TARGETS[arg - FIRST_WAIT_TARGET];
          if (what) seg.waitsFor = what;
        } else seg.combinator = COMBINATORS[arg] ?? 'all';
        break;
      }
      case Ev.Resume: {
        const task = this.task(id);
        if (!task) break;
        const seg = this.openSuspended(id);
        if (seg) {
          if (this.awaitSet?.seg === seg) this.awaitSet = null;
          seg.end = t;
          if (arg === 1) seg.threw = true;
          // A WokenBy record (who settled what it awaited) wins over the guess from settle times.
          seg.resumedBy ??= this.waker(seg, t);
        }
        task.segments.push({ state: 'running', start: t, end: null } as RunningSegment);
        break;
      }
      case Ev.WokenBy: {
        const seg = this.openSuspended(id);
        if (seg) seg.resumedBy = stream.ids[arg] ?? null;
        break;
      }
      case Ev.SettleOk:
      case Ev.SettleErr: {
        const task = this.task(id);
        if (!task) break;
        // A task that adopted a thenable ends while suspended on it: that suspension ends here.
        const adopt = this.openSuspended(id);
        if (adopt) {
          if (this.awaitSet?.seg === adopt) this.awaitSet = null;
          adopt.end = t;
          adopt.resumedBy ??= this.waker(adopt, t);
        }
        closeLast(task, t);
        task.settled = {
          t,
          state: kind === Ev.SettleOk ? 'fulfilled' : arg === SettleCode.Cancelled ? 'cancelled' : 'rejected',
        };
        break;
      }
      case Ev.CallbackDone:
        // Python's add_done_callback: runs however the task ended (no then/catch split).
        this.callbacks.push({ t, kind: 'done', taskId: id, site: this.site(stream, arg)?.where ?? null });
        break;
      case Ev.CallbackThen:
      case Ev.CallbackCatch:
      case Ev.CallbackFinally:
        this.callbacks.push({
          t,
          kind: kind === Ev.CallbackThen ? 'then' : kind === Ev.CallbackCatch ? 'catch' : 'finally',
          taskId: id,
          site: this.site(stream, arg)?.where ?? null,
        });
        break;
      default:
        break;
    }
  }

  private openSuspended(id: number): SuspendedSegment | null {
    const task = this.task(id);
    const last = task?.segments[task.segments.length - 1];
    return last && last.state === 'suspended' && last.end === null ? last : null;
  }

  /** Who woke a suspension: of the tasks it waited on, the one that settled last at or before the resume. */
  private waker(seg: SuspendedSegment, t: number): number | null {
    let best: number | null = null;
    let bestT = -Infinity;
    for (const id of seg.awaits) {
      const s = this.task(id)?.settled;
      if (s && s.t <= t && s.t >= bestT) {
        best = id;
        bestT = s.t;
      }
    }
    return best;
  }

  /**
   * The trace as it stands (`liveNow`: the current trace time, while the program runs). Later events
   * do not change a snapshot already taken: only a task's last segment can still change (closed
   * segments are final), so only that one is copied.
   */
  snapshot(liveNow?: number): Trace {
    this.decodePending();
    // A live trace reaches up to now (`liveNow`, from the host's clock), not just to the last event:
    // a program waiting on a timer records nothing, yet its suspension keeps growing.
    const durationMs = this.exit ? this.durationMs : Math.max(this.lastT, liveNow ?? 0);
    const final = this.exit !== null;
    return {
      format: TRACE_FORMAT,
      version: TRACE_VERSION,
      language: this.meta.language,
      ...(this.runtime ? { runtime: this.runtime } : {}),
      entry: this.meta.entry,
      cwd: this.meta.cwd,
      startedAt: this.meta.startedAt,
      durationMs,
      exit: this.exit,
      truncated: this.truncated,
      eventCount: this.events,
      tasks: this.tasks.map((task) => {
        if (final) return task;
        const segments = task.segments.slice();
        const last = segments.length - 1;
        const open = segments[last];
        if (open) segments[last] = open.state === 'suspended' ? { ...open, awaits: [...open.awaits] } : { ...open };
        return { ...task, created: { ...task.created }, settled: task.settled ? { ...task.settled } : null, segments };
      }),
      callbacks: [...this.callbacks],
      output: [...this.output],
      ...(this.hasGroups() ? { groups: this.groupsNow() } : {}),
    };
  }

  /** Groups are worth a field once there is more than the main thread, or the one is a command's process. */
  private hasGroups(): boolean {
    return this.groups.length > 1 || (this.groups.length === 1 && this.groups[0].kind !== 'main');
  }

  /**
   * The groups with their parents resolved (a parent's stream may be read after its child's). A parent
   * that ran no traced code (npm, a runner's own thread) gives way to its nearest traced ancestor.
   */
  private groupsNow(): TraceGroup[] {
    return this.groups.map((g) => {
      const own = [...this.streams.values()].find((s) => s.group === g);
      let parentKey = own?.parent ?? null;
      let parentGroup: number | null = null;
      for (let hops = 0; parentKey !== null && hops < 64; hops++) {
        const parent = this.streams.get(parentKey);
        if (!parent) break;
        if (parent.group) {
          parentGroup = parent.group.id;
          break;
        }
        parentKey = parent.parent;
      }
      return { ...g, parentGroup };
    });
  }
}

function closeLast(task: TaskRecord, t: number): void {
  const last = task.segments[task.segments.length - 1];
  if (last && last.end === null) last.end = t;
}

function siteKindToTaskKind(kind: SiteKind | undefined): TaskKind {
  switch (kind) {
    case 'method':
    case 'arrow':
    case 'generator':
    case 'module':
      return kind;
    default:
      return 'function';
  }
}

function suspendKind(kind: SiteKind | undefined): SuspendKind {
  switch (kind) {
    case 'for-await':
    case 'yield':
    case 'adopt':
    case 'scheduled':
      return kind;
    default:
      return 'await';
  }
}
