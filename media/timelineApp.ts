import type { HostToWebview } from '../src/protocol/webview';
import type { SourceSite, Trace } from '../src/protocol/trace';
import { buildTableRows, tableColumns } from '../src/core/timeline/accessibleTable';
import { foldLanes } from '../src/core/timeline/laneFolds';
import { taskFolds, type TaskFold } from '../src/core/taskFolds';
import { DEFAULT_BLOCKING_THRESHOLD_MS } from '../src/core/blocking';
import { formatTimestamp } from '../src/core/duration';
import { type Hit, hitTest } from '../src/core/timeline/hitTest';
import { hoverFacts, siteOfSegment } from '../src/core/timeline/hoverFacts';
import { clampLabelWidth } from '../src/core/timeline/labelColumn';
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
  scrollRowIntoView,
  timeToX,
  type Viewport,
  visibleTimeRange,
  zoomAt,
} from '../src/core/timeline/viewport';
import {
  initialView,
  savedTimeView,
  type ViewModel,
  viewReducer,
  workSpan,
} from '../src/core/timeline/viewController';
import { CRITICAL_COLUMN, withCriticalShare } from '../src/core/timeline/criticalLanes';
import { revealTime } from '../src/core/timeline/stepCursor';
import { renderDetails } from './detailsPane';
import { ExplainView } from './explainView';
import { keyAction, type KeyAction } from './keymap';
import { bindPointer } from './pointerInput';
import { FrameLoop } from './frameLoop';
import { StateSaver } from './persistence';
import { LabelSplitter } from './splitter';
import type { ViewerInternals } from './testHooks';
import { Chrome } from './chrome';
import { Tooltip } from './tooltip';
import { warmUpDraw } from './warmUp';
import { setChildren } from './dom';
import type { HostBridge } from './hostBridge';
import { TimelineRenderer } from './renderer';
import { renderTable } from './taskTable';
import { readTheme, type Theme, watchTheme } from './theme';

const ROW_HEIGHT = 26;
const AXIS_HEIGHT = 34;
/** Rows rendered into the accessible table at most (the rest: "use the filter"). */
const TABLE_LIMIT = 2000;
const ZOOM_STEP = 1.5;

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
  /** Folds of similar tasks (core/taskFolds.ts) and the user's choice per fold (key → unfolded?). */
  private folds: TaskFold[] = [];
  private openFolds = new Map<string, boolean>();
  private selectedSeg: { taskId: number; segIndex: number } | null = null;
  private hover: Hit | null = null;
  private highlights = new Map<number, Set<number>>();
  private outputTimes = new Float64Array(0);
  /** `asyncTimeline.blocking.thresholdMs`, from the host's settings message (standalone: the default). */
  private blockingThresholdMs = DEFAULT_BLOCKING_THRESHOLD_MS;
  /** Viewport to apply when the first trace arrives (restored from getState). */
  private pendingRestore: boolean;
  private readonly loop = new FrameLoop(() => this.frame());
  private readonly saver: StateSaver;
  private tableTimer: ReturnType<typeof setTimeout> | null = null;
  /** When the frame showing the latest trace finished (performance.now()), for the bench. */
  private traceShownAt = 0;
  private traceUnshown = false;

  private readonly renderer: TimelineRenderer;
  private readonly canvas: HTMLCanvasElement;
  private readonly wrap: HTMLElement;
  private readonly tooltip: Tooltip;
  /** The handle between the label column and the plot (drawn on the canvas; this is its hit area). */
  private readonly splitter: LabelSplitter;
  private readonly empty: HTMLElement;
  private readonly details: HTMLElement;
  private readonly tableWrap: HTMLElement;
  private readonly filterInput: HTMLInputElement;
  /** Toolbar, panes, status bar, legend (media/chrome.ts). */
  private readonly chrome: Chrome;
  /** The Steps pane and the critical path highlight (media/explainView.ts). */
  private readonly explain: ExplainView;

  constructor(
    root: HTMLElement,
    private readonly host: HostBridge,
  ) {
    this.state = parseViewState(host.getState());
    this.saver = new StateSaver(host, () => this.viewStateNow());
    this.collapsed = new Set(this.state.collapsed);
    this.collapsedGroups = new Set(this.state.collapsedGroups);
    this.pendingRestore = this.state.msPerPx !== null && this.state.start !== null;
    this.theme = readTheme();

    this.tooltip = new Tooltip(host.mode === 'vscode');
    this.splitter = new LabelSplitter(
      () => this.vp,
      (w) => this.setLabelWidth(w),
      (text) => this.announce(text),
    );
    this.chrome = new Chrome(
      root,
      host,
      this.state,
      this.blockingThresholdMs,
      { splitter: this.splitter.el, tooltip: this.tooltip.el },
      {
        setFilter: (text) => this.setFilter(text),
        fit: () => this.fit(),
        zoomToSelection: () => this.zoomToSelection(),
        zoomIn: () => this.zoomBy(ZOOM_STEP),
        zoomOut: () => this.zoomBy(1 / ZOOM_STEP),
        toggle: (which) => this.toggle(which),
      },
    );
    this.canvas = this.chrome.canvas;
    this.wrap = this.chrome.wrap;
    this.empty = this.chrome.empty;
    this.details = this.chrome.details;
    this.tableWrap = this.chrome.tableWrap;
    this.filterInput = this.chrome.filterInput;
    this.explain = new ExplainView({
      host,
      state: this.state,
      revealTime: (t) => {
        const vp = revealTime(this.vp, t);
        if (vp) this.setViewport(vp);
      },
      revealTask: (id) => {
        const row = this.layout.rowOf.get(id);
        if (row !== undefined) this.setViewport(scrollRowIntoView(this.vp, row), false);
      },
      invalidate: () => this.invalidate(),
      status: (text) => this.status(text),
      saveState: () => this.saveStateSoon(),
      criticalChanged: () => this.scheduleTable(true),
      focusTimeline: () => this.canvas.focus(),
    });
    this.chrome.toggles.table.after(this.explain.stepsButton, this.explain.criticalButton);
    this.wrap.after(this.explain.pane.el);

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
    warmUpDraw(this.renderer, this.theme, this.vp);
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
    bindPointer(this.canvas, {
      viewport: () => this.vp,
      moveView: (vp, byUser) => this.setViewport(vp, byUser),
      hover: (x, y, cx, cy) => this.updateHover(x, y, cx, cy),
      leave: () => {
        this.hover = null;
        this.tooltip.hide();
        this.invalidate();
      },
      click: (x, y) => this.click(x, y),
      doubleClick: (x, y) => this.doubleClick(x, y),
      hideTooltip: () => this.tooltip.hide(),
    });
    this.bindKeys();
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
    this.chrome.showLegendFor(trace);
    if (!trace) {
      this.index = null;
      this.view = viewReducer(this.view, { type: 'clear' });
      this.layout = emptyLayout();
      this.selectedSeg = null;
      this.highlights.clear();
      this.explain.traceChanged(null, false);
      this.updateChrome();
      this.invalidate();
      return;
    }
    this.index = indexTrace(trace, this.blockingThresholdMs);
    this.folds = taskFolds(trace);
    if (!sameRun) this.openFolds.clear();
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
      work: workSpan(trace, this.index.startT, this.index.endT),
    });
    if (this.state.selectedTaskId !== null && !this.index.lanes.has(this.state.selectedTaskId))
      this.state.selectedTaskId = null;
    if (this.selectedSeg && !this.index.lanes.has(this.selectedSeg.taskId)) this.selectedSeg = null;
    this.vp = clampScroll(this.vp, this.layout.rows.length);
    this.explain.traceChanged(trace, this.live);
    this.updateChrome();
    this.refreshDetails();
    this.scheduleTable();
    this.invalidate();
  }

  /** The setting changed (or arrived): re-find the blocking segments and say the threshold in the legend. */
  private setBlockingThreshold(ms: number): void {
    if (ms === this.blockingThresholdMs) return;
    this.blockingThresholdMs = ms;
    this.chrome.setBlockingThreshold(ms);
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
    this.layout = foldLanes(
      layoutLanes(this.index, {
        collapsed: this.collapsed,
        collapsedGroups: this.collapsedGroups,
        filter: this.state.filter,
      }),
      this.folds,
      this.openFolds,
    );
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
    this.chrome.setToggle(which, on);
    this.saveStateSoon();
    this.invalidate();
  }

  private toggleCollapse(taskId: number): void {
    if (!this.index) return;
    const at = this.layout.rowOf.get(taskId);
    const row = at === undefined ? undefined : this.layout.rows[at];
    if (row?.kind === 'task' && row.fold) {
      // A fold's row: fold or unfold the similar tasks it stands for.
      this.openFolds.set(row.fold.key, row.collapsed);
      this.announce(
        `${row.fold.name} ×${row.fold.memberIds.length} ${row.collapsed ? 'unfolded' : 'folded'}`,
      );
    } else if (this.collapsed.has(taskId)) this.collapsed.delete(taskId);
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
    this.view = viewReducer(this.view, {
      type: byUser ? 'user' : 'scroll',
      vp: clampScroll(vp, this.layout.rows.length),
    });
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
    this.splitter.place(this.vp);
  }

  /** Sets the preferred label width (splitter drag or keys) and applies what this panel allows. */
  private setLabelWidth(width: number): void {
    if (width === this.state.gutter && width === this.vp.gutter) return;
    this.state.gutter = width;
    const gutter = clampLabelWidth(width, this.vp.width);
    this.view = viewReducer(this.view, { type: 'gutter', gutter });
    this.splitter.place(this.vp);
    this.tooltip.hide();
    this.saveStateSoon();
    this.invalidate();
  }

  // ---- frame loop ------------------------------------------------------------------------

  /** Marks the canvas dirty (one frame per animation frame however many calls). */
  invalidate(): void {
    this.loop.invalidate();
  }

  private frame(): void {
    this.empty.hidden = !!this.index;
    this.splitter.el.hidden = !this.index;
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
      ...this.explain.frameParts(),
    });
    if (this.traceUnshown) {
      this.traceUnshown = false;
      this.traceShownAt = performance.now();
    }
  }

  /** What is saved for a reload: a view the user chose (a fitted one re-fits), scroll, folds, toggles. */
  private viewStateNow(): ViewState {
    const saved = savedTimeView(this.view);
    return {
      ...this.state,
      start: saved?.start ?? null,
      msPerPx: saved?.msPerPx ?? null,
      scrollTop: this.vp.scrollTop,
      collapsed: [...this.collapsed],
      collapsedGroups: [...this.collapsedGroups],
    };
  }

  private saveStateSoon(): void {
    this.saver.soon();
  }

  // ---- chrome (toolbar, details, table, status) -------------------------------------------

  private updateChrome(): void {
    this.chrome.showSummary(
      this.index
        ? {
            trace: this.index.trace,
            title: this.runTitle,
            endT: this.index.endT,
            live: this.live,
            filter: this.state.filter,
            shownLanes: this.layout.rowOf.size,
          }
        : null,
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
        // With the critical path highlighted, the table says each task's share of it, and the chain.
        const path = this.explain.tablePath();
        const rows = buildTableRows(this.index, this.layout, TABLE_LIMIT, this.folds);
        renderTable(
          this.tableWrap,
          path ? [...tableColumns(this.index), CRITICAL_COLUMN] : tableColumns(this.index),
          path ? withCriticalShare(rows, path.lanes) : rows,
          this.layout.rowOf.size,
          this.state.selectedTaskId,
          (id) => this.select(id, null, true),
          path?.line ?? undefined,
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
    this.chrome.status(text);
  }

  private announce(text: string): void {
    this.chrome.announce(text);
  }

  // ---- input -------------------------------------------------------------------------------

  /** Double-click: zoom to a segment; on the axis, fit. */
  private doubleClick(x: number, y: number): void {
    if (!this.index) return;
    const hit = hitTest(this.index, this.layout, this.vp, x, y);
    if (hit.area === 'lane' && hit.segIndex >= 0) {
      this.select(hit.taskId, hit.segIndex, false);
      this.zoomToSelection();
    } else if (hit.area === 'axis') this.fit();
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
      this.tooltip.hide();
      return;
    }
    this.tooltip.show(facts, clientX, clientY, this.wrap);
  }

  private bindKeys(): void {
    // Timeline keys work with the canvas focused, or with nothing in particular focused (a click
    // into the webview's empty space lands on <body>); never while typing or on a button.
    document.addEventListener('keydown', (e) => {
      if (e.target !== this.canvas && e.target !== document.body && e.target !== document.documentElement)
        return;
      const action = keyAction(e);
      if (!action) return;
      e.preventDefault();
      this.runKey(action);
    });
  }

  /** What each key action (media/keymap.ts) does. */
  private runKey(action: KeyAction): void {
    const rows = this.layout.rows;
    const sel = this.state.selectedTaskId;
    const row = sel !== null ? this.layout.rowOf.get(sel) : undefined;
    const pw = plotWidth(this.vp);
    switch (action) {
      case 'panEarlier':
      case 'panEarlierFast':
        this.setViewport(panBy(this.vp, pw * (action === 'panEarlierFast' ? 0.5 : 0.1)));
        break;
      case 'panLater':
      case 'panLaterFast':
        this.setViewport(panBy(this.vp, -pw * (action === 'panLaterFast' ? 0.5 : 0.1)));
        break;
      case 'selectPrevLane':
      case 'selectNextLane': {
        // Lanes only: header rows are stepped over (they fold with a click, or from the table).
        const dir = action === 'selectPrevLane' ? -1 : 1;
        let next = row === undefined ? (dir === 1 ? -1 : rows.length) : row;
        do next += dir;
        while (next >= 0 && next < rows.length && rows[next].kind !== 'task');
        const target = rows[next];
        if (target?.kind === 'task') this.select(target.taskId, null, true);
        break;
      }
      case 'pageUp':
      case 'pageDown':
        this.setViewport(
          {
            ...this.vp,
            scrollTop:
              this.vp.scrollTop + (action === 'pageUp' ? -1 : 1) * (this.vp.height - this.vp.axisHeight),
          },
          false,
        );
        break;
      case 'home':
        if (this.index) this.setViewport({ ...this.vp, start: this.index.startT - 24 * this.vp.msPerPx });
        break;
      case 'end':
        if (this.index)
          this.setViewport({ ...this.vp, start: this.index.endT - (pw - 24) * this.vp.msPerPx });
        break;
      case 'zoomIn':
        this.zoomBy(ZOOM_STEP, this.zoomAnchor());
        break;
      case 'zoomOut':
        this.zoomBy(1 / ZOOM_STEP, this.zoomAnchor());
        break;
      case 'fit':
        this.fit();
        break;
      case 'zoomToSelection':
        this.zoomToSelection();
        break;
      case 'open':
        if (this.selectedSeg && this.index)
          this.openSite(siteOfSegment(this.index, this.selectedSeg.taskId, this.selectedSeg.segIndex));
        else if (sel !== null && this.index) {
          const t = this.index.lanes.get(sel)!.task;
          this.openSite(t.created.site ?? t.definition);
        }
        break;
      case 'fold':
        if (sel !== null) this.toggleCollapse(sel);
        break;
      case 'foldGroup':
        // Fold the selected lane's thread/process (headers take no keyboard focus of their own).
        if (sel !== null && this.index?.groups) {
          const task = this.index.lanes.get(sel)?.task;
          if (task) this.toggleGroup(groupIdOf(task));
        }
        break;
      case 'prevSegment':
      case 'nextSegment':
        this.stepSegment(action === 'nextSegment' ? 1 : -1);
        break;
      case 'clear':
        this.select(null, null, false);
        this.highlights.clear();
        this.tooltip.hide();
        break;
      case 'toggleTable':
        this.toggle('table');
        break;
      case 'toggleOutput':
        this.toggle('output');
        break;
      case 'toggleArrows':
        this.toggle('arrows');
        break;
      case 'toggleSteps':
        this.explain.toggleSteps();
        break;
      case 'toggleCritical':
        this.explain.toggleCritical();
        break;
      case 'prevStep':
      case 'nextStep':
        this.explain.move(action === 'nextStep' ? 'next' : 'prev');
        break;
      default: {
        const never: never = action;
        void never;
      }
    }
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

  // ---- test and bench hooks (media/testHooks.ts) --------------------------------------------

  /** The viewer's state for the test hooks (read through getters: it changes). */
  internals(): ViewerInternals {
    return {
      loop: this.loop,
      renderer: this.renderer,
      canvas: this.canvas,
      traceShownAt: () => this.traceShownAt,
      vp: () => this.vp,
      layout: () => this.layout,
      index: () => this.index,
      selection: () => ({ taskId: this.state.selectedTaskId, seg: this.selectedSeg }),
      highlights: () => this.highlights,
      mode: () => this.view.mode,
      explain: () => this.explain.inspect(),
      setViewport: (vp) => this.setViewport(vp),
    };
  }
}
