/**
 * What a quiet loop is waiting on, at each idle gap of one group. The gaps' times are known first
 * (they come from the pieces of running); each suspension then counts, per category, for the
 * gaps it is open at — a range of gaps found by binary search, added to a difference array — so
 * no suspension is sorted and a gap costs O(1) however many tasks wait. Names are listed only
 * when few wait, for those gaps only.
 */
import type { SuspendedSegment, TaskRecord } from '../../protocol/trace';
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

/** The first index of `times` (ascending) whose time is at least `x`, trying `hint` and the one after first. */
function firstAtLeast(times: Float64Array, x: number, hint: number): number {
  const m = times.length;
  if (hint >= 0 && hint <= m && (hint === m || times[hint] >= x) && (hint === 0 || times[hint - 1] < x))
    return hint;
  const h = hint + 1;
  if (h >= 0 && h <= m && (h === m || times[h] >= x) && (h === 0 || times[h - 1] < x)) return h;
  let lo = 0;
  let hi = m;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (times[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The waiting at each gap of a group, `times` ascending (the moments the loop went quiet):
 * per gap, the waiting tasks (listed only when few) and one clause saying what they wait on.
 * A suspension is open at a gap at `t` when it began at or before `t` and did not end by then
 * (one that ends before it begins, as hand-made traces can, is open from its beginning on).
 */
export class IdleGaps {
  private readonly cats: string[] = [];
  /** Per category, the open suspensions at each gap (m numbers per category, side by side). */
  private readonly counts: Int32Array;
  /** Categories in the order they were first open (the first suspension of each, by time). */
  private readonly order: number[];
  /** Per gap with few open suspensions: which, in the order they opened. */
  private readonly few = new Map<number, Wait[]>();
  private readonly m: number;

  constructor(
    tasks: TaskRecord[],
    private readonly ctx: NarrationContext,
    times: Float64Array,
  ) {
    const m = (this.m = times.length);
    let n = 0;
    for (const task of tasks) for (const seg of task.segments) if (seg.state === 'suspended') n++;
    // Pass 1: each suspension's range of gaps [from, to) and its category.
    const from = new Int32Array(n);
    const to = new Int32Array(n);
    const catOf = new Uint16Array(n);
    const catIndex = new Map<string, number>();
    const firstStart: number[] = [];
    const firstIdx: number[] = [];
    let k = 0;
    for (const task of tasks) {
      let hintO = -1;
      let hintC = -1;
      for (const seg of task.segments) {
        if (seg.state !== 'suspended') continue;
        const c = category(seg, ctx.python);
        let code = catIndex.get(c);
        if (code === undefined) {
          catIndex.set(c, (code = this.cats.length));
          this.cats.push(c);
          firstStart.push(Infinity);
          firstIdx.push(-1);
        }
        catOf[k] = code;
        const gO = (hintO = firstAtLeast(times, seg.start, hintO));
        let gC = m;
        if (seg.end !== null) {
          const closeAt = (hintC = firstAtLeast(times, seg.end, hintC));
          if (closeAt >= gO) gC = closeAt;
        }
        from[k] = gO;
        to[k] = gC;
        if (gO < m && (seg.start < firstStart[code] || firstIdx[code] < 0)) {
          firstStart[code] = seg.start;
          firstIdx[code] = k;
        }
        k++;
      }
    }
    const cn = this.cats.length;
    this.order = Array.from({ length: cn }, (_, c) => c)
      .filter((c) => firstIdx[c] >= 0)
      .sort((a, b) => firstStart[a] - firstStart[b] || firstIdx[a] - firstIdx[b]);
    // Counts per category and gap: a difference array, then running sums.
    const counts = (this.counts = new Int32Array(cn * (m + 1)));
    const total = new Int32Array(m + 1);
    for (let i = 0; i < n; i++) {
      if (from[i] >= to[i]) continue;
      const base = catOf[i] * (m + 1);
      counts[base + from[i]]++;
      counts[base + to[i]]--;
      total[from[i]]++;
      total[to[i]]--;
    }
    for (let c = 0; c < cn; c++) {
      const base = c * (m + 1);
      for (let g = 1; g <= m; g++) counts[base + g] += counts[base + g - 1];
    }
    for (let g = 1; g <= m; g++) total[g] += total[g - 1];
    // The gaps with few open suspensions, and for each gap the next such one (m: none).
    const nextFew = new Int32Array(m + 1);
    nextFew[m] = m;
    let anyFew = false;
    for (let g = m - 1; g >= 0; g--) {
      const isFew = total[g] <= LIST_AT_MOST;
      nextFew[g] = isFew ? g : nextFew[g + 1];
      if (isFew) anyFew = true;
    }
    if (!anyFew) return;
    // Pass 2: who is open at those gaps, then in the order they opened (by time, then as listed).
    const lists = new Map<number, number[]>();
    for (let i = 0; i < n; i++)
      for (let g = nextFew[from[i]]; g < to[i]; g = nextFew[g + 1]) {
        let list = lists.get(g);
        if (!list) lists.set(g, (list = []));
        list.push(i);
      }
    const byIdx = new Map<number, Wait>();
    if (lists.size) {
      const wanted = new Set<number>();
      for (const list of lists.values()) for (const i of list) wanted.add(i);
      k = 0;
      for (const task of tasks)
        for (const seg of task.segments) {
          if (seg.state !== 'suspended') continue;
          if (wanted.has(k)) byIdx.set(k, { task, seg });
          k++;
        }
    }
    for (const [g, list] of lists) {
      const waits = list
        .sort((a, b) => byIdx.get(a)!.seg.start - byIdx.get(b)!.seg.start || a - b)
        .map((i) => byIdx.get(i)!);
      this.few.set(g, waits);
    }
    for (let g = 0; g < m; g++) if (total[g] <= LIST_AT_MOST && !this.few.has(g)) this.few.set(g, []);
  }

  private count(c: string, g: number): number {
    const code = this.cats.indexOf(c);
    return code < 0 ? 0 : this.counts[code * (this.m + 1) + g];
  }

  /** The waiting tasks at gap `g` (listed only when few) and one clause saying what they wait on. */
  describe(g: number): { taskIds: number[]; what: string } {
    const { ctx } = this;
    const few = this.few.get(g) ?? null;
    const parts: string[] = [];
    const named = (c: string, text: (n: number) => string) => {
      const n = this.count(c, g);
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
    for (const c of this.order.map((code) => this.cats[code]))
      if (c.startsWith('target:'))
        named(c, (n) => {
          const label = waitTargetLabel(c.slice(7) as never).replace(/^an? /, '');
          return n === 1 ? `1 ${label}` : `${n} ${label.replace(/^(\w+)/, '$1s')}`;
        });
    named('yield', (n) => `${n} async generator${n === 1 ? '' : 's'} paused at a yield`);
    named('scheduled', (n) => `${n} task${n === 1 ? '' : 's'} scheduled`);
    const clauses = parts.length ? [`waiting on ${parts.join(', ')}`] : [];
    const onTasks = this.count('task', g);
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
