// Shared by the browser tests and the bench: make sure Chromium exists, launch it headless,
// and open the built viewer in a page that mimics a VS Code webview.
/* global window */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { THEMES, themeCss } from './themes.mjs';

export const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
export const CHROMIUM = '/usr/bin/chromium';

/** Installs Debian's chromium when missing (CI runs on a fresh machine; we are root there). */
export function ensureChromium() {
  if (fs.existsSync(CHROMIUM)) return;
  console.log('chromium missing: installing it with apt-get');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '--no-install-recommends', 'chromium'], {
    stdio: 'inherit',
    env,
  });
}

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
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'at-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
    viewport,
    deviceScaleFactor,
  });
  return {
    context,
    async close() {
      await context.close();
      fs.rmSync(userDataDir, { recursive: true, force: true });
    },
  };
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
 * strict CSP with a nonce, a fake acquireVsCodeApi that records posted messages and state, and
 * the theme variables + body class VS Code would set.
 */
export function harnessPage({ theme = 'light', state = null, name = 'harness' } = {}) {
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
      postMessage: (m) => window.__posted.push(JSON.parse(JSON.stringify(m))),
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
  await page.waitForTimeout(100);
}

/** Posts a host message to the page and waits for the frame that shows it. */
export async function send(page, msg) {
  await page.evaluate(async (m) => {
    window.postMessage(m, '*');
    // Let the message event run, then wait for the frame it scheduled (if any).
    await new Promise((r) => window.setTimeout(r, 20));
    await Promise.race([window.asyncTimeline.nextFrame(), new Promise((r) => window.setTimeout(r, 500))]);
  }, msg);
}

export function fixture(name) {
  return JSON.parse(fs.readFileSync(path.join(ROOT, 'test/fixtures/traces', `${name}.json`), 'utf8'));
}
