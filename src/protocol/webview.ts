/**
 * Host ↔ webview messages (the timeline viewer in the panel, the editor tab, and the HTML export).
 * Direction-specific discriminated unions keyed by `type`; the webview posts `ready` first and
 * only then does the host send anything. Everything received is checked by the guards below.
 */
import type { SourceSite, Trace } from './trace';

/** What the viewer needs from the host's settings and mode. */
export interface ViewerSettings {
  /** `asyncTimeline.blocking.thresholdMs`: running segments whose own time reaches it block the loop (core/blocking.ts). */
  blockingThresholdMs: number;
  /**
   * The extension runs in test mode (`ExtensionMode.Test`; the browser suite's harness says the
   * same): only then does the page expose its writable view API (`window.asyncTimeline.setView`).
   */
  testMode: boolean;
}

export type HostToWebview =
  /** The viewer's settings: first on every `ready` (before the trace), and again when they change. */
  | ({ type: 'settings' } & ViewerSettings)
  /** Replace the whole trace (first frame, a finished run, or a loaded trace file). `live` = still running. */
  | {
      type: 'trace';
      trace: Trace | null;
      live: boolean;
      /** What the run was when it was no plain file run (`test "adds" (node:test)`, `npm run build`): the viewer's title. */
      title?: string;
    }
  /** Highlight every segment caused by this source line (the editor cursor sits on an await line). */
  | { type: 'highlightSite'; file: string; line: number }
  /** Reveal and select these tasks' lanes (e.g. from a "Show in timeline" CodeLens or hover link). */
  | { type: 'revealTasks'; taskIds: number[] }
  /** No run, no trace: show the empty state. */
  | { type: 'clear' };

export type WebviewToHost =
  | { type: 'ready' }
  /** Open this source position in the editor (click on a segment, marker or lane label). */
  | { type: 'openSite'; site: SourceSite }
  /** The user selected a task in the viewer. */
  | { type: 'selectTask'; taskId: number | null }
  /**
   * The Steps pane's cursor moved to a step at this site: show the line in the editor and mark it,
   * without taking the focus from the viewer (the user keeps stepping with the arrow keys).
   */
  | { type: 'revealStep'; site: SourceSite }
  /** Ask the host to run/stop (buttons in the viewer toolbar). */
  | { type: 'command'; command: 'run' | 'stop' | 'export' | 'open' };

/**
 * The wire form of a host message. A trace goes over as one JSON string: webview messages are
 * serialised by VS Code anyway, and one string crosses far faster than a graph of a million
 * small objects (measured: ~14 s for a 1M-event trace as objects).
 */
export function encodeHostMessage(msg: HostToWebview): unknown {
  if (msg.type !== 'trace') return msg;
  return { type: 'trace', json: JSON.stringify(msg.trace), live: msg.live, ...(msg.title !== undefined ? { title: msg.title } : {}) };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

function isSite(v: unknown): v is SourceSite {
  return (
    isObject(v) &&
    typeof v.file === 'string' &&
    Number.isInteger(v.line) &&
    (v.line as number) >= 1 &&
    Number.isInteger(v.column) &&
    (v.column as number) >= 1
  );
}

/** Validates a message that came from the webview; returns null for anything malformed. */
export function parseWebviewMessage(v: unknown): WebviewToHost | null {
  if (!isObject(v) || typeof v.type !== 'string') return null;
  switch (v.type) {
    case 'ready':
      return { type: 'ready' };
    case 'openSite':
      return isSite(v.site) ? { type: 'openSite', site: { file: v.site.file, line: v.site.line, column: v.site.column } } : null;
    case 'revealStep':
      return isSite(v.site)
        ? { type: 'revealStep', site: { file: v.site.file, line: v.site.line, column: v.site.column } }
        : null;
    case 'selectTask':
      return v.taskId === null || Number.isInteger(v.taskId) ? { type: 'selectTask', taskId: v.taskId as number | null } : null;
    case 'command':
      return v.command === 'run' || v.command === 'stop' || v.command === 'export' || v.command === 'open'
        ? { type: 'command', command: v.command }
        : null;
    default:
      return null;
  }
}

/** Validates a message that came from the host (the webview side of the same contract). */
export function parseHostMessage(v: unknown): HostToWebview | null {
  if (!isObject(v) || typeof v.type !== 'string') return null;
  switch (v.type) {
    case 'trace':
      if (typeof v.live !== 'boolean') return null;
      if (typeof v.json === 'string') {
        let trace: unknown;
        try {
          trace = JSON.parse(v.json);
        } catch {
          return null;
        }
        return parseHostMessage({ type: 'trace', trace, live: v.live, title: v.title });
      }
      if (v.trace === null) return { type: 'trace', trace: null, live: v.live };
      if (!isObject(v.trace) || v.trace.format !== 'async-timeline-trace' || !Array.isArray(v.trace.tasks)) return null;
      return {
        type: 'trace',
        trace: v.trace as unknown as Trace,
        live: v.live,
        ...(typeof v.title === 'string' ? { title: v.title.slice(0, 500) } : {}),
      };
    case 'highlightSite':
      return typeof v.file === 'string' && Number.isInteger(v.line)
        ? { type: 'highlightSite', file: v.file, line: v.line as number }
        : null;
    case 'revealTasks':
      return Array.isArray(v.taskIds) && v.taskIds.every((x) => Number.isInteger(x))
        ? { type: 'revealTasks', taskIds: v.taskIds as number[] }
        : null;
    case 'clear':
      return { type: 'clear' };
    case 'settings':
      return typeof v.blockingThresholdMs === 'number' &&
        Number.isFinite(v.blockingThresholdMs) &&
        v.blockingThresholdMs > 0 &&
        typeof v.testMode === 'boolean'
        ? { type: 'settings', blockingThresholdMs: v.blockingThresholdMs, testMode: v.testMode }
        : null;
    default:
      return null;
  }
}
