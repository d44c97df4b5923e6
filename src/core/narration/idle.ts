/**
 * What a quiet loop is waiting on. A sweep over the suspensions of one group keeps the set that is
 * open at each idle gap; counts are kept as it goes, so a gap costs O(1) however many tasks wait,
 * and names are listed only when few wait.
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

function category(w: Wait, python: boolean): string {
  const s = w.seg;
  if (s.kind === 'scheduled') return 'scheduled';
  if (s.kind === 'yield') return 'yield';
  if (s.awaits.length) return 'task';
  if (s.waitsFor) return `target:${s.waitsFor}`;
  return python ? 'future' : 'promise';
}

export class IdleSweep {
  private readonly opens: Wait[] = [];
  private readonly closes: Wait[] = [];
  private oi = 0;
  private ci = 0;
  private readonly open = new Set<Wait>();
  private readonly counts = new Map<string, number>();

  constructor(
    tasks: TaskRecord[],
    private readonly ctx: NarrationContext,
  ) {
    for (const task of tasks)
      for (const seg of task.segments)
        if (seg.state === 'suspended') {
          const w = { task, seg };
          this.opens.push(w);
          if (seg.end !== null) this.closes.push(w);
        }
    this.opens.sort((a, b) => a.seg.start - b.seg.start);
    this.closes.sort((a, b) => a.seg.end! - b.seg.end!);
  }

  /** Moves the sweep to a gap that begins at `t` (gaps must be asked in time order). */
  advance(t: number): void {
    while (this.oi < this.opens.length && this.opens[this.oi].seg.start <= t) {
      const w = this.opens[this.oi++];
      this.open.add(w);
      const c = category(w, this.ctx.python);
      this.counts.set(c, (this.counts.get(c) ?? 0) + 1);
    }
    while (this.ci < this.closes.length && this.closes[this.ci].seg.end! <= t) {
      const w = this.closes[this.ci++];
      if (!this.open.delete(w)) continue;
      const c = category(w, this.ctx.python);
      this.counts.set(c, this.counts.get(c)! - 1);
    }
  }

  /** The waiting tasks (listed only when few) and one clause saying what they wait on. */
  describe(): { taskIds: number[]; what: string } {
    const { ctx } = this;
    const few = this.open.size <= LIST_AT_MOST ? [...this.open] : null;
    const parts: string[] = [];
    const named = (c: string, text: (n: number) => string) => {
      const n = this.counts.get(c) ?? 0;
      if (!n) return;
      const who = few?.filter((w) => category(w, ctx.python) === c);
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
    for (const c of this.counts.keys())
      if (c.startsWith('target:'))
        named(c, (n) => {
          const label = waitTargetLabel(c.slice(7) as never).replace(/^an? /, '');
          return n === 1 ? `1 ${label}` : `${n} ${label.replace(/^(\w+)/, '$1s')}`;
        });
    named('yield', (n) => `${n} async generator${n === 1 ? '' : 's'} paused at a yield`);
    named('scheduled', (n) => `${n} task${n === 1 ? '' : 's'} scheduled`);
    const clauses = parts.length ? [`waiting on ${parts.join(', ')}`] : [];
    const onTasks = this.counts.get('task') ?? 0;
    if (onTasks) {
      const who = few?.filter((w) => category(w, ctx.python) === 'task');
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
