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
    durationMs: number;
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
      durationMs: r.trace.durationMs,
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
