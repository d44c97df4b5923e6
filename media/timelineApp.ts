import type { HostToWebview } from '../src/protocol/webview';
import type { SourceSite, Trace } from '../src/protocol/trace';
import { buildTableRows, tableColumns } from '../src/core/timeline/accessibleTable';
import { DEFAULT_BLOCKING_THRESHOLD_MS } from '../src/core/blocking';
import { formatDuration, formatTimestamp } from '../src/core/duration';
import { type Hit, hitTest } from '../src/core/timeline/hitTest';
import { hoverFacts, siteOfSegment } from '../src/core/timeline/hoverFacts';
import {
  clampLabelWidth,
  LABEL_DEFAULT_PX,
  labelBounds,
  labelWidthAfterDrag,
  labelWidthAfterKey,
} from '../src/core/timeline/labelColumn';
import { groupIdOf } from '../src/core/timeline/laneGroups';
import { ancestorsOf, emptyLayout, type LaneLayout, layoutLanes } from '../src/core/timeline/laneTree';
import { segmentsAtSite } from '../src/core/timeline/siteMatch';
import { describeTask, formatSite } from '../src/core/timeline/taskDetails';
import { indexTrace, type TraceIndex } from '../src/core/timeline/traceIndex';
import { parseViewState, type ViewState } from '../src/core/timeline/viewState';
import {
  clampScroll,
  fitTime,
  panBy,
  plotWidth,
  rowToY,
  scrollRowIntoView,
  timeToX,
  type Viewport,
  visibleTimeRange,
  zoomAt,
  zoomPan,
} from '../src/core/timeline/viewport';
import { initialView, savedTimeView, type ViewModel, viewReducer } from '../src/core/timeline/viewController';
import { renderDetails } from './detailsPane';
import { h, setChildren } from './dom';
import type { HostBridge } from './hostBridge';
import { TimelineRenderer } from './renderer';
import { renderTable } from './taskTable';
import { readTheme, type Theme, watchTheme } from './theme';

const ROW_HEIGHT = 26;
const AXIS_HEIGHT = 34;
/** Rows rendered into the accessible table at most (the rest: "use the filter"). */
const TABLE_LIMIT = 2000;
const ZOOM_STEP = 1.5;

/** The legend entry for blocking segments, with the threshold in use (the setting's own number, in ms). */
function blockingLegend(ms: number): string {
  return `blocks the loop ≥ ${ms} ms`;
}

/**
 * The viewer: owns the view state (viewport, selection, collapse, filter), turns input into
 * state changes, and schedules frames. Painting is the renderer's job; facts come from the pure
 * modules in src/core/timeline.
 */
export class TimelineApp {
  private index: TraceIndex | null = null;
  private live = false;
  /** What the run was when it was no plain file run (from the host), else null: the title is the entry. */
  private runTitle: string | null = null;
  private layout: LaneLayout = emptyLayout();
  /** The time axis and its mode (fit / follow-live / free): the rules are core/timeline/viewController.ts. */
  private view!: ViewModel;
  /** The viewport; assigning it directly changes no mode (vertical scroll clamps, scrolling a row into view). */
  private get vp(): Viewport {
    return this.view.vp;
  }
  private set vp(vp: Viewport) {
    this.view = { ...this.view, vp };
  }
  private theme: Theme;
  private state: ViewState;
  private collapsed: Set<number>;
  /** Thread/process groups folded under their header. */
  private collapsedGroups: Set<number>;
  private selectedSeg: { taskId: number; segIndex: number } | null = null;
  private hover: Hit | null = null;
  private highlights = new Map<number, Set<number>>();
  private outputTimes = new Float64Array(0);
  /** `asyncTimeline.blocking.thresholdMs`, from the host's settings message (standalone: the default). */
  private blockingThresholdMs = DEFAULT_BLOCKING_THRESHOLD_MS;
  /** The legend's "blocks the loop ≥ N ms" text, kept equal to the threshold in use. */
  private readonly blockLegend: HTMLElement;
  /** Viewport to apply when the first trace arrives (restored from getState). */
  private pendingRestore: boolean;
  private rafPending = false;
  private stateDirty = false;
  private tableTimer: ReturnType<typeof setTimeout> | null = null;
  private frames = 0;
  /** When the frame showing the latest trace finished (performance.now()), for the bench. */
  private traceShownAt = 0;
  private traceUnshown = false;
  private firstFrameResolvers: Array<() => void> = [];

  private readonly renderer: TimelineRenderer;
  private readonly canvas: HTMLCanvasElement;
  private readonly wrap: HTMLElement;
  private readonly tooltip: HTMLElement;
  /** The handle between the label column and the plot (drawn on the canvas; this is its hit area). */
  private readonly splitter: HTMLElement;
  private readonly empty: HTMLElement;
  private readonly details: HTMLElement;
  private readonly tableWrap: HTMLElement;
  private readonly titleEl: HTMLElement;
  private readonly summaryEl: HTMLElement;
  private readonly filterInput: HTMLInputElement;
  private readonly statusEl: HTMLElement;
  private readonly announcer: HTMLElement;
  /** Legend entries only Python traces need (scheduled, cancelled, done callbacks). */
  private readonly pythonLegend: HTMLElement;
  /** The legend entry for thread/process header rows (traces with several groups only). */
  private readonly groupLegend: HTMLElement;
  private readonly toggles: Record<'output' | 'arrows' | 'table', HTMLButtonElement>;

  constructor(
    root: HTMLElement,
    private readonly host: HostBridge,
  ) {
    this.state = parseViewState(host.getState());
    this.collapsed = new Set(this.state.collapsed);
    this.collapsedGroups = new Set(this.state.collapsedGroups);
    this.pendingRestore = this.state.msPerPx !== null && this.state.start !== null;
    this.theme = readTheme();

    const btn = (label: string, title: string, onClick: () => void, cls = 'tb') => {
      const b = h('button', { class: cls, type: 'button', title, 'aria-label': title }, label);
      b.addEventListener('click', onClick);
      return b;
    };
    const toggle = (label: string, title: string, on: boolean, onClick: () => void) => {
      const b = btn(label, title, onClick);
      b.setAttribute('aria-pressed', String(on));
      return b;
    };
    this.titleEl = h('span', { class: 'title' }, 'Async Timeline');
    this.summaryEl = h('span', { class: 'summary' });
    this.filterInput = h('input', {
      class: 'filter',
      type: 'search',
      placeholder: 'Filter lanes',
      'aria-label': 'Filter lanes by task name or creation site',
      spellcheck: 'false',
    });
    this.filterInput.value = this.state.filter;
    this.filterInput.addEventListener('input', () => this.setFilter(this.filterInput.value));
    this.filterInput.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') {
        this.filterInput.value = '';
        this.setFilter('');
        this.canvas.focus();
      } else if (e.key === 'Enter' || e.key === 'ArrowDown') {
        e.preventDefault();
        this.canvas.focus();
      }
    });
    this.toggles = {
      output: toggle(
        'Output',
        'Show program output as ticks on the time axis (O)',
        this.state.showOutput,
        () => this.toggle('output'),
      ),
      arrows: toggle('Arrows', 'Show await arrows (A)', this.state.showArrows, () => this.toggle('arrows')),
      table: toggle(
        'Table',
        'Show the task table, an accessible alternative to the canvas (T)',
        this.state.showTable,
        () => this.toggle('table'),
      ),
    };
    const toolbar = h(
      'div',
      { class: 'toolbar', role: 'toolbar', 'aria-label': 'Timeline' },
      this.titleEl,
      this.summaryEl,
      this.filterInput,
      btn('Fit', 'Zoom to fit the whole run (0)', () => this.fit()),
      btn('Selection', 'Zoom to the selection (Z)', () => this.zoomToSelection()),
      btn('−', 'Zoom out (-)', () => this.zoomBy(1 / ZOOM_STEP)),
      btn('+', 'Zoom in (+)', () => this.zoomBy(ZOOM_STEP)),
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
        'Async timeline. Up and down select a lane, left and right pan, plus and minus zoom, 0 fits, Z zooms to the selection, Enter opens the source, Space folds, G folds the thread or process of the lane, brackets step through segments, T shows the table.',
    });
    this.tooltip = h('div', { class: 'tooltip', role: 'tooltip', hidden: true });
    this.splitter = h('div', {
      class: 'label-splitter',
      role: 'separator',
      tabindex: '0',
      'aria-orientation': 'vertical',
      'aria-label': 'Task label column width',
      title: 'Drag to resize the task labels (← → with the keyboard, Enter resets)',
      hidden: true,
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
    this.wrap = h('div', { class: 'canvas-wrap' }, this.canvas, this.splitter, this.tooltip, this.empty);
    this.details = h('aside', { class: 'details', 'aria-label': 'Task details' });
    this.tableWrap = h('section', {
      class: 'table-wrap',
      'aria-label': 'Task table',
      hidden: !this.state.showTable,
    });
    this.statusEl = h('span', { class: 'status-text' }, '');
    this.announcer = h('div', { class: 'visually-hidden', 'aria-live': 'polite' });
    const keysHint = h(
      'span',
      { class: 'keys' },
      'Wheel/+/− zoom · drag/←→ pan · ↑↓ select · Enter open · 0 fit',
    );
    // What the marks mean, in the same colours as the canvas (swatches styled by class, CSP-safe).
    const sw = (cls: string, label: string) =>
      h('span', { class: 'lg' }, h('span', { class: `sw ${cls}`, 'aria-hidden': 'true' }), label);
    this.blockLegend = h('span', {}, blockingLegend(this.blockingThresholdMs));
    const legend = h(
      'span',
      { class: 'legend', 'aria-label': 'Legend' },
      sw('sw-run', 'running'),
      sw('sw-sus', 'suspended'),
      h('span', { class: 'lg' }, h('span', { class: 'sw sw-block', 'aria-hidden': 'true' }), this.blockLegend),
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
      { class: 'lg lg-groups', hidden: true, title: 'Lanes are grouped per event loop: a header row per thread or process' },
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

    this.renderer = new TimelineRenderer(this.canvas);
    this.view = initialView({
      start: 0,
      msPerPx: 1,
      scrollTop: this.state.scrollTop,
      width: 800,
      height: 400,
      gutter: this.state.gutter,
      axisHeight: AXIS_HEIGHT,
      rowHeight: ROW_HEIGHT,
      dpr: window.devicePixelRatio || 1,
    });
    this.measure();
    this.renderer.warmUp(this.theme, this.vp.dpr);
    this.warmUpDraw();
    new ResizeObserver(() => {
      this.measure();
      this.invalidate();
    }).observe(this.wrap);
    watchTheme(() => {
      this.theme = readTheme();
      this.invalidate();
      // A theme stylesheet may still be loading when the class flips: read again once it settles.
      setTimeout(() => {
        this.theme = readTheme();
        this.invalidate();
      }, 120);
    });
    // A DPR change (moving between monitors, browser zoom) needs a new backing store.
    const watchDpr = () => {
      matchMedia(`(resolution: ${window.devicePixelRatio}dppx)`).addEventListener(
        'change',
        () => {
          this.measure();
          this.invalidate();
          watchDpr();
        },
        { once: true },
      );
    };
    watchDpr();
    this.bindPointer();
    this.bindKeys();
    this.bindSplitter();
    renderDetails(this.details, null, this.detailsActions);
    this.updateChrome();
    this.invalidate();
  }

  // ---- messages -------------------------------------------------------------------------

  /** Applies one validated host message. */
  handle(msg: HostToWebview): void {
    switch (msg.type) {
      case 'trace':
        this.runTitle = msg.title ?? null;
        this.setTrace(msg.trace, msg.live);
        break;
      case 'clear':
        this.setTrace(null, false);
        break;
      case 'highlightSite':
        this.highlightSite(msg.file, msg.line);
        break;
      case 'revealTasks':
        this.revealTasks(msg.taskIds);
        break;
      case 'settings':
        this.setBlockingThreshold(msg.blockingThresholdMs);
        break;
      default: {
        const never: never = msg;
        void never;
      }
    }
  }

  private setTrace(trace: Trace | null, live: boolean): void {
    const prev = this.index;
    const sameRun =
      !!prev && !!trace && prev.trace.startedAt === trace.startedAt && prev.trace.entry === trace.entry;
    this.live = live && !!trace;
    this.pythonLegend.hidden = trace?.language !== 'python';
    this.groupLegend.hidden = !(trace?.groups && trace.groups.length > 1);
    if (!trace) {
      this.index = null;
      this.view = viewReducer(this.view, { type: 'clear' });
      this.layout = emptyLayout();
      this.selectedSeg = null;
      this.highlights.clear();
      this.updateChrome();
      this.invalidate();
      return;
    }
    this.index = indexTrace(trace, this.blockingThresholdMs);
    this.traceUnshown = true;
    this.outputTimes = Float64Array.from(trace.output, (o) => o.t).sort();
    if (!sameRun && prev) {
      // A different run: start fresh rather than keeping a selection that meant something else.
      this.selectedSeg = null;
      this.state.selectedTaskId = null;
      this.highlights.clear();
    }
    this.relayout();
    const restore = this.pendingRestore ? { start: this.state.start!, msPerPx: this.state.msPerPx! } : null;
    this.pendingRestore = false;
    this.view = viewReducer(this.view, {
      type: 'trace',
      startT: this.index.startT,
      endT: this.index.endT,
      live: this.live,
      sameRun,
      restore,
    });
    if (this.state.selectedTaskId !== null && !this.index.lanes.has(this.state.selectedTaskId))
      this.state.selectedTaskId = null;
    if (this.selectedSeg && !this.index.lanes.has(this.selectedSeg.taskId)) this.selectedSeg = null;
    this.vp = clampScroll(this.vp, this.layout.rows.length);
    this.updateChrome();
    this.refreshDetails();
    this.scheduleTable();
    this.invalidate();
  }

  /** The setting changed (or arrived): re-find the blocking segments and say the threshold in the legend. */
  private setBlockingThreshold(ms: number): void {
    if (ms === this.blockingThresholdMs) return;
    this.blockingThresholdMs = ms;
    this.blockLegend.textContent = blockingLegend(ms);
    if (!this.index) return;
    this.index = indexTrace(this.index.trace, ms);
    this.relayout();
    this.refreshDetails();
    this.invalidate();
  }

  private highlightSite(file: string, line: number): void {
    this.highlights.clear();
    if (!this.index) return;
    for (const hit of segmentsAtSite(this.index, file, line)) {
      let set = this.highlights.get(hit.taskId);
      if (!set) this.highlights.set(hit.taskId, (set = new Set()));
      set.add(hit.segIndex);
    }
    const n = [...this.highlights.values()].reduce((a, s) => a + s.size, 0);
    this.status(n ? `${n} segment${n === 1 ? '' : 's'} from line ${line}` : '');
    this.invalidate();
  }

  private revealTasks(ids: number[]): void {
    if (!this.index) return;
    const known = ids.filter((id) => this.index!.lanes.has(id));
    if (!known.length) return;
    let changed = false;
    for (const id of known) {
      for (const a of ancestorsOf(this.index, id)) changed = this.collapsed.delete(a) || changed;
      changed = this.unfoldGroupOf(id) || changed;
    }
    if (known.some((id) => !this.layout.rowOf.has(id)) && this.state.filter) {
      this.state.filter = '';
      this.filterInput.value = '';
      changed = true;
    }
    if (changed) this.relayout();
    this.select(known[0], null, true);
    // Bring their lifetimes into view if they are off screen.
    let t0 = Infinity;
    let t1 = -Infinity;
    for (const id of known) {
      const lane = this.index.lanes.get(id)!;
      t0 = Math.min(t0, lane.task.created.t);
      t1 = Math.max(t1, lane.end);
    }
    const [v0, v1] = visibleTimeRange(this.vp);
    if (t1 < v0 || t0 > v1) this.setViewport(fitTime(this.vp, t0, t1, 40));
  }

  // ---- state changes ----------------------------------------------------------------------

  private relayout(): void {
    if (!this.index) return;
    this.layout = layoutLanes(this.index, {
      collapsed: this.collapsed,
      collapsedGroups: this.collapsedGroups,
      filter: this.state.filter,
    });
    this.vp = clampScroll(this.vp, this.layout.rows.length);
    this.scheduleTable();
  }

  private setFilter(text: string): void {
    this.state.filter = text;
    this.relayout();
    this.updateChrome();
    this.saveStateSoon();
    this.invalidate();
  }

  private toggle(which: 'output' | 'arrows' | 'table'): void {
    if (which === 'output') this.state.showOutput = !this.state.showOutput;
    if (which === 'arrows') this.state.showArrows = !this.state.showArrows;
    if (which === 'table') {
      this.state.showTable = !this.state.showTable;
      this.tableWrap.hidden = !this.state.showTable;
      this.scheduleTable(true);
    }
    const on =
      which === 'output'
        ? this.state.showOutput
        : which === 'arrows'
          ? this.state.showArrows
          : this.state.showTable;
    this.toggles[which].setAttribute('aria-pressed', String(on));
    this.saveStateSoon();
    this.invalidate();
  }

  private toggleCollapse(taskId: number): void {
    if (!this.index) return;
    if (this.collapsed.has(taskId)) this.collapsed.delete(taskId);
    else if (this.index.lanes.get(taskId)?.children.length) this.collapsed.add(taskId);
    else return;
    this.relayout();
    this.saveStateSoon();
    this.invalidate();
  }

  private toggleGroup(groupId: number): void {
    if (!this.index?.groups) return;
    if (this.collapsedGroups.has(groupId)) this.collapsedGroups.delete(groupId);
    else this.collapsedGroups.add(groupId);
    const g = this.index.groups.byId.get(groupId)?.group;
    if (g) this.announce(`${g.label} ${this.collapsedGroups.has(groupId) ? 'folded' : 'unfolded'}`);
    this.relayout();
    this.saveStateSoon();
    this.invalidate();
  }

  /** Unfolds the headers above a task (its group and the groups that started it); true if any was folded. */
  private unfoldGroupOf(taskId: number): boolean {
    const groups = this.index?.groups;
    const task = this.index?.lanes.get(taskId)?.task;
    if (!groups || !task) return false;
    let changed = false;
    const seen = new Set<number>();
    let cur: number | null = groupIdOf(task);
    while (cur !== null && !seen.has(cur)) {
      seen.add(cur);
      changed = this.collapsedGroups.delete(cur) || changed;
      cur = groups.byId.get(cur)?.group.parentGroup ?? null;
    }
    return changed;
  }

  private select(taskId: number | null, segIndex: number | null, reveal: boolean): void {
    const changed = taskId !== this.state.selectedTaskId;
    this.state.selectedTaskId = taskId;
    this.selectedSeg = taskId !== null && segIndex !== null && segIndex >= 0 ? { taskId, segIndex } : null;
    if (reveal && taskId !== null) {
      const row = this.layout.rowOf.get(taskId);
      if (row !== undefined) this.vp = scrollRowIntoView(this.vp, row);
    }
    if (changed) {
      this.host.post({ type: 'selectTask', taskId });
      this.refreshDetails();
      this.markTableSelection();
      if (taskId !== null && this.index) {
        const t = this.index.lanes.get(taskId)!.task;
        this.announce(`${t.name}, ${t.settled ? t.settled.state : 'pending at exit'}`);
      }
    }
    this.saveStateSoon();
    this.invalidate();
  }

  private openSite(site: SourceSite | null): void {
    if (!site) return;
    if (this.host.mode === 'vscode') this.host.post({ type: 'openSite', site });
    // Standalone: no editor to open, so say where it is.
    this.status(this.host.mode === 'vscode' ? `Opening ${formatSite(site)}` : `Source: ${formatSite(site)}`);
  }

  private readonly detailsActions = {
    openSite: (s: SourceSite) => this.openSite(s),
    selectTask: (id: number) => this.revealTasks([id]),
    zoomToSegment: (taskId: number, segIndex: number) => {
      this.select(taskId, segIndex, true);
      this.zoomToSelection();
    },
  };

  // ---- viewport -------------------------------------------------------------------------

  private setViewport(vp: Viewport, byUser = true): void {
    this.view = viewReducer(this.view, { type: byUser ? 'user' : 'scroll', vp: clampScroll(vp, this.layout.rows.length) });
    this.saveStateSoon();
    this.invalidate();
  }

  private fit(): void {
    // Fitting hands control back to "follow": live updates keep re-fitting.
    this.view = viewReducer(this.view, { type: 'fit' });
    this.saveStateSoon();
    this.invalidate();
  }

  private zoomBy(factor: number, x?: number): void {
    this.setViewport(zoomAt(this.vp, factor, x ?? this.vp.gutter + plotWidth(this.vp) / 2));
  }

  private zoomToSelection(): void {
    if (!this.index) return;
    const id = this.selectedSeg?.taskId ?? this.state.selectedTaskId;
    if (id === null) return;
    const lane = this.index.lanes.get(id);
    if (!lane) return;
    const [t0, t1] = this.selectedSeg
      ? [lane.starts[this.selectedSeg.segIndex], lane.ends[this.selectedSeg.segIndex]]
      : [lane.task.created.t, lane.end];
    this.setViewport(fitTime(this.vp, t0, Math.max(t1, t0 + 1e-3), 60));
  }

  private measure(): void {
    const r = this.wrap.getBoundingClientRect();
    const dpr = window.devicePixelRatio || 1;
    const width = Math.max(1, r.width);
    const height = Math.max(1, r.height);
    // The chosen label width, as much of it as this panel allows (see labelColumn.ts).
    const gutter = clampLabelWidth(this.state.gutter, width);
    this.view = viewReducer(this.view, { type: 'resize', width, height, dpr, gutter });
    this.renderer.resize(width, height, dpr);
    this.vp = clampScroll(this.vp, this.layout.rows.length);
    this.placeSplitter();
  }

  /** Sets the preferred label width (splitter drag or keys) and applies what this panel allows. */
  private setLabelWidth(width: number): void {
    if (width === this.state.gutter && width === this.vp.gutter) return;
    this.state.gutter = width;
    const gutter = clampLabelWidth(width, this.vp.width);
    this.view = viewReducer(this.view, { type: 'gutter', gutter });
    this.placeSplitter();
    this.hideTooltip();
    this.saveStateSoon();
    this.invalidate();
  }

  /** Puts the splitter on the column edge and tells assistive tech where it is (CSSOM: CSP-safe). */
  private placeSplitter(): void {
    const { min, max } = labelBounds(this.vp.width);
    this.splitter.style.left = `${this.vp.gutter - 4}px`;
    this.splitter.setAttribute('aria-valuemin', String(min));
    this.splitter.setAttribute('aria-valuemax', String(max));
    this.splitter.setAttribute('aria-valuenow', String(this.vp.gutter));
    this.splitter.setAttribute('aria-valuetext', `${this.vp.gutter} pixels`);
  }

  private bindSplitter(): void {
    const sp = this.splitter;
    let drag: { id: number; x0: number; w0: number } | null = null;
    sp.addEventListener('pointerdown', (e) => {
      if (e.button !== 0) return;
      e.preventDefault();
      sp.focus();
      sp.setPointerCapture(e.pointerId);
      drag = { id: e.pointerId, x0: e.clientX, w0: this.vp.gutter };
      sp.classList.add('dragging');
    });
    sp.addEventListener('pointermove', (e) => {
      if (!drag || drag.id !== e.pointerId) return;
      this.setLabelWidth(labelWidthAfterDrag(drag.w0, e.clientX - drag.x0, this.vp.width));
    });
    const end = (e: PointerEvent) => {
      if (!drag || drag.id !== e.pointerId) return;
      drag = null;
      sp.classList.remove('dragging');
    };
    sp.addEventListener('pointerup', end);
    sp.addEventListener('pointercancel', end);
    sp.addEventListener('dblclick', () =>
      this.setLabelWidth(clampLabelWidth(LABEL_DEFAULT_PX, this.vp.width)),
    );
    sp.addEventListener('keydown', (e) => {
      if (e.altKey || e.ctrlKey || e.metaKey) return;
      const w = labelWidthAfterKey(this.vp.gutter, e.key, e.shiftKey, this.vp.width);
      if (w === null) return;
      e.preventDefault();
      this.setLabelWidth(w);
      this.announce(`Labels ${w} pixels wide`);
    });
  }

  /**
   * Draws a tiny made-up trace once and wipes it in the same task (never painted), so the JIT
   * and the canvas's first-use costs are paid before the host's first trace arrives.
   */
  private warmUpDraw(): void {
    const site = { file: 'warm.ts', line: 1, column: 1 };
    const mk = (id: number, parentId: number | null): Trace['tasks'][number] => ({
      id,
      name: `warm${id}`,
      kind: 'function',
      parentId,
      definition: site,
      created: { t: id, site },
      settled: { t: 50, state: 'fulfilled' },
      segments: [
        { state: 'running', start: id, end: id + 1 },
        {
          state: 'suspended',
          start: id + 1,
          end: 40,
          site,
          kind: 'await',
          awaits: id === 1 ? [2] : [],
          resumedBy: id === 1 ? 2 : null,
        },
        { state: 'running', start: 40, end: 50 },
      ],
    });
    const trace: Trace = {
      format: 'async-timeline-trace',
      version: 1,
      language: 'typescript',
      entry: 'warm.ts',
      cwd: '/',
      startedAt: '',
      durationMs: 60,
      exit: null,
      truncated: false,
      eventCount: 0,
      tasks: [mk(1, null), mk(2, 1)],
      callbacks: [{ t: 55, kind: 'then', taskId: 1, site }],
      output: [{ t: 5, stream: 'stdout', text: 'x' }],
    };
    const index = indexTrace(trace);
    const layout = layoutLanes(index, { collapsed: new Set(), filter: '' });
    const base = {
      layout,
      theme: this.theme,
      selectedTaskId: 1,
      selectedSeg: null,
      hover: null,
      highlights: new Map(),
      showOutput: true,
      showArrows: true,
      live: false,
      outputTimes: new Float64Array([5]),
    };
    this.renderer.draw({ ...base, index, vp: fitTime(this.vp, 0, 60) });
    this.renderer.draw({ ...base, index: null, vp: this.vp });
    this.renderer.frameTimes.length = 0;
  }

  // ---- frame loop ------------------------------------------------------------------------

  /** Marks the canvas dirty; one frame is drawn on the next animation frame however many calls. */
  invalidate(): void {
    if (this.rafPending) return;
    this.rafPending = true;
    requestAnimationFrame(() => this.frame());
  }

  private frame(): void {
    this.rafPending = false;
    this.empty.hidden = !!this.index;
    this.splitter.hidden = !this.index;
    this.renderer.draw({
      index: this.index,
      layout: this.layout,
      vp: this.vp,
      theme: this.theme,
      selectedTaskId: this.state.selectedTaskId,
      selectedSeg: this.selectedSeg,
      hover: this.hover,
      highlights: this.highlights,
      showOutput: this.state.showOutput,
      showArrows: this.state.showArrows,
      live: this.live,
      outputTimes: this.outputTimes,
    });
    this.frames++;
    if (this.traceUnshown) {
      this.traceUnshown = false;
      this.traceShownAt = performance.now();
    }
    for (const r of this.firstFrameResolvers.splice(0)) r();
  }

  /** Persists the view state shortly after the last change (debounced: pans fire per frame). */
  private saveStateSoon(): void {
    this.stateDirty = true;
    if (this.saveTimer) return;
    this.saveTimer = setTimeout(() => {
      this.saveTimer = null;
      if (this.stateDirty) this.saveState();
    }, 150);
  }
  private saveTimer: ReturnType<typeof setTimeout> | null = null;

  private saveState(): void {
    this.stateDirty = false;
    const s: ViewState = {
      ...this.state,
      start: savedTimeView(this.view)?.start ?? null,
      msPerPx: savedTimeView(this.view)?.msPerPx ?? null,
      scrollTop: this.vp.scrollTop,
      collapsed: [...this.collapsed],
      collapsedGroups: [...this.collapsedGroups],
    };
    this.host.setState(s);
  }

  // ---- chrome (toolbar, details, table, status) -------------------------------------------

  private updateChrome(): void {
    const t = this.index?.trace;
    if (!t) {
      this.titleEl.textContent = 'Async Timeline';
      setChildren(this.summaryEl);
      return;
    }
    // A test or npm script run says what ran (`test "adds" (node:test)`); the entry stays in the tooltip.
    this.titleEl.textContent = this.runTitle ?? t.entry;
    this.titleEl.title = this.runTitle ? `${this.runTitle} — ${t.entry}` : t.entry;
    const parts = [
      `${t.tasks.length} task${t.tasks.length === 1 ? '' : 's'}`,
      formatDuration(this.index!.endT),
    ];
    if (t.exit) {
      if (t.exit.reason === 'exited') parts.push(`exit ${t.exit.code ?? t.exit.signal ?? '?'}`);
      else parts.push(t.exit.reason);
      if (t.exit.error) parts.push(t.exit.error.message.split('\n')[0].slice(0, 120));
    }
    if (t.truncated) parts.push('truncated: event cap reached');
    if (this.state.filter) parts.push(`filter: ${this.layout.rowOf.size} shown`);
    setChildren(
      this.summaryEl,
      this.live ? h('span', { class: 'live-dot', 'aria-hidden': 'true' }) : null,
      (this.live ? 'live · ' : '') + parts.join(' · '),
    );
  }

  private refreshDetails(): void {
    const id = this.state.selectedTaskId;
    renderDetails(
      this.details,
      this.index && id !== null ? describeTask(this.index, id) : null,
      this.detailsActions,
    );
  }

  /** Re-renders the table soon (live traces update many times a second; the table need not). */
  private scheduleTable(now = false): void {
    if (!this.state.showTable) return;
    if (this.tableTimer) clearTimeout(this.tableTimer);
    this.tableTimer = setTimeout(
      () => {
        this.tableTimer = null;
        if (!this.index) {
          setChildren(this.tableWrap);
          return;
        }
        renderTable(
          this.tableWrap,
          tableColumns(this.index),
          buildTableRows(this.index, this.layout, TABLE_LIMIT),
          this.layout.rowOf.size,
          this.state.selectedTaskId,
          (id) => this.select(id, null, true),
        );
      },
      now ? 0 : this.live ? 500 : 0,
    );
  }

  private markTableSelection(): void {
    for (const tr of this.tableWrap.querySelectorAll('tr[data-task-id]')) {
      const sel = tr.getAttribute('data-task-id') === String(this.state.selectedTaskId);
      tr.classList.toggle('selected', sel);
      tr.setAttribute('aria-selected', String(sel));
    }
  }

  private status(text: string): void {
    this.statusEl.textContent = text;
    this.statusEl.classList.toggle('site-shown', !!text);
    if (text) this.announce(text);
  }

  private announce(text: string): void {
    this.announcer.textContent = text;
  }

  // ---- input -------------------------------------------------------------------------------

  private bindPointer(): void {
    const c = this.canvas;
    const pointers = new Map<number, { x: number; y: number }>();
    let drag: { x: number; y: number; moved: boolean; id: number } | null = null;
    let pinch: { dist: number; mid: number } | null = null;
    const local = (e: PointerEvent | WheelEvent | MouseEvent) => {
      const r = c.getBoundingClientRect();
      return { x: e.clientX - r.left, y: e.clientY - r.top };
    };
    c.addEventListener('pointerdown', (e) => {
      c.focus();
      const p = local(e);
      pointers.set(e.pointerId, p);
      if (pointers.size === 2) {
        const [a, b] = [...pointers.values()];
        pinch = { dist: Math.hypot(a.x - b.x, a.y - b.y), mid: (a.x + b.x) / 2 };
        // The first finger may have started a pan; the pinch takes over from here.
        if (drag?.moved) c.classList.remove('dragging');
        drag = null;
        this.hideTooltip();
        return;
      }
      if (e.button !== 0) return;
      c.setPointerCapture(e.pointerId);
      drag = { x: p.x, y: p.y, moved: false, id: e.pointerId };
    });
    c.addEventListener('pointermove', (e) => {
      const p = local(e);
      if (pointers.has(e.pointerId)) pointers.set(e.pointerId, p);
      if (pinch && pointers.size === 2) {
        const [a, b] = [...pointers.values()];
        const dist = Math.hypot(a.x - b.x, a.y - b.y);
        const mid = (a.x + b.x) / 2;
        // What was under the fingers stays under them: zoom by the spread, pan by the midpoint.
        if (pinch.dist > 0 && dist > 0) this.setViewport(zoomPan(this.vp, dist / pinch.dist, pinch.mid, mid));
        pinch.dist = dist;
        pinch.mid = mid;
        return;
      }
      if (drag && drag.id === e.pointerId) {
        const dx = p.x - drag.x;
        const dy = p.y - drag.y;
        if (!drag.moved && Math.hypot(dx, dy) < 4) return;
        if (!drag.moved) c.classList.add('dragging');
        drag.moved = true;
        drag.x = p.x;
        drag.y = p.y;
        this.hideTooltip();
        this.setViewport(panBy(this.vp, dx, dy));
        return;
      }
      this.updateHover(p.x, p.y, e.clientX, e.clientY);
    });
    const end = (e: PointerEvent) => {
      pointers.delete(e.pointerId);
      if (pointers.size < 2) pinch = null;
      if (!drag || drag.id !== e.pointerId) return;
      const wasDrag = drag.moved;
      drag = null;
      c.classList.remove('dragging');
      if (!wasDrag && e.type === 'pointerup') {
        const p = local(e);
        this.click(p.x, p.y);
      }
    };
    c.addEventListener('pointerup', end);
    c.addEventListener('pointercancel', end);
    c.addEventListener('pointerleave', () => {
      if (drag) return;
      this.hover = null;
      this.hideTooltip();
      this.invalidate();
    });
    c.addEventListener('dblclick', (e) => {
      const p = local(e);
      if (!this.index) return;
      const hit = hitTest(this.index, this.layout, this.vp, p.x, p.y);
      if (hit.area === 'lane' && hit.segIndex >= 0) {
        this.select(hit.taskId, hit.segIndex, false);
        this.zoomToSelection();
      } else if (hit.area === 'axis') this.fit();
    });
    c.addEventListener(
      'wheel',
      (e) => {
        e.preventDefault();
        const p = local(e);
        const scale = e.deltaMode === 1 ? 16 : e.deltaMode === 2 ? this.vp.height : 1;
        const dx = e.deltaX * scale;
        const dy = e.deltaY * scale;
        this.hideTooltip();
        if (e.shiftKey || (p.x < this.vp.gutter && !e.ctrlKey)) {
          // Over the labels (or with Shift): scroll the lanes.
          this.setViewport({ ...this.vp, scrollTop: this.vp.scrollTop + (dy || dx) }, false);
          return;
        }
        if (Math.abs(dx) > Math.abs(dy)) {
          this.setViewport(panBy(this.vp, -dx, 0));
          return;
        }
        // Wheel (and trackpad pinch, which arrives as ctrl+wheel) zooms around the pointer.
        const factor = Math.exp(-dy * (e.ctrlKey ? 0.01 : 0.002));
        this.setViewport(zoomAt(this.vp, factor, Math.max(this.vp.gutter, p.x)));
      },
      { passive: false },
    );
  }

  private click(x: number, y: number): void {
    if (!this.index) return;
    const hit = hitTest(this.index, this.layout, this.vp, x, y);
    if (hit.area === 'group') {
      // A header has nothing to open or select: a click anywhere on it folds or unfolds its lanes.
      this.toggleGroup(hit.groupId);
    } else if (hit.area === 'gutter') {
      if (hit.onTwisty) this.toggleCollapse(hit.taskId);
      else {
        this.select(hit.taskId, null, false);
        const t = this.index.lanes.get(hit.taskId)!.task;
        this.openSite(t.created.site ?? t.definition);
      }
    } else if (hit.area === 'lane') {
      if (hit.callback) {
        this.select(hit.taskId, null, false);
        this.openSite(hit.callback.site);
      } else if (hit.segIndex >= 0) {
        this.select(hit.taskId, hit.segIndex, false);
        this.openSite(siteOfSegment(this.index, hit.taskId, hit.segIndex));
      } else this.select(hit.taskId, null, false);
    } else if (hit.area === 'axis' && hit.outputIndex !== null) {
      const o = this.index.trace.output[hit.outputIndex];
      this.status(`${o.stream} at ${formatTimestamp(o.t)}: ${o.text.replace(/\n$/, '').slice(0, 200)}`);
    } else if (hit.area === 'none') {
      this.select(null, null, false);
    }
  }

  private updateHover(x: number, y: number, clientX: number, clientY: number): void {
    if (!this.index) return;
    const hit = hitTest(this.index, this.layout, this.vp, x, y);
    const prev = this.hover;
    this.hover = hit;
    if (
      !prev ||
      prev.area !== hit.area ||
      ('row' in prev && 'row' in hit && prev.row !== hit.row) ||
      (prev.area === 'lane' && hit.area === 'lane' && prev.segIndex !== hit.segIndex) ||
      hit.area === 'axis'
    )
      this.invalidate();
    const facts = hoverFacts(this.index, hit);
    if (!facts) {
      this.hideTooltip();
      return;
    }
    const dl = h('dl', {});
    for (const [k, v] of facts.rows) dl.append(h('dt', {}, k), h('dd', {}, v));
    setChildren(
      this.tooltip,
      h('div', { class: 'tt-title' }, facts.title),
      dl,
      facts.site &&
        h(
          'div',
          { class: 'tt-hint' },
          this.host.mode === 'vscode' ? `Click to open ${formatSite(facts.site)}` : formatSite(facts.site),
        ),
    );
    this.tooltip.hidden = false;
    // Place next to the pointer, flipped to stay inside the panel (CSSOM styles are CSP-safe).
    const wr = this.wrap.getBoundingClientRect();
    const tw = this.tooltip.offsetWidth;
    const th = this.tooltip.offsetHeight;
    let left = clientX - wr.left + 14;
    let top = clientY - wr.top + 16;
    if (left + tw > wr.width - 4) left = Math.max(4, clientX - wr.left - tw - 14);
    if (top + th > wr.height - 4) top = Math.max(4, clientY - wr.top - th - 12);
    this.tooltip.style.left = `${left}px`;
    this.tooltip.style.top = `${top}px`;
  }

  private hideTooltip(): void {
    this.tooltip.hidden = true;
  }

  private bindKeys(): void {
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
    // Timeline keys work with the canvas focused, or with nothing in particular focused (a click
    // into the webview's empty space lands on <body>); never while typing or on a button.
    document.addEventListener('keydown', (e) => {
      if (e.target !== this.canvas && e.target !== document.body && e.target !== document.documentElement)
        return;
      if (e.altKey || e.metaKey || (e.ctrlKey && e.key !== '0')) return;
      const rows = this.layout.rows;
      const sel = this.state.selectedTaskId;
      const row = sel !== null ? this.layout.rowOf.get(sel) : undefined;
      const pw = plotWidth(this.vp);
      let handled = true;
      switch (e.key) {
        case 'ArrowLeft':
          this.setViewport(panBy(this.vp, pw * (e.shiftKey ? 0.5 : 0.1)));
          break;
        case 'ArrowRight':
          this.setViewport(panBy(this.vp, -pw * (e.shiftKey ? 0.5 : 0.1)));
          break;
        case 'ArrowUp':
        case 'ArrowDown': {
          // Lanes only: header rows are stepped over (they fold with a click, or from the table).
          const dir = e.key === 'ArrowUp' ? -1 : 1;
          let next = row === undefined ? (dir === 1 ? -1 : rows.length) : row;
          do next += dir;
          while (next >= 0 && next < rows.length && rows[next].kind !== 'task');
          const target = rows[next];
          if (target?.kind === 'task') this.select(target.taskId, null, true);
          break;
        }
        case 'PageUp':
        case 'PageDown':
          this.setViewport(
            {
              ...this.vp,
              scrollTop:
                this.vp.scrollTop + (e.key === 'PageUp' ? -1 : 1) * (this.vp.height - this.vp.axisHeight),
            },
            false,
          );
          break;
        case 'Home':
          if (this.index) this.setViewport({ ...this.vp, start: this.index.startT - 24 * this.vp.msPerPx });
          break;
        case 'End':
          if (this.index)
            this.setViewport({ ...this.vp, start: this.index.endT - (pw - 24) * this.vp.msPerPx });
          break;
        case '+':
        case '=':
          this.zoomBy(ZOOM_STEP, this.zoomAnchor());
          break;
        case '-':
        case '_':
          this.zoomBy(1 / ZOOM_STEP, this.zoomAnchor());
          break;
        case '0':
        case 'f':
          this.fit();
          break;
        case 'z':
          this.zoomToSelection();
          break;
        case 'Enter':
          if (this.selectedSeg && this.index)
            this.openSite(siteOfSegment(this.index, this.selectedSeg.taskId, this.selectedSeg.segIndex));
          else if (sel !== null && this.index) {
            const t = this.index.lanes.get(sel)!.task;
            this.openSite(t.created.site ?? t.definition);
          }
          break;
        case ' ':
        case 'c':
          if (sel !== null) this.toggleCollapse(sel);
          break;
        case 'g':
          // Fold the selected lane's thread/process (headers take no keyboard focus of their own).
          if (sel !== null && this.index?.groups) {
            const task = this.index.lanes.get(sel)?.task;
            if (task) this.toggleGroup(groupIdOf(task));
          }
          break;
        case '[':
        case ']':
          this.stepSegment(e.key === ']' ? 1 : -1);
          break;
        case 'Escape':
          this.select(null, null, false);
          this.highlights.clear();
          this.hideTooltip();
          break;
        case 't':
          this.toggle('table');
          break;
        case 'o':
          this.toggle('output');
          break;
        case 'a':
          this.toggle('arrows');
          break;
        default:
          handled = false;
      }
      if (handled) e.preventDefault();
    });
  }

  /** Keyboard zoom centres on the selected segment when it is on screen, else the middle. */
  private zoomAnchor(): number | undefined {
    if (!this.selectedSeg || !this.index) return undefined;
    const lane = this.index.lanes.get(this.selectedSeg.taskId)!;
    const x = timeToX(
      this.vp,
      (lane.starts[this.selectedSeg.segIndex] + lane.ends[this.selectedSeg.segIndex]) / 2,
    );
    return x >= this.vp.gutter && x <= this.vp.width ? x : undefined;
  }

  /** Moves the segment selection along the selected lane ([ and ]), panning it into view. */
  private stepSegment(dir: 1 | -1): void {
    if (!this.index || this.state.selectedTaskId === null) return;
    const lane = this.index.lanes.get(this.state.selectedTaskId)!;
    const n = lane.starts.length;
    if (!n) return;
    const cur = this.selectedSeg?.segIndex ?? (dir === 1 ? -1 : n);
    const next = Math.max(0, Math.min(n - 1, cur + dir));
    this.select(lane.task.id, next, true);
    const [v0, v1] = visibleTimeRange(this.vp);
    if (lane.ends[next] < v0 || lane.starts[next] > v1) {
      const mid = (lane.starts[next] + lane.ends[next]) / 2;
      this.setViewport({ ...this.vp, start: mid - (plotWidth(this.vp) / 2) * this.vp.msPerPx });
    }
    const facts = hoverFacts(this.index, {
      area: 'lane',
      row: this.layout.rowOf.get(lane.task.id) ?? 0,
      taskId: lane.task.id,
      t: lane.starts[next],
      segIndex: next,
      callback: null,
    });
    if (facts) this.announce(facts.rows.map(([k, v]) => `${k} ${v}`).join(', '));
  }

  // ---- test and bench hooks ----------------------------------------------------------------

  /**
   * A read-only window into the viewer for the browser tests and the bench (positions of lanes
   * and segments in client coordinates, frame counters). It exposes nothing the page could not
   * compute itself and changes nothing (`nextFrame` only waits); setters are in {@link testControls}.
   */
  debugApi(): Record<string, unknown> {
    return {
      frames: () => this.frames,
      traceShownAt: () => this.traceShownAt,
      frameTimes: () => [...this.renderer.frameTimes],
      nextFrame: () => new Promise<void>((r) => this.firstFrameResolvers.push(r)),
      viewport: () => ({ ...this.vp }),
      rows: () =>
        this.layout.rows.map((r) => ({
          ...r,
          name:
            r.kind === 'task'
              ? this.index?.lanes.get(r.taskId)?.task.name
              : this.index?.groups?.byId.get(r.groupId)?.group.label,
        })),
      /** Group header texts as drawn in the last frame. */
      groupLabels: () => this.renderer.groupLabels.map((l) => ({ ...l })),
      /** Client coordinates of the middle of a group header's label. */
      pointOfGroup: (groupId: number) => {
        const row = this.layout.groupRowOf.get(groupId);
        if (row === undefined) return null;
        const r = this.canvas.getBoundingClientRect();
        return { x: r.left + 80, y: r.top + rowToY(this.vp, row) + this.vp.rowHeight / 2 };
      },
      selection: () => ({ taskId: this.state.selectedTaskId, seg: this.selectedSeg }),
      highlights: () => [...this.highlights].map(([k, v]) => [k, [...v]]),
      userMoved: () => this.view.mode === 'free',
      /** fit / follow-live / free (core/timeline/viewController.ts). */
      viewMode: () => this.view.mode,
      /** Label texts as drawn in the last frame (name and creation site, ellipsised to fit). */
      gutterLabels: () => this.renderer.gutterLabels.map((l) => ({ ...l })),
      /** Await edges drawn to a collapsed ancestor's lane in the last frame. */
      foldedEdges: () => this.renderer.foldedEdges.map((e) => ({ ...e })),
      /** Client coordinates of the middle of a segment (or of a lane label with segIndex -1). */
      pointOf: (taskId: number, segIndex: number) => {
        const row = this.layout.rowOf.get(taskId);
        const lane = this.index?.lanes.get(taskId);
        if (row === undefined || !lane) return null;
        const r = this.canvas.getBoundingClientRect();
        const y = rowToY(this.vp, row) + this.vp.rowHeight / 2;
        const x =
          segIndex < 0
            ? 40
            : (timeToX(this.vp, lane.starts[segIndex]) + timeToX(this.vp, lane.ends[segIndex])) / 2;
        return { x: r.left + x, y: r.top + y };
      },
      timeAtClientX: (cx: number) =>
        this.vp.start + (cx - this.canvas.getBoundingClientRect().left - this.vp.gutter) * this.vp.msPerPx,
    };
  }

  /**
   * What the tests and the bench may change: the viewport. Exposed only in test mode (the host's
   * settings say so; the browser harness sends them the same way), never in a released build.
   */
  testControls(): Record<string, unknown> {
    return {
      /** Sets the viewport programmatically (the bench's pan/zoom script). */
      setView: (start: number, msPerPx: number, scrollTop?: number) =>
        this.setViewport({ ...this.vp, start, msPerPx, scrollTop: scrollTop ?? this.vp.scrollTop }),
    };
  }
}
