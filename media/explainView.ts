/**
 * The run explained in the viewer: the Steps pane (the narration, `core/narration`, with a cursor
 * that replays the run) and the critical path highlight (`core/criticalPath`). Owns what they
 * compute and the cursor; the app asks it what to paint (`frameParts`) and tells it about traces.
 *
 * Computed lazily, in the page, from the trace the viewer already has: nothing until the pane
 * opens or the highlight is switched on, then once per trace. A live run re-sends its trace
 * several times a second; while it is live both are recomputed at most every
 * {@link LIVE_RECOMPUTE_MS} (the last update always counts: a trailing timer), and at once when the
 * run finishes. Traces of more than {@link BIG_TRACE_EVENTS} events are told after a frame that
 * says so, and a big live run only when it finishes. The cursor stays on the same step (or the same time) across live updates.
 */
import { criticalPath, criticalPathLine } from '../src/core/criticalPath';
import { narrate } from '../src/core/narration';
import { type CriticalLanes, criticalLanes } from '../src/core/timeline/criticalLanes';
import {
  type CursorMove,
  findRow,
  moveCursor,
  type StepRow,
  stepRows,
  stepTaskIds,
} from '../src/core/timeline/stepCursor';
import type { ViewState } from '../src/core/timeline/viewState';
import type { Step, Trace } from '../src/protocol/trace';
import { toolbarToggle } from './chrome';
import type { HostBridge } from './hostBridge';
import type { StepCursorMark } from './paint/cursorPainter';
import { StepsPane } from './stepsPane';

/** While a run is live, narration and critical path are recomputed at most this often. */
export const LIVE_RECOMPUTE_MS = 1000;
/**
 * Traces with more events than this are told after a frame that says so: narrating a million
 * events takes seconds (bench/webview.mjs prints how many), and a pane that opens blank until
 * then reads as broken.
 */
export const BIG_TRACE_EVENTS = 100_000;

/** What the explain view needs from the app. */
export interface ExplainHost {
  host: HostBridge;
  state: ViewState;
  /** Pans the time axis (through the view controller) so `t` is in sight. */
  revealTime(t: number): void;
  /** Scrolls the lanes so this task's row is in sight (when it has one). */
  revealTask(taskId: number): void;
  invalidate(): void;
  status(text: string): void;
  saveState(): void;
  /** The critical path changed (on/off, or recomputed): the table shows it. */
  criticalChanged(): void;
  /** Focus back to the timeline (Esc in the list). */
  focusTimeline(): void;
}

export class ExplainView {
  readonly pane: StepsPane;
  readonly stepsButton: HTMLButtonElement;
  readonly criticalButton: HTMLButtonElement;
  private trace: Trace | null = null;
  private live = false;
  /** Narration of `trace` (null: not computed for it yet). */
  private steps: Step[] | null = null;
  private rows: StepRow[] = [];
  private readonly expanded = new Set<number>();
  private cursor: number | null = null;
  private path: CriticalLanes | null = null;
  private pathLine: string | null = null;
  private pathComputed = false;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private lastCompute = 0;
  /** How long the last narration and critical path took (ms), for the bench. */
  readonly timings = { narrate: 0, criticalPath: 0 };

  constructor(private readonly app: ExplainHost) {
    this.pane = new StepsPane({
      move: (m) => this.move(m),
      select: (row) => this.setCursor(row),
      toggleExpand: (top) => this.toggleExpand(top),
      leave: () => app.focusTimeline(),
    });
    this.pane.hidden = !app.state.showSteps;
    this.stepsButton = toolbarToggle(
      'Steps',
      'Show the run step by step; the current step is a cursor on the lanes (N; , and . step)',
      app.state.showSteps,
      () => this.toggleSteps(),
    );
    this.criticalButton = toolbarToggle(
      'Critical path',
      'Highlight the critical path and dim the rest (P)',
      app.state.showCritical,
      () => this.toggleCritical(),
    );
  }

  /** A new trace (or none). */
  traceChanged(trace: Trace | null, live: boolean): void {
    const prev = this.trace;
    const sameRun = !!prev && !!trace && prev.startedAt === trace.startedAt && prev.entry === trace.entry;
    this.trace = trace;
    this.live = live && !!trace;
    if (!sameRun) {
      this.expanded.clear();
      this.cursor = null;
    }
    if (!this.wanted()) {
      // Computed again when asked for.
      this.steps = null;
      this.rows = [];
      this.cursor = null;
      this.path = null;
      this.pathComputed = false;
      return;
    }
    if (!this.live) {
      if (trace!.eventCount <= BIG_TRACE_EVENTS) this.recompute();
      else this.later('Telling the run', false, () => this.recompute());
      return;
    }
    // A big live run is told again when it finishes (each telling would hold the page for seconds).
    if (trace!.eventCount > BIG_TRACE_EVENTS) return;
    if (this.timer) return;
    const wait = Math.max(0, this.lastCompute + LIVE_RECOMPUTE_MS - performance.now());
    this.timer = setTimeout(() => {
      this.timer = null;
      this.recompute();
    }, wait);
  }

  private wanted(): boolean {
    return this.app.state.showSteps || this.app.state.showCritical;
  }

  private recompute(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.lastCompute = performance.now();
    const prevRow = this.cursor !== null ? this.rows[this.cursor] : undefined;
    this.steps = null;
    this.path = null;
    this.pathLine = null;
    this.pathComputed = false;
    this.ensureComputed();
    if (!this.steps) this.rows = [];
    if (prevRow) this.cursor = findRow(this.rows, prevRow.top, prevRow.member, prevRow.step.t);
    this.refreshPane();
    this.app.criticalChanged();
    this.app.invalidate();
  }

  /** Computes what is shown and not computed yet for this trace. */
  private ensureComputed(): void {
    const trace = this.trace;
    if (!trace) {
      this.steps = null;
      this.rows = [];
      this.path = null;
      this.pathLine = null;
      return;
    }
    if (this.app.state.showSteps && !this.steps) {
      const t0 = performance.now();
      this.steps = narrate(trace);
      this.timings.narrate = performance.now() - t0;
      this.rows = stepRows(this.steps, this.expanded);
    }
    if (this.wanted() && !this.pathComputed) {
      const t0 = performance.now();
      const path = criticalPath(trace);
      this.path = path.length ? criticalLanes(path) : null;
      this.pathLine = criticalPathLine(trace, path);
      this.pathComputed = true;
      this.timings.criticalPath = performance.now() - t0;
    }
  }

  private refreshPane(): void {
    if (this.pane.hidden) return;
    this.pane.setPathLine(this.pathLine);
    this.pane.setRows(this.rows, this.expanded, this.cursor, this.trace ? undefined : 'no trace');
  }

  toggleSteps(): void {
    this.setSteps(!this.app.state.showSteps);
  }

  private setSteps(on: boolean, now = false): void {
    this.app.state.showSteps = on;
    this.stepsButton.setAttribute('aria-pressed', String(on));
    this.pane.hidden = !on;
    if (on)
      this.later('Telling the run step by step', now, () => {
        this.ensureComputed();
        this.refreshPane();
      });
    this.app.saveState();
    this.app.invalidate();
  }

  toggleCritical(): void {
    const on = !this.app.state.showCritical;
    this.app.state.showCritical = on;
    this.criticalButton.setAttribute('aria-pressed', String(on));
    const done = () => {
      if (this.app.state.showCritical !== on) return;
      this.app.status(
        on
          ? (this.pathLine ?? (this.trace ? 'No critical path: no task ran.' : 'No trace.'))
          : 'Critical path highlight off',
      );
      if (on) this.refreshPane();
      this.app.criticalChanged();
      this.app.invalidate();
    };
    if (on)
      this.later('Finding the critical path', false, () => {
        this.ensureComputed();
        done();
      });
    else done();
    this.app.saveState();
  }

  /**
   * Runs `work` (a computation over the trace): at once for ordinary traces (and when `now`), and
   * for big ones after the pane and the status bar have said what is being computed.
   */
  private later(what: string, now: boolean, work: () => void): void {
    const trace = this.trace;
    if (now || !trace || trace.eventCount <= BIG_TRACE_EVENTS) {
      work();
      return;
    }
    const note = `${what}: ${trace.eventCount.toLocaleString('en-US')} events…`;
    this.app.status(note);
    if (!this.pane.hidden && !this.steps) this.pane.setRows([], this.expanded, null, note);
    // The note is painted first; the work starts after that frame.
    requestAnimationFrame(() =>
      setTimeout(() => {
        if (this.trace !== trace) return;
        this.app.status('');
        work();
      }, 0),
    );
  }

  /** Moves the cursor (keys on the timeline, or in the list); opens the pane when it is closed. */
  move(m: CursorMove): void {
    // Stepping needs the steps now: computed at once even for a big trace.
    if (!this.app.state.showSteps) this.setSteps(true, true);
    else if (!this.steps) {
      this.ensureComputed();
      this.refreshPane();
    }
    const next = moveCursor(this.cursor, m, this.rows.length);
    if (next !== null) this.setCursor(next);
  }

  /** Focuses the Steps list (after opening the pane from the keyboard). */
  focusList(): void {
    if (!this.pane.hidden) this.pane.focus();
  }

  private toggleExpand(top: number): void {
    if (!this.steps) return;
    const cur = this.cursor !== null ? this.rows[this.cursor] : undefined;
    if (this.expanded.has(top)) this.expanded.delete(top);
    else this.expanded.add(top);
    this.rows = stepRows(this.steps, this.expanded);
    if (cur) this.cursor = findRow(this.rows, cur.top, cur.member, cur.step.t);
    this.refreshPane();
    this.app.invalidate();
  }

  private setCursor(row: number): void {
    const r = this.rows[row];
    if (!r) return;
    const same = row === this.cursor;
    this.cursor = row;
    this.pane.setCursor(row, true);
    this.app.revealTime(r.step.t);
    const first = r.step.taskIds[0];
    if (first !== undefined) this.app.revealTask(first);
    // The editor follows: the step's line, shown without taking the focus from the viewer.
    if (!same && r.step.site && this.app.host.mode === 'vscode')
      this.app.host.post({ type: 'revealStep', site: r.step.site });
    this.app.invalidate();
  }

  /** What the renderer draws for the explain view this frame. */
  frameParts(): { cursor: StepCursorMark | null; critical: CriticalLanes | null } {
    const r = this.app.state.showSteps && this.cursor !== null ? this.rows[this.cursor] : undefined;
    return {
      cursor: r ? { t: r.step.t, end: r.step.end, taskIds: stepTaskIds(r.step), label: r.label } : null,
      critical: this.app.state.showCritical ? this.path : null,
    };
  }

  /** The critical path for the table (when the highlight is on) and its one-line summary. */
  tablePath(): { lanes: CriticalLanes; line: string | null } | null {
    return this.app.state.showCritical && this.path ? { lanes: this.path, line: this.pathLine } : null;
  }

  /** For the browser tests: the cursor, and what the highlight shows. */
  inspect(): {
    cursor: {
      row: number;
      label: string;
      t: number;
      end: number;
      taskIds: number[];
      site: Step['site'];
    } | null;
    critical: { on: boolean; tasks: number[]; line: string | null };
    steps: number | null;
    timings: { narrate: number; criticalPath: number };
  } {
    const r = this.cursor !== null ? this.rows[this.cursor] : undefined;
    return {
      cursor: r
        ? {
            row: this.cursor!,
            label: r.label,
            t: r.step.t,
            end: r.step.end,
            taskIds: stepTaskIds(r.step),
            site: r.step.site,
          }
        : null,
      critical: {
        on: this.app.state.showCritical,
        tasks: this.app.state.showCritical && this.path ? [...this.path.byTask.keys()] : [],
        line: this.pathLine,
      },
      steps: this.steps ? this.steps.length : null,
      timings: { ...this.timings },
    };
  }
}
