import type { WebviewToHost } from '../src/protocol/webview';
import { EMBEDDED_TRACE_ID } from '../src/core/htmlExport';

/** The VS Code webview API (only the part the viewer uses). */
interface VsCodeApi {
  postMessage(msg: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

/** Where the viewer runs: inside a VS Code webview, or as a standalone HTML file. */
export interface HostBridge {
  mode: 'vscode' | 'standalone';
  post(msg: WebviewToHost): void;
  getState(): unknown;
  setState(state: unknown): void;
  /** Standalone only: the trace embedded in the page (raw JSON value, validated by the caller). */
  embeddedTrace(): unknown;
}

/**
 * Detects the host. In VS Code `acquireVsCodeApi` exists (and may be called once). In the HTML
 * export it does not; messages then have nowhere to go, state lives in memory, and the trace is
 * read from the page's JSON data block.
 */
export function createHostBridge(): HostBridge {
  if (typeof acquireVsCodeApi === 'function') {
    const api = acquireVsCodeApi();
    return {
      mode: 'vscode',
      post: (m) => api.postMessage(m),
      getState: () => api.getState(),
      setState: (s) => api.setState(s),
      embeddedTrace: () => null,
    };
  }
  let state: unknown = null;
  return {
    mode: 'standalone',
    post: () => undefined,
    getState: () => state,
    setState: (s) => {
      state = s;
    },
    embeddedTrace: () => {
      const el = document.getElementById(EMBEDDED_TRACE_ID);
      if (!el || !el.textContent) return null;
      try {
        return JSON.parse(el.textContent);
      } catch {
        return null;
      }
    },
  };
}
