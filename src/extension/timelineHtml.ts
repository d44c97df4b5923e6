/**
 * The one function that builds the timeline webview's HTML, for both the panel view and the
 * editor tab. Strict CSP: nothing by default; scripts only by a fresh nonce from `crypto`;
 * styles and fonts only from the webview's own resource origin (no inline styles); images from
 * that origin and data: URLs. No data goes into the HTML: the viewer posts `ready` and the host
 * answers with a snapshot.
 */
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';

/** The folder the viewer is built into; also the webview's only local resource root. */
export function webviewRoot(extensionUri: vscode.Uri): vscode.Uri {
  return vscode.Uri.joinPath(extensionUri, 'dist', 'webview');
}

/** Webview options shared by the panel view and the editor tab (no retainContextWhenHidden). */
export function timelineWebviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return { enableScripts: true, enableCommandUris: false, localResourceRoots: [webviewRoot(extensionUri)] };
}

/** Builds the HTML page that hosts dist/webview/main.js + main.css. */
export function buildTimelineHtml(
  webview: vscode.Webview,
  extensionUri: vscode.Uri,
  title = 'Async Timeline',
): string {
  const nonce = randomBytes(16).toString('base64');
  const root = webviewRoot(extensionUri);
  const script = webview.asWebviewUri(vscode.Uri.joinPath(root, 'main.js'));
  const style = webview.asWebviewUri(vscode.Uri.joinPath(root, 'main.css'));
  const csp = [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${webview.cspSource}`,
    `font-src ${webview.cspSource}`,
    `img-src ${webview.cspSource} data:`,
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<link rel="stylesheet" href="${esc(style.toString())}">
</head>
<body class="vscode">
<script nonce="${nonce}" src="${esc(script.toString())}"></script>
</body>
</html>
`;
}
