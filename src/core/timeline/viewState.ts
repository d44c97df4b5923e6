import { LABEL_DEFAULT_PX, LABEL_MAX_PX, LABEL_MIN_PX } from './labelColumn';

/**
 * What the viewer persists through the webview's getState/setState (and restores on reload):
 * enough to put the user back where they were, nothing derived from the trace itself.
 */
export interface ViewState {
  v: 1;
  /** Visible window: trace time at the left edge and zoom; null = fit the whole trace. */
  start: number | null;
  msPerPx: number | null;
  scrollTop: number;
  collapsed: number[];
  /** Thread/process groups folded under their header (traces with several groups). */
  collapsedGroups: number[];
  filter: string;
  selectedTaskId: number | null;
  showTable: boolean;
  showOutput: boolean;
  showArrows: boolean;
  /** Preferred width of the label column (the splitter's position), CSS px; see labelColumn.ts. */
  gutter: number;
  /** The Steps pane (the run told step by step) is open. */
  showSteps: boolean;
  /** The critical path is highlighted (the rest of the lanes dimmed). */
  showCritical: boolean;
}

/** The state of a viewer that has seen nothing yet. */
export function defaultViewState(): ViewState {
  return {
    v: 1,
    start: null,
    msPerPx: null,
    scrollTop: 0,
    collapsed: [],
    collapsedGroups: [],
    filter: '',
    selectedTaskId: null,
    showTable: false,
    showOutput: true,
    showArrows: true,
    gutter: LABEL_DEFAULT_PX,
    showSteps: false,
    showCritical: false,
  };
}

/**
 * Validates restored state (it comes back from storage we do not control, possibly from an older
 * version); unknown or malformed fields fall back to defaults instead of throwing.
 */
export function parseViewState(v: unknown): ViewState {
  const d = defaultViewState();
  if (typeof v !== 'object' || v === null) return d;
  const o = v as Record<string, unknown>;
  if (o.v !== 1) return d;
  const num = (x: unknown, ok: (n: number) => boolean): number | null =>
    typeof x === 'number' && Number.isFinite(x) && ok(x) ? x : null;
  const bool = (x: unknown, def: boolean): boolean => (typeof x === 'boolean' ? x : def);
  return {
    v: 1,
    start: num(o.start, () => true),
    msPerPx: num(o.msPerPx, (n) => n > 0),
    scrollTop: num(o.scrollTop, (n) => n >= 0) ?? 0,
    collapsed: Array.isArray(o.collapsed)
      ? o.collapsed.filter((x): x is number => Number.isInteger(x)).slice(0, 100_000)
      : [],
    collapsedGroups: Array.isArray(o.collapsedGroups)
      ? o.collapsedGroups.filter((x): x is number => Number.isInteger(x)).slice(0, 10_000)
      : [],
    filter: typeof o.filter === 'string' ? o.filter.slice(0, 200) : '',
    selectedTaskId: Number.isInteger(o.selectedTaskId) ? (o.selectedTaskId as number) : null,
    showTable: bool(o.showTable, d.showTable),
    showOutput: bool(o.showOutput, d.showOutput),
    showArrows: bool(o.showArrows, d.showArrows),
    gutter: num(o.gutter, (n) => n >= LABEL_MIN_PX && n <= LABEL_MAX_PX) ?? d.gutter,
    showSteps: bool(o.showSteps, d.showSteps),
    showCritical: bool(o.showCritical, d.showCritical),
  };
}
