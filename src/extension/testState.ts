/**
 * What the integration tests can observe that the VS Code API does not expose (decoration
 * text, viewer connections, notifications shown): returned by the internal, palette-hidden
 * `asyncTimeline._testState` command. Plain JSON.
 */
import type { Notifier, ShownMessage } from './notifier';
import type { ResultsStore } from './resultsStore';
import type { RunController } from './runController';
import type { DecoratedLine, TimelineDecorations } from './timelineDecorations';
import type { TimelineHub } from './timelineHub';
import type { TimelinePanel } from './timelinePanel';
import type { TimelineViewProvider } from './timelineViewProvider';
import type { WorkspaceTrust } from './workspaceTrust';

/** The extension's observable state. */
export interface TestState {
  trusted: boolean;
  running: { entry: string; pid: number | null }[];
  results: {
    entry: string;
    origin: 'run' | 'file';
    live: boolean;
    tasks: string[];
    exit: string | null;
    /** The program's (or the command's) exit code. */
    exitCode: number | null;
    durationMs: number;
    /** What ran, for test and npm script runs. */
    label: string | null;
    /** Labels of the trace's threads/processes (empty for a single-thread trace). */
    groups: string[];
  }[];
  decorations: Record<string, DecoratedLine[]>;
  timeline: {
    attached: number;
    ready: number;
    posted: Record<string, number>;
    csp: string[];
    panelOpen: boolean;
    viewResolved: boolean;
    selectedTask: number | null;
  };
  messages: readonly ShownMessage[];
}

/** Collects the state from the feature objects. */
export function describeState(parts: {
  store: ResultsStore;
  runs: RunController;
  decorations: TimelineDecorations;
  hub: TimelineHub;
  notifier: Notifier;
  trust: WorkspaceTrust;
  panel: TimelinePanel;
  view: TimelineViewProvider;
}): TestState {
  return {
    trusted: parts.trust.isTrusted,
    running: parts.runs.runningFiles.map((entry) => ({ entry, pid: parts.runs.session(entry)?.pid ?? null })),
    results: parts.store.all.map((r) => ({
      entry: r.entry,
      origin: r.origin,
      live: r.live,
      tasks: r.trace.tasks.map((t) => t.name),
      exit: r.trace.exit?.reason ?? null,
      exitCode: r.trace.exit?.code ?? null,
      durationMs: r.trace.durationMs,
      label: r.label ?? null,
      groups: (r.trace.groups ?? []).map((g) => g.label),
    })),
    decorations: parts.decorations.describe(),
    timeline: {
      ...parts.hub.describe(),
      panelOpen: parts.panel.isOpen,
      viewResolved: parts.view.isResolved,
      selectedTask: parts.hub.selectedTask,
    },
    messages: parts.notifier.messages,
  };
}
