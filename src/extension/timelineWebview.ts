/**
 * Binds one timeline webview (the panel view or an editor tab) to the host: sets its HTML,
 * validates what it posts, waits for `ready` before sending anything, sends the current
 * snapshot on every `ready` (that is how a reloaded or re-shown webview restores, together
 * with its own getState/setState), and throttles live trace updates.
 */
import * as vscode from 'vscode';
import {
  encodeHostMessage,
  parseWebviewMessage,
  type HostToWebview,
  type ViewerSettings,
  type WebviewToHost,
} from '../protocol/webview';
import { LIVE_BUDGET } from './runSession';
import type { Trace } from '../protocol/trace';
import { buildTimelineHtml, timelineWebviewOptions } from './timelineHtml';

/** Live updates go out at most this often (a full snapshot each time). */
const LIVE_INTERVAL_MS = 300;

/** What the host does with the webview's requests. */
export interface TimelineWebviewDelegate {
  /** The trace to show now (null: empty state). */
  current(): { trace: Trace; live: boolean; title?: string } | null;
  /** The viewer's settings now (sent before the trace on every `ready`). */
  settings(): ViewerSettings;
  onMessage(message: Exclude<WebviewToHost, { type: 'ready' }>): void;
}

/** One live connection to a timeline webview. */
export class TimelineWebview implements vscode.Disposable {
  private ready = false;
  private pending: HostToWebview[] = [];
  private liveTimer: ReturnType<typeof setTimeout> | undefined;
  private lastLivePost = 0;
  private lastLiveCost = 0;
  private readonly subscriptions: vscode.Disposable[] = [];
  /** The page's Content-Security-Policy (the integration tests check it). */
  readonly csp: string;
  /** Messages posted, counted by type (the integration tests read this). */
  readonly posted: Record<string, number> = {};

  constructor(
    readonly webview: vscode.Webview,
    extensionUri: vscode.Uri,
    private readonly delegate: TimelineWebviewDelegate,
  ) {
    webview.options = timelineWebviewOptions(extensionUri);
    webview.html = buildTimelineHtml(webview, extensionUri);
    this.csp = /http-equiv="Content-Security-Policy" content="([^"]*)"/.exec(webview.html)?.[1] ?? '';
    this.subscriptions.push(webview.onDidReceiveMessage((raw) => this.receive(raw)));
  }

  get isReady(): boolean {
    return this.ready;
  }

  private receive(raw: unknown): void {
    const msg = parseWebviewMessage(raw);
    if (!msg) return; // malformed: ignore, never trust the webview
    if (msg.type === 'ready') {
      this.ready = true;
      this.post({ type: 'settings', ...this.delegate.settings() });
      this.sendSnapshot();
      const queued = this.pending;
      this.pending = [];
      for (const m of queued) this.post(m);
      return;
    }
    this.delegate.onMessage(msg);
  }

  private sendSnapshot(): void {
    const cur = this.delegate.current();
    this.post(
      cur
        ? { type: 'trace', trace: cur.trace, live: cur.live, ...(cur.title !== undefined ? { title: cur.title } : {}) }
        : { type: 'clear' },
    );
  }

  /** Sends a message now, or after `ready`. Trace snapshots are never queued: `ready` sends the newest. */
  post(message: HostToWebview): void {
    if (!this.ready) {
      // Trace and settings go out fresh on `ready`; queue only the rest.
      if (message.type !== 'trace' && message.type !== 'clear' && message.type !== 'settings')
        this.pending.push(message);
      return;
    }
    this.posted[message.type] = (this.posted[message.type] ?? 0) + 1;
    void this.webview.postMessage(encodeHostMessage(message));
  }

  /** The trace changed: final traces go out at once, live ones at most every {@link LIVE_INTERVAL_MS}. */
  traceChanged(live: boolean): void {
    if (!this.ready) return;
    if (!live) {
      if (this.liveTimer) clearTimeout(this.liveTimer);
      this.liveTimer = undefined;
      this.sendSnapshot();
      return;
    }
    if (this.liveTimer) return;
    // A big trace takes a while to serialize: the same budget as the live snapshots themselves.
    const wait = Math.max(0, this.lastLivePost + Math.max(LIVE_INTERVAL_MS, (LIVE_BUDGET - 1) * this.lastLiveCost) - Date.now());
    this.liveTimer = setTimeout(() => {
      this.liveTimer = undefined;
      const started = Date.now();
      this.sendSnapshot();
      this.lastLivePost = Date.now();
      this.lastLiveCost = this.lastLivePost - started;
    }, wait);
  }

  dispose(): void {
    if (this.liveTimer) clearTimeout(this.liveTimer);
    for (const d of this.subscriptions) d.dispose();
  }
}
