// Shared by the browser tests and the bench: make sure Chromium exists, launch it headless,
// and open the built viewer in a page that mimics a VS Code webview.
/* global window */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureChromium, launchChromium } from '../helpers/chromium.mjs';
import { THEMES, themeCss } from './themes.mjs';

export const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');

/** Builds dist/webview when it is missing (running this file on its own, without `npm test`). */
export function ensureBuilt() {
  if (
    fs.existsSync(path.join(ROOT, 'dist/webview/main.js')) &&
    fs.existsSync(path.join(ROOT, 'dist/webview/main.css'))
  )
    return;
  execFileSync(process.execPath, ['esbuild.mjs'], { cwd: ROOT, stdio: 'inherit' });
}

/** Launches headless Chromium with a fresh profile; returns { context, close }. */
export async function launch({ deviceScaleFactor = 1, viewport = { width: 1200, height: 520 } } = {}) {
  ensureChromium();
  ensureBuilt();
  return launchChromium({ viewport, deviceScaleFactor });
}

let workDir = null;
/** A temp folder for harness pages (removed by cleanup()). */
export function tmp() {
  if (!workDir) workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'at-webview-'));
  return workDir;
}
export function cleanup() {
  if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
  workDir = null;
}

/**
 * Writes a page that loads dist/webview/main.{js,css} the way the extension's panel will: a
 * strict CSP with a nonce, a fake acquireVsCodeApi that records posted messages and state and
 * answers `ready` with the viewer's settings (test mode on by default, as the extension's test
 * runs), and the theme variables + body class VS Code would set.
 */
export function harnessPage({
  theme = 'light',
  state = null,
  name = 'harness',
  settings = { blockingThresholdMs: 50, testMode: true },
} = {}) {
  const dir = tmp();
  const nonce = 'dGVzdG5vbmNlMTIz';
  for (const t of Object.keys(THEMES)) fs.writeFileSync(path.join(dir, `theme-${t}.css`), themeCss(t));
  const dist = path.join(ROOT, 'dist/webview');
  const html = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src file:; img-src file: data:; font-src file:; script-src 'nonce-${nonce}';">
<link id="theme" rel="stylesheet" href="file://${dir}/theme-${theme}.css">
<link rel="stylesheet" href="file://${dist}/main.css">
</head>
<body class="${THEMES[theme].bodyClass}">
<script nonce="${nonce}">
  window.__posted = [];
  window.__csp = [];
  window.__state = ${JSON.stringify(state)};
  document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
  let acquired = false;
  window.acquireVsCodeApi = () => {
    if (acquired) throw new Error('acquireVsCodeApi called twice');
    acquired = true;
    return {
      postMessage: (m) => {
        window.__posted.push(JSON.parse(JSON.stringify(m)));
        // As the extension host does: the viewer's settings first on every ready (null: send none).
        const settings = ${JSON.stringify(settings)};
        if (m && m.type === 'ready' && settings) window.postMessage({ type: 'settings', ...settings }, '*');
      },
      getState: () => window.__state,
      setState: (s) => { window.__state = JSON.parse(JSON.stringify(s)); },
    };
  };
</script>
<script nonce="${nonce}" src="file://${dist}/main.js"></script>
</body>
</html>
`;
  const file = path.join(dir, `${name}.html`);
  fs.writeFileSync(file, html);
  return `file://${file}`;
}

/** Switches the harness page to another theme at run time (class + variables, as VS Code does). */
export async function setTheme(page, theme) {
  const dir = tmp();
  // VS Code rewrites the variables on <html>'s style and the body class; do the same.
  await page.evaluate(
    ({ vars, cls }) => {
      const root = window.document.documentElement;
      root.style.cssText = '';
      for (const [k, v] of Object.entries(vars)) root.style.setProperty(`--vscode-${k}`, v);
      window.document.body.className = cls;
    },
    { vars: THEMES[theme].vars, cls: THEMES[theme].bodyClass },
  );
  void dir;
  await settle(page);
}

/**
 * Waits until every frame the viewer has asked for so far is drawn: three animation frames (a redraw
 * requested from a ResizeObserver or an input event runs in the frame after the one it was asked in),
 * however long a loaded machine takes to produce them. No fixed sleeps: a test that reads the page
 * after this sees what the viewer drew. A page that stops producing frames fails the test.
 */
export async function settle(page) {
  await page.evaluate(() => {
    const frames = new Promise((resolve) => {
      let n = 0;
      const tick = () => (++n >= 3 ? resolve() : window.requestAnimationFrame(tick));
      window.requestAnimationFrame(tick);
    });
    let timer;
    const stuck = new Promise((_, reject) => {
      timer = window.setTimeout(() => reject(new Error('no animation frame for 30 s')), 30_000);
    });
    return Promise.race([frames, stuck]).finally(() => window.clearTimeout(timer));
  });
}

/**
 * Posts host messages to the page, waits until the viewer has handled them (its own message listener
 * was added first, so it has run once ours sees the last one), then until the frames they asked for
 * are drawn.
 */
export async function post(page, ...msgs) {
  await page.evaluate(
    (ms) =>
      new Promise((resolve) => {
        let seen = 0;
        const onMessage = () => {
          if (++seen < ms.length) return;
          window.removeEventListener('message', onMessage);
          resolve();
        };
        window.addEventListener('message', onMessage);
        for (const m of ms) window.postMessage(m, '*');
      }),
    msgs,
  );
  await settle(page);
}

/** Posts one host message to the page and waits for the frame that shows it. */
export const send = (page, msg) => post(page, msg);

export function fixture(name) {
  return JSON.parse(fs.readFileSync(path.join(ROOT, 'test/fixtures/traces', `${name}.json`), 'utf8'));
}
