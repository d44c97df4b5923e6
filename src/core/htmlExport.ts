import type { Trace } from '../protocol/trace';

/** The id of the `<script type="application/json">` block the standalone viewer reads its trace from. */
export const EMBEDDED_TRACE_ID = 'async-timeline-trace';

/** The built viewer, as text: `dist/webview/main.js` and `dist/webview/main.css`. */
export interface ViewerAssets {
  js: string;
  css: string;
}

/**
 * Builds a self-contained HTML file: the viewer's JS and CSS inlined, the trace embedded as data,
 * openable from disk in any browser with no network.
 *
 * Safety: the trace is untrusted text (task names, file names and program output can contain
 * anything). It goes into a `<script type="application/json">` block, which the browser never
 * executes, and every `<`, `>` and `&` in the JSON is written as a `\u00XX` escape, so no
 * `</script>` or `<!--` can appear inside the block; JSON.parse restores the characters. The
 * inlined code gets the same treatment for `</script` / `</style`. A strict CSP allows only this
 * file's own script and style (by nonce), images from data: URLs, nothing remote.
 */
export function buildStandaloneHtml(trace: Trace, assets: ViewerAssets, nonce: string = makeNonce()): string {
  const data = JSON.stringify(trace).replace(
    /[<>&\u2028\u2029]/g,
    (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'),
  );
  const js = assets.js.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
  const css = assets.css.replace(/<\/(style|script)/gi, '<\\/$1');
  const csp = [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src 'nonce-${nonce}'`,
    'img-src data:',
    'font-src data:',
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  const title = escapeHtml(`Async Timeline — ${trace.entry}`);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>${title}</title>
<style nonce="${nonce}">
${css}
</style>
</head>
<body class="standalone">
<script id="${EMBEDDED_TRACE_ID}" type="application/json">${data}</script>
<script nonce="${nonce}">
${js}
</script>
</body>
</html>
`;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** 128 random bits, base64: a CSP nonce. Uses Web Crypto (global in Node 20 and browsers). */
function makeNonce(): string {
  const c = (globalThis as { crypto?: { getRandomValues<T extends Uint8Array>(a: T): T } }).crypto;
  const bytes = new Uint8Array(16);
  if (c) c.getRandomValues(bytes);
  else for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(Math.random() * 256);
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}
