/**
 * The Steps pane's DOM: a header (how many steps, the critical path in one line) and the steps as
 * a real listbox — one option per row (`3`, or `3.2` for a member of an expanded folded step), each
 * with its time, its sentence and the output lines printed during it. The current step is the
 * active descendant (`aria-selected` and `aria-current="step"`), scrolled into view and read out
 * through a polite live region. A few thousand rows are rendered at most, around the cursor.
 *
 * Keys in the list: ← ↑ previous step, → ↓ next, Home/End first/last, Enter or Space expands or
 * folds a folded step, Esc returns to the timeline. What a move means is the caller's.
 */
import { formatTimestamp } from '../src/core/duration';
import type { CursorMove, StepRow } from '../src/core/timeline/stepCursor';
import { h, setChildren } from './dom';

/** Rows rendered at once at most; a longer list renders a window around the cursor. */
const WINDOW = 600;
/** Output lines shown under a step (the rest are counted). */
const MAX_OUTPUT = 4;

export interface StepsPaneActions {
  move(move: CursorMove): void;
  select(row: number): void;
  toggleExpand(top: number): void;
  leave(): void;
}

export class StepsPane {
  readonly el: HTMLElement;
  private readonly list: HTMLOListElement;
  private readonly countEl: HTMLElement;
  private readonly pathEl: HTMLElement;
  private readonly live: HTMLElement;
  private rows: StepRow[] = [];
  private expanded: ReadonlySet<number> = new Set();
  private cursor: number | null = null;
  /** The rendered window of rows [lo, hi). */
  private lo = 0;
  private hi = 0;

  constructor(private readonly actions: StepsPaneActions) {
    this.countEl = h('span', { class: 'steps-count' });
    this.pathEl = h('p', { class: 'steps-path', hidden: true });
    this.list = h('ol', {
      class: 'steps-list',
      role: 'listbox',
      tabindex: '0',
      'aria-label': 'Steps of the run. Left and right arrows step through it; Enter expands a folded step.',
    });
    this.live = h('div', { class: 'visually-hidden', 'aria-live': 'polite' });
    this.el = h(
      'aside',
      { class: 'steps', 'aria-label': 'Steps', hidden: true },
      h('div', { class: 'steps-head' }, h('h2', {}, 'Steps'), this.countEl),
      this.pathEl,
      this.list,
      this.live,
    );
    this.list.addEventListener('keydown', (e) => this.onKey(e));
    this.list.addEventListener('click', (e) => {
      const li = (e.target as Element).closest('li[data-row]');
      if (!li) return;
      const row = Number(li.getAttribute('data-row'));
      if ((e.target as Element).closest('.steps-twisty')) {
        const r = this.rows[row];
        if (r?.step.members) this.actions.toggleExpand(r.top);
        return;
      }
      this.actions.select(row);
    });
  }

  private onKey(e: KeyboardEvent): void {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    const moves: Record<string, CursorMove> = {
      ArrowLeft: 'prev',
      ArrowUp: 'prev',
      ArrowRight: 'next',
      ArrowDown: 'next',
      Home: 'first',
      End: 'last',
    };
    const m = moves[e.key];
    if (m) {
      e.preventDefault();
      this.actions.move(m);
    } else if (e.key === 'Enter' || e.key === ' ') {
      const r = this.cursor !== null ? this.rows[this.cursor] : undefined;
      if (r?.step.members) {
        e.preventDefault();
        this.actions.toggleExpand(r.top);
      }
    } else if (e.key === 'Escape') {
      e.preventDefault();
      this.actions.leave();
    }
  }

  get hidden(): boolean {
    return this.el.hidden;
  }
  set hidden(v: boolean) {
    this.el.hidden = v;
  }

  focus(): void {
    this.list.focus();
  }

  /** The critical path in one line (or nothing). */
  setPathLine(text: string | null): void {
    this.pathEl.hidden = !text;
    this.pathEl.textContent = text ?? '';
  }

  /** New rows (a new trace, a fold opened or closed); `cursor` is the current row or null. */
  setRows(rows: StepRow[], expanded: ReadonlySet<number>, cursor: number | null, status?: string): void {
    this.rows = rows;
    this.expanded = expanded;
    this.cursor = cursor;
    const steps = rows.filter((r) => r.member === null).length;
    this.countEl.textContent = status ?? `${steps} step${steps === 1 ? '' : 's'}`;
    this.render();
  }

  /** Moves the current row; re-renders only when it leaves the rendered window. */
  setCursor(cursor: number | null, announce: boolean): void {
    this.cursor = cursor;
    if (cursor !== null && this.rows.length > WINDOW && (cursor < this.lo + 20 || cursor >= this.hi - 20)) {
      this.render();
    } else {
      for (const li of this.list.querySelectorAll('li[aria-selected="true"]')) {
        li.setAttribute('aria-selected', 'false');
        li.removeAttribute('aria-current');
      }
      this.markCurrent();
    }
    if (announce && cursor !== null) {
      const r = this.rows[cursor];
      if (r)
        this.live.textContent = `Step ${r.label} of ${this.rows.length}, at ${formatTimestamp(r.step.t)}: ${r.step.text}`;
    }
  }

  private markCurrent(): void {
    const li = this.cursor === null ? null : this.list.querySelector(`li[data-row="${this.cursor}"]`);
    if (!li) {
      this.list.removeAttribute('aria-activedescendant');
      return;
    }
    li.setAttribute('aria-selected', 'true');
    li.setAttribute('aria-current', 'step');
    this.list.setAttribute('aria-activedescendant', li.id);
    li.scrollIntoView({ block: 'nearest' });
  }

  private render(): void {
    const n = this.rows.length;
    if (n <= WINDOW) {
      this.lo = 0;
      this.hi = n;
    } else {
      const c = this.cursor ?? 0;
      this.lo = Math.max(0, Math.min(n - WINDOW, c - WINDOW / 2));
      this.hi = this.lo + WINDOW;
    }
    const items: HTMLElement[] = [];
    if (this.lo > 0)
      items.push(
        h('li', { class: 'steps-more', role: 'presentation' }, `… ${this.lo} earlier rows (← to reach them)`),
      );
    for (let i = this.lo; i < this.hi; i++) items.push(this.item(i));
    if (this.hi < n)
      items.push(
        h(
          'li',
          { class: 'steps-more', role: 'presentation' },
          `… ${n - this.hi} later rows (→ to reach them)`,
        ),
      );
    setChildren(this.list, ...items);
    this.markCurrent();
  }

  private item(i: number): HTMLElement {
    const r = this.rows[i];
    const s = r.step;
    const folded = !!s.members;
    const out = s.output
      .slice(0, MAX_OUTPUT)
      .map((line) => h('span', { class: 'steps-out' }, line.replace(/\n$/, '')));
    if (s.output.length > MAX_OUTPUT)
      out.push(h('span', { class: 'steps-out more' }, `… ${s.output.length - MAX_OUTPUT} more lines`));
    const li = h(
      'li',
      {
        id: `step-row-${i}`,
        role: 'option',
        'aria-selected': 'false',
        'data-row': String(i),
        class: `steps-item${r.member !== null ? ' member' : ''}${s.kind === 'idle' ? ' idle' : ''}`,
        'aria-expanded': folded ? String(this.expanded.has(r.top)) : undefined,
      },
      h(
        'span',
        { class: 'steps-line' },
        folded
          ? h('span', { class: 'steps-twisty', 'aria-hidden': 'true' }, this.expanded.has(r.top) ? '▾' : '▸')
          : h('span', { class: 'steps-twisty none', 'aria-hidden': 'true' }),
        h('span', { class: 'steps-n' }, r.label),
        h('span', { class: 'steps-t' }, formatTimestamp(s.t)),
      ),
      h('span', { class: 'steps-text' }, s.text),
      ...out,
    );
    return li;
  }
}
