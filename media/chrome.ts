/**
 * The viewer's chrome: the toolbar (title, summary, filter, zoom buttons, toggles, host commands),
 * the canvas and its overlays' container, the details and table panes, the status bar with the
 * legend, and the screen-reader announcer. It builds the DOM (text only: see dom.ts) and updates
 * it; what the buttons do is the app's.
 */
import { formatDuration } from '../src/core/duration';
import type { ViewState } from '../src/core/timeline/viewState';
import type { Trace } from '../src/protocol/trace';
import { h, setChildren } from './dom';
import type { HostBridge } from './hostBridge';

/** What the toolbar's buttons and the filter ask for. */
export interface ChromeActions {
  setFilter(text: string): void;
  fit(): void;
  zoomToSelection(): void;
  zoomIn(): void;
  zoomOut(): void;
  toggle(which: 'output' | 'arrows' | 'table'): void;
}

/** What the summary line says about the shown run. */
export interface RunSummary {
  trace: Trace;
  /** What ran when it was no plain file run (`test "adds" (node:test)`), else null: the entry. */
  title: string | null;
  endT: number;
  live: boolean;
  filter: string;
  shownLanes: number;
}

/** The legend entry for blocking segments, with the threshold in use (the setting's own number, in ms). */
export function blockingLegend(ms: number): string {
  return `blocks the loop ≥ ${ms} ms`;
}

/** A toolbar button: its title is also its accessible name. */
export function toolbarButton(
  label: string,
  title: string,
  onClick: () => void,
  cls = 'tb',
): HTMLButtonElement {
  const b = h('button', { class: cls, type: 'button', title, 'aria-label': title }, label);
  b.addEventListener('click', onClick);
  return b;
}

/** A toolbar toggle: a button whose `aria-pressed` says whether it is on. */
export function toolbarToggle(
  label: string,
  title: string,
  on: boolean,
  onClick: () => void,
): HTMLButtonElement {
  const b = toolbarButton(label, title, onClick);
  b.setAttribute('aria-pressed', String(on));
  return b;
}

export class Chrome {
  readonly canvas: HTMLCanvasElement;
  readonly wrap: HTMLElement;
  readonly empty: HTMLElement;
  readonly details: HTMLElement;
  readonly tableWrap: HTMLElement;
  readonly filterInput: HTMLInputElement;
  readonly toggles: Record<'output' | 'arrows' | 'table', HTMLButtonElement>;
  private readonly titleEl: HTMLElement;
  private readonly summaryEl: HTMLElement;
  private readonly statusEl: HTMLElement;
  private readonly announcer: HTMLElement;
  /** Legend entries only Python traces need (scheduled, cancelled, done callbacks). */
  private readonly pythonLegend: HTMLElement;
  /** The legend entry for thread/process header rows (traces with several groups only). */
  private readonly groupLegend: HTMLElement;
  /** The legend's "blocks the loop ≥ N ms" text, kept equal to the threshold in use. */
  private readonly blockLegend: HTMLElement;

  constructor(
    root: HTMLElement,
    host: HostBridge,
    state: ViewState,
    blockingThresholdMs: number,
    overlays: { splitter: HTMLElement; tooltip: HTMLElement },
    actions: ChromeActions,
  ) {
    const btn = toolbarButton;
    const toggle = toolbarToggle;
    this.titleEl = h('span', { class: 'title' }, 'Async Timeline');
    this.summaryEl = h('span', { class: 'summary' });
    this.filterInput = h('input', {
      class: 'filter',
      type: 'search',
      placeholder: 'Filter lanes',
      'aria-label': 'Filter lanes by task name or creation site',
      spellcheck: 'false',
    });
    this.filterInput.value = state.filter;
    this.filterInput.addEventListener('input', () => actions.setFilter(this.filterInput.value));
    this.filterInput.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') {
        this.filterInput.value = '';
        actions.setFilter('');
        this.canvas.focus();
      } else if (e.key === 'Enter' || e.key === 'ArrowDown') {
        e.preventDefault();
        this.canvas.focus();
      }
    });
    this.toggles = {
      output: toggle('Output', 'Show program output as ticks on the time axis (O)', state.showOutput, () =>
        actions.toggle('output'),
      ),
      arrows: toggle('Arrows', 'Show await arrows (A)', state.showArrows, () => actions.toggle('arrows')),
      table: toggle(
        'Table',
        'Show the task table, an accessible alternative to the canvas (T)',
        state.showTable,
        () => actions.toggle('table'),
      ),
    };
    const toolbar = h(
      'div',
      { class: 'toolbar', role: 'toolbar', 'aria-label': 'Timeline' },
      this.titleEl,
      this.summaryEl,
      this.filterInput,
      btn('Fit', 'Zoom to fit where work happened; again: the whole run (0)', () => actions.fit()),
      btn('Selection', 'Zoom to the selection (Z)', () => actions.zoomToSelection()),
      btn('−', 'Zoom out (-)', () => actions.zoomOut()),
      btn('+', 'Zoom in (+)', () => actions.zoomIn()),
      h('span', { class: 'sep', 'aria-hidden': 'true' }),
      this.toggles.output,
      this.toggles.arrows,
      this.toggles.table,
    );
    if (host.mode === 'vscode') {
      toolbar.append(
        h('span', { class: 'sep', 'aria-hidden': 'true' }),
        btn('Run', 'Run the current file with tracing', () => host.post({ type: 'command', command: 'run' })),
        btn('Stop', 'Stop the running program', () => host.post({ type: 'command', command: 'stop' })),
        btn('Export', 'Export the trace (JSON or standalone HTML)', () =>
          host.post({ type: 'command', command: 'export' }),
        ),
        btn('Open…', 'Open a saved trace file', () => host.post({ type: 'command', command: 'open' })),
      );
    }

    this.canvas = h('canvas', {
      class: 'timeline-canvas',
      tabindex: '0',
      role: 'application',
      'aria-roledescription': 'timeline',
      'aria-label':
        'Async timeline. Up and down select a lane, left and right pan, plus and minus zoom, 0 fits, Z zooms to the selection, Enter opens the source, Space folds, G folds the thread or process of the lane, brackets step through segments, T shows the table, N the steps of the run (comma and period step through them), P highlights the critical path.',
    });
    this.empty = h(
      'div',
      { class: 'empty' },
      h('strong', {}, 'No trace yet'),
      h(
        'span',
        {},
        host.mode === 'vscode'
          ? 'Run a file with Async Timeline to see its coroutines here.'
          : 'This file contains no trace.',
      ),
    );
    this.wrap = h(
      'div',
      { class: 'canvas-wrap' },
      this.canvas,
      overlays.splitter,
      overlays.tooltip,
      this.empty,
    );
    this.details = h('aside', { class: 'details', 'aria-label': 'Task details' });
    this.tableWrap = h('section', {
      class: 'table-wrap',
      'aria-label': 'Task table',
      hidden: !state.showTable,
    });
    this.statusEl = h('span', { class: 'status-text' }, '');
    this.announcer = h('div', { class: 'visually-hidden', 'aria-live': 'polite' });
    const keysHint = h(
      'span',
      { class: 'keys' },
      'Wheel/+/− zoom · drag/←→ pan · ↑↓ select · Enter open · 0 fit (0 again: whole run)',
    );
    // What the marks mean, in the same colours as the canvas (swatches styled by class, CSP-safe).
    const sw = (cls: string, label: string) =>
      h('span', { class: 'lg' }, h('span', { class: `sw ${cls}`, 'aria-hidden': 'true' }), label);
    this.blockLegend = h('span', {}, blockingLegend(blockingThresholdMs));
    const legend = h(
      'span',
      { class: 'legend', 'aria-label': 'Legend' },
      sw('sw-run', 'running'),
      sw('sw-sus', 'suspended'),
      h(
        'span',
        { class: 'lg' },
        h('span', { class: 'sw sw-block', 'aria-hidden': 'true' }),
        this.blockLegend,
      ),
      sw('sw-cb', 'callback'),
      sw('sw-arrow', 'await / wake'),
      h('span', { class: 'lg' }, '▼ yield ▲ resume ✕ rejected » pending'),
    );
    this.pythonLegend = h(
      'span',
      { class: 'lg-python', hidden: true },
      sw('sw-sched', 'scheduled'),
      sw('sw-done', 'done callback'),
      h('span', { class: 'lg' }, '⊘ cancelled'),
    );
    this.groupLegend = h(
      'span',
      {
        class: 'lg lg-groups',
        hidden: true,
        title: 'Lanes are grouped per event loop: a header row per thread or process',
      },
      '▤ thread ▣ process',
    );
    legend.append(this.pythonLegend, this.groupLegend);
    root.append(
      h(
        'div',
        { class: 'app' },
        toolbar,
        h('div', { class: 'main' }, this.wrap, this.details),
        this.tableWrap,
        h('div', { class: 'statusbar' }, this.statusEl, legend, keysHint),
        this.announcer,
      ),
    );
    // `/` jumps to the filter from anywhere but a text field.
    document.addEventListener('keydown', (e) => {
      if (
        e.key === '/' &&
        document.activeElement !== this.filterInput &&
        !(document.activeElement instanceof HTMLInputElement)
      ) {
        e.preventDefault();
        this.filterInput.focus();
      }
    });
  }

  /** The threshold in use changed: the legend says it. */
  setBlockingThreshold(ms: number): void {
    this.blockLegend.textContent = blockingLegend(ms);
  }

  /** Legend entries only some traces need: Python's marks, thread/process headers. */
  showLegendFor(trace: Trace | null): void {
    this.pythonLegend.hidden = trace?.language !== 'python';
    this.groupLegend.hidden = !(trace?.groups && trace.groups.length > 1);
  }

  setToggle(which: 'output' | 'arrows' | 'table', on: boolean): void {
    this.toggles[which].setAttribute('aria-pressed', String(on));
  }

  /** The title and the one-line summary: what ran, tasks, duration, how it ended, the filter. */
  showSummary(run: RunSummary | null): void {
    const t = run?.trace;
    if (!t) {
      this.titleEl.textContent = 'Async Timeline';
      setChildren(this.summaryEl);
      return;
    }
    // A test or npm script run says what ran (`test "adds" (node:test)`); the entry stays in the tooltip.
    this.titleEl.textContent = run!.title ?? t.entry;
    this.titleEl.title = run!.title ? `${run!.title} — ${t.entry}` : t.entry;
    const parts = [`${t.tasks.length} task${t.tasks.length === 1 ? '' : 's'}`, formatDuration(run!.endT)];
    if (t.exit) {
      if (t.exit.reason === 'exited') parts.push(`exit ${t.exit.code ?? t.exit.signal ?? '?'}`);
      else parts.push(t.exit.reason);
      if (t.exit.error) parts.push(t.exit.error.message.split('\n')[0].slice(0, 120));
    }
    if (t.truncated) parts.push('truncated: event cap reached');
    if (run!.filter) parts.push(`filter: ${run!.shownLanes} shown`);
    setChildren(
      this.summaryEl,
      run!.live ? h('span', { class: 'live-dot', 'aria-hidden': 'true' }) : null,
      (run!.live ? 'live · ' : '') + parts.join(' · '),
    );
  }

  /** A line in the status bar (also read out). */
  status(text: string): void {
    this.statusEl.textContent = text;
    this.statusEl.classList.toggle('site-shown', !!text);
    if (text) this.announce(text);
  }

  /** Says something to screen readers (a polite live region). */
  announce(text: string): void {
    this.announcer.textContent = text;
  }
}
