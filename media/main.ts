/**
 * Entry of the timeline viewer (bundled to dist/webview/main.js). Runs in a VS Code webview, where
 * the host sends messages after our `ready`, or in the standalone HTML export, where the trace is
 * embedded in the page. Everything that comes in is validated with parseHostMessage.
 */
import { parseHostMessage } from '../src/protocol/webview';
import { createHostBridge } from './hostBridge';
import { inspectionApi, testControls } from './testHooks';
import { TimelineApp } from './timelineApp';

function start(): void {
  const host = createHostBridge();
  const root = document.createElement('div');
  root.className = 'root';
  document.body.append(root);
  const app = new TimelineApp(root, host);
  // Read-only inspection always; the writable controls only once the host says it runs in test mode.
  const api = inspectionApi(app.internals());
  (window as unknown as { asyncTimeline: unknown }).asyncTimeline = api;

  window.addEventListener('message', (e: MessageEvent) => {
    const msg = parseHostMessage(e.data);
    if (!msg) {
      // Unknown or malformed: ignore (never trust the shape of what arrives).
      return;
    }
    if (msg.type === 'settings' && msg.testMode) Object.assign(api, testControls(app.internals()));
    app.handle(msg);
  });

  if (host.mode === 'vscode') {
    host.post({ type: 'ready' });
  } else {
    const msg = parseHostMessage({ type: 'trace', trace: host.embeddedTrace(), live: false });
    if (msg) app.handle(msg);
  }
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start, { once: true });
else start();
