/**
 * What a quiet loop is waiting on. A sweep over the suspensions of one group (ordered by a radix
 * sort of their times, O(n)) keeps the set that is
 * open at each idle gap; counts are kept as it goes, so a gap costs O(1) however many tasks wait,
 * and names are listed only when few wait.
 */
import type { SuspendedSegment, TaskRecord } from '../../protocol/trace';
import { orderByKey } from '../sortByTime';
import { waitTargetLabel } from '../waitLabels';
import type { NarrationContext } from './context';

interface Wait {
  task: TaskRecord;
  seg: SuspendedSegment;
}

/** The few waits listed by name; above this only counts are said. */
const LIST_AT_MOST = 4;

function category(s: SuspendedSegment, python: boolean): string {
  if (s.kind === 'scheduled') return 'scheduled';
  if (s.kind === 'yield') return 'yield';
  if (s.awaits.length) return 'task';
  if (s.waitsFor) return `target:${s.waitsFor}`;
  return python ? 'future' : 'promise';
}

export class IdleSweep {
  // Every suspension of the group as columns (no object per suspension): index i is waitSeg[i] of
  // waitTask[i], its category is cats[catOf[i]]. The sweep reads only typed arrays: the segments
  // themselves are read once, in memory order, when it is built.
  private readonly waitTask: TaskRecord[];
  private readonly waitSeg: SuspendedSegment[];
  private readonly catOf: Uint16Array;
  private readonly cats: string[] = [];
  /** Indices by start (with the starts, in that order), and those that ended by end. */
  private readonly opens: Uint32Array;
  private readonly openT: Float64Array;
  private readonly closes: Uint32Array;
  private readonly closeT: Float64Array;
  private oi = 0;
  private ci = 0;
  /** The open suspensions in the order they opened: a linked list through next/prev (-1 ends it). */
  private readonly next: Int32Array;
  private readonly prev: Int32Array;
  private head = -1;
  private tail = -1;
  private size = 0;
  /** Open suspensions per category, and the categories in the order they were first open. */
  private readonly counts: Int32Array;
  private readonly seen: number[] = [];

  constructor(
    tasks: TaskRecord[],
    private readonly ctx: NarrationContext,
  ) {
    let n = 0;
    let ended = 0;
    for (const task of tasks)
      for (const seg of task.segments)
        if (seg.state === 'suspended') {
          n++;
          if (seg.end !== null) ended++;
        }
    this.waitTask = new Array<TaskRecord>(n);
    this.waitSeg = new Array<SuspendedSegment>(n);
    this.catOf = new Uint16Array(n);
    const starts = new Float64Array(n);
    const which = new Uint32Array(ended);
    const ends = new Float64Array(ended);
    const catIndex = new Map<string, number>();
    let k = 0;
    let e = 0;
    for (const task of tasks)
      for (const seg of task.segments)
        if (seg.state === 'suspended') {
          this.waitTask[k] = task;
          this.waitSeg[k] = seg;
          const c = category(seg, ctx.python);
          let code = catIndex.get(c);
          if (code === undefined) {
            catIndex.set(c, (code = this.cats.length));
            this.cats.push(c);
          }
          this.catOf[k] = code;
          starts[k] = seg.start;
          if (seg.end !== null) {
            which[e] = k;
            ends[e++] = seg.end;
          }
          k++;
        }
    // Ordered by a radix sort of their times (stable: task order, then each task's, on ties).
    // Plain loops: `Float64Array.from(order, map)` goes through the iterator, a call per item.
    const opens = orderByKey(starts);
    const openT = new Float64Array(n);
    for (let i = 0; i < n; i++) openT[i] = starts[opens[i]];
    const byEnd = orderByKey(ends);
    const closes = new Uint32Array(ended);
    const closeT = new Float64Array(ended);
    for (let i = 0; i < ended; i++) {
      const j = byEnd[i];
      closes[i] = which[j];
      closeT[i] = ends[j];
    }
    this.opens = opens;
    this.openT = openT;
    this.closes = closes;
    this.closeT = closeT;
    this.next = new Int32Array(n);
    this.prev = new Int32Array(n).fill(-2); // -2: not open
    this.counts = new Int32Array(this.cats.length);
  }

  /** Moves the sweep to a gap that begins at `t` (gaps must be asked in time order). */
  advance(t: number): void {
    const { next, prev, counts } = this;
    while (this.oi < this.opens.length && this.openT[this.oi] <= t) {
      const w = this.opens[this.oi++];
      prev[w] = this.tail;
      next[w] = -1;
      if (this.tail >= 0) next[this.tail] = w;
      else this.head = w;
      this.tail = w;
      this.size++;
      const c = this.catOf[w];
      if (counts[c]++ === 0 && !this.seen.includes(c)) this.seen.push(c);
    }
    while (this.ci < this.closes.length && this.closeT[this.ci] <= t) {
      const w = this.closes[this.ci++];
      if (prev[w] === -2) continue;
      if (prev[w] >= 0) next[prev[w]] = next[w];
      else this.head = next[w];
      if (next[w] >= 0) prev[next[w]] = prev[w];
      else this.tail = prev[w];
      prev[w] = -2;
      this.size--;
      counts[this.catOf[w]]--;
    }
  }

  private count(c: string): number {
    const code = this.cats.indexOf(c);
    return code < 0 ? 0 : this.counts[code];
  }

  private wait(i: number): Wait {
    return { task: this.waitTask[i], seg: this.waitSeg[i] };
  }

  /** The open suspensions, in the order they opened (only asked when few are). */
  private openList(): number[] {
    const out: number[] = [];
    for (let w = this.head; w >= 0; w = this.next[w]) out.push(w);
    return out;
  }

  /** The waiting tasks (listed only when few) and one clause saying what they wait on. */
  describe(): { taskIds: number[]; what: string } {
    const { ctx } = this;
    const few = this.size <= LIST_AT_MOST ? this.openList().map((i) => this.wait(i)) : null;
    const parts: string[] = [];
    const named = (c: string, text: (n: number) => string) => {
      const n = this.count(c);
      if (!n) return;
      const who = few?.filter((w) => category(w.seg, ctx.python) === c);
      const list = who?.length
        ? ` (${who.map((w) => `${ctx.name(w.task.id)} at ${ctx.where(w.seg.site)}`).join(', ')})`
        : '';
      parts.push(text(n) + list);
    };
    // Timers and I/O first: they are what ends an idle loop.
    named(
      'promise',
      (n) => `${n} promise${n === 1 ? '' : 's'} that ${n === 1 ? 'is' : 'are'} no task's (a timer, I/O…)`,
    );
    named('future', (n) => `${n} future${n === 1 ? '' : 's'}`);
    for (const c of this.seen.map((code) => this.cats[code]))
      if (c.startsWith('target:'))
        named(c, (n) => {
          const label = waitTargetLabel(c.slice(7) as never).replace(/^an? /, '');
          return n === 1 ? `1 ${label}` : `${n} ${label.replace(/^(\w+)/, '$1s')}`;
        });
    named('yield', (n) => `${n} async generator${n === 1 ? '' : 's'} paused at a yield`);
    named('scheduled', (n) => `${n} task${n === 1 ? '' : 's'} scheduled`);
    const clauses = parts.length ? [`waiting on ${parts.join(', ')}`] : [];
    const onTasks = this.count('task');
    if (onTasks) {
      const who = few?.filter((w) => category(w.seg, ctx.python) === 'task');
      clauses.push(
        who?.length
          ? who
              .map(
                (w) => `${ctx.name(w.task.id)} awaits ${w.seg.awaits.map((id) => ctx.name(id)).join(', ')}`,
              )
              .join('; ')
          : `${onTasks} task${onTasks === 1 ? ' awaits another task' : 's await other tasks'}`,
      );
    }
    const what = clauses.length
      ? clauses.join('; ')
      : 'no task is waiting (top-level code, timers or I/O outside any task)';
    return { taskIds: few ? few.map((w) => w.task.id) : [], what };
  }
}
