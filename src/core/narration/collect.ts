/**
 * The raw steps of one group, in time order: a step per piece of running, per callback, per idle
 * gap. Words come later (after the output is attached). Raw steps are columns (`RawSteps`: one
 * array per fact, no object per step): a million-event run folds into a screen of steps, and only
 * the steps that are read become objects (`Draft`, whose sentence is written when read).
 */
import type {
  CallbackRecord,
  Step,
  StepKind,
  SourceSite,
  SuspendedSegment,
  TaskRecord,
} from '../../protocol/trace';
import { callbackLabel } from '../waitLabels';
import { formatDuration } from '../textTimeline';
import { FIRST, LAST, OPEN, type PieceTable, type RunPiece } from '../runPieces';
import type { NarrationContext } from './context';
import { IdleGaps } from './idle';
import { beginClause, endClause, printsClause, scheduledClause, sentence, type Before } from './pieceWords';

/** The output of a step that printed nothing: shared and frozen (a million steps, one array). */
export const NO_OUTPUT = Object.freeze([]) as unknown as string[];

/** A piece's facts the sentence needs (shared by every step of one narration). */
export interface Words {
  ctx: NarrationContext;
  holdMs: number;
  /** `[id]`, one frozen array per task, shared by the steps that name only their own task. */
  alone(id: number): number[];
  /** A number per distinct file name, and per distinct way a piece ended (`same` compares them). */
  fileId(file: string): number;
  endCode(ended: string): number;
}

/** A `Words.fileId` or `Words.endCode` for one narration: a number per distinct string. */
export function interner(): (key: string) => number {
  const ids = new Map<string, number>();
  return (key) => {
    let id = ids.get(key);
    if (id === undefined) ids.set(key, (id = ids.size));
    return id;
  };
}

const NO_IDS: number[] = Object.freeze([]) as unknown as number[];

/** A `Words.alone` for one narration. */
export function aloneIds(): (id: number) => number[] {
  const cache = new Map<number, number[]>();
  return (id) => {
    let ids = cache.get(id);
    if (!ids) cache.set(id, (ids = Object.freeze([id]) as unknown as number[]));
    return ids;
  };
}

const NOTHING_BEFORE: Before = Object.freeze({});
const NONE_SCHEDULED = Object.freeze([]) as unknown as TaskRecord[];

/** What a piece's sentence needs besides the piece, when it is not nothing. */
interface PieceExtra {
  before: Before;
  scheduled: TaskRecord[];
}

/**
 * One raw step of the narration as an object, made (`RawSteps.draft`) only for a step that is
 * read: inside `narrate` only (what it returns is plain `Step`s). It has a `Step`'s fields, and its
 * `text` is written only when read: a million-step run folds into a screen of steps, and the
 * members of a folded step are turned into `Step`s (`plain()`) only when someone reads them.
 */
export class Draft implements Step {
  declare group?: number;
  output: string[] = NO_OUTPUT;
  private cached: string | undefined;
  private readonly words: Words;
  // A piece of running: task.segments[seg], from `t` to _pieceEnd, with FIRST/LAST/OPEN flags.
  private readonly task: TaskRecord | null;
  private readonly seg: number;
  private readonly flags: number;
  private readonly pieceEnd: number;
  /** A piece: its PieceExtra or null; a callback: its record; idle and end: their sentence. */
  private readonly extra: PieceExtra | CallbackRecord | ((lines: number) => string) | null;

  constructor(
    public kind: StepKind,
    public t: number,
    public end: number,
    group: number,
    public taskIds: number[],
    public site: SourceSite | null,
    words: Words,
    task: TaskRecord | null,
    seg: number,
    flags: number,
    pieceEnd: number,
    extra: PieceExtra | CallbackRecord | ((lines: number) => string) | null,
  ) {
    if (group !== 0) this.group = group;
    this.words = words;
    this.task = task;
    this.seg = seg;
    this.flags = flags;
    this.pieceEnd = pieceEnd;
    this.extra = extra;
  }

  private callbackRecord(): CallbackRecord | null {
    return !this.task && this.extra && typeof this.extra !== 'function'
      ? (this.extra as CallbackRecord)
      : null;
  }

  /** The sentence, with the group's label when the trace has several; written on first read. */
  get text(): string {
    if (this.cached === undefined) {
      const label = this.words.ctx.groupLabel(this.group ?? 0);
      this.cached = (label ? `[${label}] ` : '') + this.say(this.output.length);
    }
    return this.cached;
  }

  private say(lines: number): string {
    const { ctx, holdMs } = this.words;
    const task = this.task;
    if (task) {
      const f = this.flags;
      const piece: RunPiece = {
        task,
        seg: this.seg,
        start: this.t,
        end: this.pieceEnd,
        first: (f & FIRST) !== 0,
        last: (f & LAST) !== 0,
        open: (f & OPEN) !== 0,
        group: this.group ?? 0,
      };
      const length = piece.end - piece.start;
      const held =
        length >= holdMs && !piece.open ? `runs ${formatDuration(length)} without giving the loop back` : '';
      const extra = this.extra as PieceExtra | null;
      return sentence(beginClause(piece, ctx, extra?.before ?? NOTHING_BEFORE), [
        held,
        scheduledClause(extra?.scheduled ?? NONE_SCHEDULED, ctx),
        printsClause(lines),
        endClause(piece, ctx),
      ]);
    }
    const c = this.callbackRecord();
    if (c) {
      const owner = ctx.tasks.get(c.taskId);
      const state = owner?.settled ? ` (${ctx.name(c.taskId)} ${owner.settled.state})` : '';
      return sentence(
        `the ${callbackLabel(c.kind)} attached at ${ctx.where(c.site)} to ${ctx.name(c.taskId)}${state} runs`,
        [printsClause(lines)],
      );
    }
    return typeof this.extra === 'function' ? this.extra(lines) : '';
  }

  /** The step as a plain object (text written), for JSON and for posting to a webview. */
  plain(): Step {
    return {
      kind: this.kind,
      t: this.t,
      end: this.end,
      taskIds: this.taskIds,
      ...(this.group !== undefined ? { group: this.group } : {}),
      site: this.site,
      output: this.output,
      text: this.text,
    };
  }
}

/**
 * Raw steps as columns: step `i` is `kind[i]` at `t[i]`… (a `Draft`'s facts, one array each). No
 * object per step: a 1M-event run has half a million raw steps, and folding leaves a screen of
 * them; `draft(i)` makes the object for a step that is read.
 */
/** A copy of typed array `a`, `n` long (`a`'s values first, zeros after). */
function grown<T extends Float64Array | Int32Array | Uint8Array>(a: T, n: number): T {
  const b = new (a.constructor as new (length: number) => T)(n);
  b.set(a);
  return b;
}

/** The kinds a raw step can have, and each one's number in `RawSteps.kind`. */
const KINDS: StepKind[] = ['start', 'resume', 'continue', 'callback', 'idle', 'end'];
const KIND_CODE = Object.fromEntries(KINDS.map((k, i) => [k, i])) as Record<StepKind, number>;

export class RawSteps {
  length = 0;
  // Sized once (`capacity`: the caller's estimate) and grown by doubling past it: a million
  // `push`es into growing arrays cost more than the steps themselves.
  /** The kind, as its index in KINDS. */
  kind: Uint8Array;
  t: Float64Array;
  end: Float64Array;
  group: Int32Array;
  taskIds: number[][];
  /** The site of a step that is not a piece (a piece's is found again: `siteOf`), when it has one. */
  readonly site = new Map<number, SourceSite>();
  // A piece of running: task.segments[seg], from `t` to pieceEnd, with FIRST/LAST/OPEN flags.
  task: (TaskRecord | null)[];
  seg: Int32Array;
  flags: Uint8Array;
  pieceEnd: Float64Array;
  /** A piece: its PieceExtra (when not nothing); a callback: its record; idle and end: their sentence. */
  readonly extra = new Map<number, PieceExtra | CallbackRecord | ((lines: number) => string)>();
  // What `same` compares of a piece, read when the piece is (its segments are then in cache):
  // its site's file (as an id) and line, how it ended (as an id) and the line it parked at.
  fileId: Int32Array;
  line: Float64Array;
  endCode: Int32Array;
  endLine: Float64Array;
  /** The output lines of the steps that printed (most print nothing). */
  readonly output = new Map<number, string[]>();

  constructor(
    readonly words: Words,
    capacity: number,
  ) {
    const n = Math.max(8, capacity);
    this.kind = new Uint8Array(n);
    this.t = new Float64Array(n);
    this.end = new Float64Array(n);
    this.group = new Int32Array(n);
    this.taskIds = new Array<number[]>(n);
    this.task = new Array<TaskRecord | null>(n);
    this.seg = new Int32Array(n);
    this.flags = new Uint8Array(n);
    this.pieceEnd = new Float64Array(n);
    this.fileId = new Int32Array(n);
    this.line = new Float64Array(n);
    this.endCode = new Int32Array(n);
    this.endLine = new Float64Array(n);
  }

  private grow(): void {
    const n = 2 * this.t.length;
    // Arrays grow by themselves when written one past their end; typed arrays are copied.
    this.taskIds.length = this.task.length = n;
    this.kind = grown(this.kind, n);
    this.t = grown(this.t, n);
    this.end = grown(this.end, n);
    this.pieceEnd = grown(this.pieceEnd, n);
    this.line = grown(this.line, n);
    this.endLine = grown(this.endLine, n);
    this.fileId = grown(this.fileId, n);
    this.endCode = grown(this.endCode, n);
    this.group = grown(this.group, n);
    this.seg = grown(this.seg, n);
    this.flags = grown(this.flags, n);
  }

  push(
    kind: StepKind,
    t: number,
    end: number,
    group: number,
    taskIds: number[],
    site: SourceSite | null,
    task: TaskRecord | null,
    seg: number,
    flags: number,
    pieceEnd: number,
    extra: PieceExtra | CallbackRecord | ((lines: number) => string) | null,
  ): void {
    const i = this.length++;
    if (i === this.t.length) this.grow();
    this.kind[i] = KIND_CODE[kind];
    this.t[i] = t;
    this.end[i] = end;
    this.group[i] = group;
    this.taskIds[i] = taskIds;
    if (site) this.site.set(i, site);
    this.task[i] = task;
    this.seg[i] = seg;
    this.flags[i] = flags;
    this.pieceEnd[i] = pieceEnd;
    if (extra) this.extra.set(i, extra);
  }

  /** Appends step `i` of `from` (its output too). */
  copy(from: RawSteps, i: number): void {
    const out = from.output.get(i);
    if (out) this.output.set(this.length, out);
    this.push(
      from.kindOf(i),
      from.t[i],
      from.end[i],
      from.group[i],
      from.taskIds[i],
      from.site.get(i) ?? null,
      from.task[i],
      from.seg[i],
      from.flags[i],
      from.pieceEnd[i],
      from.extra.get(i) ?? null,
    );
    const j = this.length - 1;
    this.fileId[j] = from.fileId[i];
    this.line[j] = from.line[i];
    this.endCode[j] = from.endCode[i];
    this.endLine[j] = from.endLine[i];
  }

  kindOf(i: number): StepKind {
    return KINDS[this.kind[i]];
  }

  /** The site of step `i`. */
  siteOf(i: number): SourceSite | null {
    const task = this.task[i];
    return task ? pieceSite(this.kindOf(i), task, this.seg[i], this.flags[i]) : (this.site.get(i) ?? null);
  }

  outputOf(i: number): string[] {
    return this.output.get(i) ?? NO_OUTPUT;
  }

  /** Step `i` as a `Draft` (its sentence written when read). */
  draft(i: number): Draft {
    const d = new Draft(
      this.kindOf(i),
      this.t[i],
      this.end[i],
      this.group[i],
      this.taskIds[i],
      this.siteOf(i),
      this.words,
      this.task[i],
      this.seg[i],
      this.flags[i],
      this.pieceEnd[i],
      this.extra.get(i) ?? null,
    );
    const out = this.output.get(i);
    if (out) d.output = out;
    return d;
  }

  private scheduledCount(i: number): number {
    const extra = this.extra.get(i);
    return this.task[i] && extra ? (extra as PieceExtra).scheduled.length : 0;
  }

  private callbackRecord(i: number): CallbackRecord | null {
    const extra = this.extra.get(i);
    return !this.task[i] && extra && typeof extra !== 'function' ? (extra as CallbackRecord) : null;
  }

  /**
   * Whether steps `a` and `b` read alike — the same function doing the same thing at the same
   * lines, in the same group — which is what folding compares. Compares facts, builds no string.
   */
  same(a: number, b: number): boolean {
    if (this.kind[a] !== this.kind[b] || this.group[a] !== this.group[b]) return false;
    const p = this.task[a];
    const q = this.task[b];
    if (p || q) {
      if (!p || !q) return false;
      if (p.name !== q.name || this.scheduledCount(a) !== this.scheduledCount(b)) return false;
      return (
        this.fileId[a] === this.fileId[b] &&
        this.line[a] === this.line[b] &&
        this.endCode[a] === this.endCode[b] &&
        this.endLine[a] === this.endLine[b]
      );
    }
    const c = this.callbackRecord(a);
    const d = this.callbackRecord(b);
    if (c || d) {
      if (!c || !d) return false;
      return (
        c.kind === d.kind &&
        (c.site?.file ?? null) === (d.site?.file ?? null) &&
        (c.site?.line ?? 0) === (d.site?.line ?? 0)
      );
    }
    // idle with idle; `end` is one of a kind.
    return this.kind[a] === KIND_CODE.idle;
  }
}

/** A quiet stretch shorter than this is the loop's own bookkeeping, not idleness. */
export const DEFAULT_IDLE_MS = 1;
/** A piece at least this long is said to hold the loop (the editor's default blocking threshold). */
export const DEFAULT_HOLD_MS = 50;

/**
 * What a step needs of each running segment of a group (index `o` of `PieceTable.tasks`/`segs`)
 * and of the segments around it, read once in task order — memory order — where the pieces come
 * in time order, a task at a time, and each would read its segments from far apart in memory.
 * Packed, `FACTS` numbers per segment (the F_ offsets), so a piece reads one or two cache lines.
 */
const F_RESUMES = 0; // its first piece resumes (1) or starts (0)
const F_RESUMED_BY = 1; // the waker of the suspension it resumes from (NaN: none)
const F_START_FILE = 2; // the site it starts or resumes at: file (a `Words.fileId`) and line
const F_START_LINE = 3;
const F_PARKS = 4; // the next segment is a suspension (1)
const F_AWAITS = 5; // how many tasks that suspension awaits
const F_PARK_FILE = 6; // the site it parks at: file id and line
const F_PARK_LINE = 7;
const F_END = 8; // how its last piece ended, when not still open (a `Words.endCode`)
const F_TASK = 9; // the task's id
const FACTS = 10;

function segmentFacts(table: PieceTable, words: Words): Float64Array {
  const n = table.tasks.length;
  const f = new Float64Array(n * FACTS);
  const noFile = words.fileId('');
  for (let o = 0; o < n; o++) {
    const task = table.tasks[o];
    const seg = table.segs[o];
    const prev = task.segments[seg - 1];
    const next = task.segments[seg + 1];
    const resumes = prev !== undefined && prev.state === 'suspended' && prev.kind !== 'scheduled';
    const start = resumes ? prev.site : task.created.site;
    const at = o * FACTS;
    f[at + F_RESUMES] = resumes ? 1 : 0;
    f[at + F_RESUMED_BY] = resumes ? (prev.resumedBy ?? NaN) : NaN;
    f[at + F_START_FILE] = start ? words.fileId(start.file ?? '') : noFile;
    f[at + F_START_LINE] = start?.line ?? 0;
    const parks = next !== undefined && next.state === 'suspended';
    f[at + F_PARKS] = parks ? 1 : 0;
    f[at + F_AWAITS] = parks ? next.awaits.length : 0;
    const site = parks ? next.site : null;
    f[at + F_PARK_FILE] = site ? words.fileId(site.file ?? '') : noFile;
    f[at + F_PARK_LINE] = site?.line ?? 0;
    f[at + F_END] = words.endCode(
      next ? (next.state === 'suspended' ? next.kind : '') : (task.settled?.state ?? 'cut'),
    );
    f[at + F_TASK] = task.id;
  }
  return f;
}

/** Appends piece `i` of `table` as a raw step (`facts`: the table's `segmentFacts`). */
function pushPiece(
  steps: RawSteps,
  table: PieceTable,
  facts: Float64Array,
  i: number,
  words: Words,
  before: Before,
  scheduled: TaskRecord[],
): void {
  const o = table.src[i];
  const at = o * FACTS;
  const task = table.tasks[o];
  const flags = table.flags[i];
  const first = (flags & FIRST) !== 0;
  const last = (flags & LAST) !== 0;
  const kind: StepKind = !first ? 'continue' : facts[at + F_RESUMES] ? 'resume' : 'start';
  // The task, then the others it names (its creator, its waker, what it parks on, what it
  // scheduled), each once. Most name only themselves: those share one frozen array per task.
  const resumedBy = kind === 'resume' ? facts[at + F_RESUMED_BY] : NaN;
  const parks = last && facts[at + F_PARKS] === 1;
  const seg = table.segs[o];
  const awaits = parks && facts[at + F_AWAITS] ? (task.segments[seg + 1] as SuspendedSegment).awaits : NO_IDS;
  const parent = kind === 'start' ? task.parentId : null;
  let ids: number[];
  if (parent === null && resumedBy !== resumedBy && !awaits.length && !scheduled.length)
    ids = words.alone(facts[at + F_TASK]);
  else {
    ids = [task.id];
    const add = (id: number) => {
      if (ids.length < 16 ? !ids.includes(id) : !seen(ids, id)) ids.push(id);
    };
    if (parent !== null) add(parent);
    if (resumedBy === resumedBy) add(resumedBy);
    for (const id of awaits) add(id);
    for (const c of scheduled) add(c.id);
  }
  const extra = before !== NOTHING_BEFORE || scheduled.length ? { before, scheduled } : null;
  // The site (found again when the step is read: `RawSteps.siteOf`) as folding compares it.
  steps.push(
    kind,
    table.start[i],
    table.end[i],
    table.group,
    ids,
    null,
    task,
    seg,
    flags,
    table.end[i],
    extra,
  );
  const j = steps.length - 1;
  if (first) {
    steps.fileId[j] = facts[at + F_START_FILE];
    steps.line[j] = facts[at + F_START_LINE];
  } else if (parks) {
    steps.fileId[j] = facts[at + F_PARK_FILE];
    steps.line[j] = facts[at + F_PARK_LINE];
  } else {
    steps.fileId[j] = words.fileId('');
    steps.line[j] = 0;
  }
  steps.endCode[j] = !last ? words.endCode('call') : flags & OPEN ? words.endCode('open') : facts[at + F_END];
  steps.endLine[j] = parks ? facts[at + F_PARK_LINE] : 0;
}

/** The site of a piece's step: where it resumed, the call that started it, or where it parked. */
function pieceSite(kind: StepKind, task: TaskRecord, seg: number, flags: number): SourceSite | null {
  const prev = task.segments[seg - 1];
  const next = task.segments[seg + 1];
  return kind === 'resume' && prev?.state === 'suspended'
    ? prev.site
    : kind === 'start'
      ? task.created.site
      : flags & LAST && next?.state === 'suspended'
        ? next.site
        : null;
}

/** `ids.includes(id)` for long lists (a Promise.all of a thousand), through a set kept beside it. */
const idSets = new WeakMap<number[], Set<number>>();
function seen(ids: number[], id: number): boolean {
  let set = idSets.get(ids);
  if (!set) idSets.set(ids, (set = new Set(ids)));
  if (set.has(id)) return true;
  set.add(id);
  return false;
}

function pushCallback(steps: RawSteps, c: CallbackRecord, group: number): void {
  steps.push('callback', c.t, c.t, group, [c.taskId], c.site, null, 0, 0, 0, c);
}

/** Every raw step of one group's pieces and callbacks, with the idle gaps between them. */
export function collectGroup(
  pieces: PieceTable | undefined,
  callbacks: CallbackRecord[],
  tasks: TaskRecord[],
  group: number,
  words: Words,
  idleMs: number,
): RawSteps {
  const { ctx } = words;
  // Python tasks scheduled during a piece, by their creator, in creation order.
  const scheduledBy = new Map<number, TaskRecord[]>();
  for (const t of tasks) {
    const first = t.segments[1];
    if (t.parentId === null || !first || first.state !== 'suspended' || first.kind !== 'scheduled') continue;
    let list = scheduledBy.get(t.parentId);
    if (!list) scheduledBy.set(t.parentId, (list = []));
    list.push(t);
  }
  const cursor = new Map<number, number>();
  const takeScheduled = (taskId: number, end: number): TaskRecord[] => {
    const list = scheduledBy.get(taskId);
    if (!list) return NONE_SCHEDULED;
    let i = cursor.get(taskId) ?? 0;
    const out: TaskRecord[] = [];
    while (i < list.length && list[i].created.t <= end) out.push(list[i++]);
    cursor.set(taskId, i);
    return out;
  };

  const facts = pieces ? segmentFacts(pieces, words) : null;
  const count = pieces?.length ?? 0;
  // A step per piece and per callback, at most, and a few idle gaps (more grow the columns).
  const drafts = new RawSteps(words, count + callbacks.length + 16);
  let busyUntil = -Infinity;
  let before: Before = NOTHING_BEFORE;
  // Idle gaps are described once all are known (`IdleGaps`): their steps, and when they began.
  const gapSteps: number[] = [];
  const gapTimes: number[] = [];
  const gap = (t: number) => {
    if (busyUntil === -Infinity || t - busyUntil < idleMs) return;
    gapSteps.push(drafts.length);
    gapTimes.push(busyUntil);
    drafts.push('idle', busyUntil, t, group, NO_IDS, null, null, 0, 0, 0, null);
  };
  let ci = 0;
  for (let p = 0; p < count; p++) {
    const table = pieces!;
    const start = table.start[p];
    const flags = table.flags[p];
    while (ci < callbacks.length && callbacks[ci].t <= start) {
      const c = callbacks[ci++];
      gap(c.t);
      pushCallback(drafts, c, group);
      busyUntil = Math.max(busyUntil, c.t);
      const site = ctx.where(c.site);
      before = { callback: { kind: callbackLabel(c.kind), taskId: c.taskId, site } };
    }
    gap(start);
    const made = takeScheduled(facts![table.src[p] * FACTS + F_TASK], table.end[p]);
    // "Back in main" until main calls the next one says nothing the next step does not: the call
    // step names the caller. Such a piece is left out (its time goes to the step before).
    const silent = !(flags & FIRST) && !(flags & LAST) && !made.length;
    if (!silent) pushPiece(drafts, table, facts!, p, words, before, made);
    busyUntil = Math.max(busyUntil, table.end[p]);
    before = NOTHING_BEFORE;
  }
  while (ci < callbacks.length) {
    const c = callbacks[ci++];
    gap(c.t);
    pushCallback(drafts, c, group);
    busyUntil = Math.max(busyUntil, c.t);
  }
  if (gapSteps.length) {
    const waits = new IdleGaps(tasks, ctx, Float64Array.from(gapTimes));
    for (let g = 0; g < gapSteps.length; g++) {
      const j = gapSteps[g];
      const { taskIds, what } = waits.describe(g);
      const from = drafts.t[j];
      const t = drafts.end[j];
      drafts.taskIds[j] = taskIds;
      drafts.extra.set(j, () => `nothing runs for ${formatDuration(t - from)}: ${what}.`);
    }
  }
  return drafts;
}
