// The end-to-end test, as a user would do it: package the .vsix (`npm run package`), install it
// into code-server, open examples/workers.ts, click `▶ Run with Timeline` in headless Chromium,
// wait for the run, and check that the hints appear after the await lines and that the timeline
// view opened. Screenshots go to test-artifacts/vscode/ (look at them).
//
// Run on its own: `node test/integration/run.mjs --e2e-only`.
/* global document, getComputedStyle -- used inside page.evaluate (runs in the browser) */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { installVsix, launchBrowser, ROOT, startServer, workbenchUrl } from './codeServer.mjs';

const SHOTS = path.join(ROOT, 'test-artifacts', 'vscode');
/** How late a timer may fire on a loaded CI machine: an upper bound only catches a wrong unit or a hang. */
const LATE_MS = 5000;
const VSIX = path.join(ROOT, 'dist-vsix', 'async-timeline.vsix');

/** Runs the UI test; returns its step counts. */
export async function runUiTest() {
  console.log('end-to-end UI test in code-server (packaged .vsix, headless Chromium)');
  fs.mkdirSync(SHOTS, { recursive: true });
  for (const f of fs.readdirSync(SHOTS)) if (f.endsWith('.png')) fs.rmSync(path.join(SHOTS, f));
  let passed = 0;
  let failed = 0;
  let stopped = false;
  let page;
  const step = async (name, fn) => {
    if (stopped) {
      console.log(`  - ${name} (skipped)`);
      failed++;
      return;
    }
    const t = Date.now();
    try {
      await fn();
      passed++;
      console.log(`  ✔ ${name} (${Date.now() - t} ms)`);
    } catch (err) {
      failed++;
      stopped = true;
      console.log(
        `  ✘ ${name}: ${String(err?.message ?? err)
          .split('\n')
          .slice(0, 6)
          .join('\n    ')}`,
      );
      await page
        ?.screenshot({ path: path.join(SHOTS, `FAILED-${name.replace(/\W+/g, '_').slice(0, 60)}.png`) })
        .catch(() => {});
    }
  };
  const shot = (name) => page.screenshot({ path: path.join(SHOTS, name) });

  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'at-e2e-'));
  const extDir = path.join(work, 'extensions');
  const folder = path.join(work, 'project');
  let server;
  let browser;
  try {
    await step('npm run package builds the .vsix', async () => {
      fs.rmSync(VSIX, { force: true });
      const r = spawnSync('npm', ['run', '--silent', 'package'], {
        cwd: ROOT,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      if (r.status !== 0 || !fs.existsSync(VSIX))
        throw new Error(`npm run package failed:\n${r.stdout}\n${r.stderr}`);
      console.log(`    ${path.relative(ROOT, VSIX)}: ${(fs.statSync(VSIX).size / 1e6).toFixed(1)} MB`);
    });

    await step('the .vsix installs into code-server', async () => {
      installVsix(VSIX, extDir);
      const installed = fs.readdirSync(extDir).filter((d) => d.startsWith('async-timeline.async-timeline-'));
      if (installed.length !== 1)
        throw new Error(`installed extensions: ${fs.readdirSync(extDir).join(', ')}`);
      // The user's project: the worker example (from examples/, or the fixture copy).
      const source = fs.existsSync(path.join(ROOT, 'examples/workers.ts'))
        ? path.join(ROOT, 'examples/workers.ts')
        : path.join(ROOT, 'test/fixtures/workspace/workers.ts');
      fs.mkdirSync(path.join(folder, 'examples'), { recursive: true });
      fs.copyFileSync(source, path.join(folder, 'examples/workers.ts'));
      server = await startServer({
        folder,
        extensionsDir: extDir,
        settings: { 'workbench.colorTheme': 'Default Dark Modern', 'editor.fontSize': 14 },
      });
      browser = await launchBrowser({ width: 1600, height: 1000 });
      page = browser.page;
    });

    await step('open examples/workers.ts in the workbench', async () => {
      await page.goto(workbenchUrl(server));
      await page.locator('.monaco-workbench').waitFor({ timeout: 120_000 });
      await page
        .locator('.explorer-folders-view .monaco-list-row', { hasText: 'examples' })
        .first()
        .waitFor({ timeout: 60_000 });
      await page.keyboard.press('Control+P');
      await page.locator('.quick-input-widget .quick-input-box input').waitFor();
      await page.keyboard.type('workers.ts');
      await page
        .locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: 'workers.ts' })
        .first()
        .waitFor();
      await page.keyboard.press('Enter');
      await page.locator('.tabs-container .tab.active', { hasText: 'workers.ts' }).waitFor();
      await page.locator('.monaco-editor .view-lines').first().waitFor();
    });

    await step('the ▶ Run with Timeline CodeLens appears above the async functions', async () => {
      const lens = page.locator('.codelens-decoration a', { hasText: '▶ Run with Timeline' });
      await lens.first().waitFor({ timeout: 90_000 });
      const n = await lens.count();
      if (n < 4) throw new Error(`expected 4 run lenses (worker1, worker2, main, entry), saw ${n}`);
      await shot('01-workers-open-with-run-lenses.png');
    });

    await step('clicking the lens runs the file; the hints appear after the await lines', async () => {
      await page.locator('.codelens-decoration a', { hasText: '▶ Run with Timeline' }).first().click();
      // After-line hints are CSS-generated content; read them per editor line.
      const hints = async () =>
        page.evaluate(() => {
          const out = [];
          for (const line of document.querySelectorAll('.monaco-editor .view-lines .view-line')) {
            let hint = '';
            for (const el of line.querySelectorAll('span')) {
              for (const pseudo of ['::after', '::before']) {
                const c = getComputedStyle(el, pseudo).content;
                if (c && c !== 'none' && c !== 'normal' && c !== '""')
                  hint += JSON.parse(c.startsWith('"') ? c : JSON.stringify(c));
              }
            }
            out.push({ code: line.textContent.replace(/\u00a0/g, ' '), hint });
          }
          return out;
        });
      // How long an await waited, by its hint: timers never fire early (a little slack for the clock
      // they run on), but a loaded machine makes them late by any amount, so read the numbers.
      const waited = (hint) => {
        const m = /⏸ 1× · waited (\d+(?:\.\d+)?) (ms|s)/.exec(hint);
        return m ? Number(m[1]) * (m[2] === 's' ? 1000 : 1) : NaN;
      };
      const atLeast = (lo) => (hint) => waited(hint) >= lo && waited(hint) < lo + 100 + LATE_MS;
      const deadline = Date.now() + 60_000;
      let lines = [];
      const want = [
        // main parks at task1 after creating both workers and logging (slow on a loaded machine), then
        // at task2 for whatever is left of worker2's 2 s: neither has a lower bound of its own.
        [/await task1;/, (hint) => waited(hint) > 0],
        [/await task2;/, (hint) => waited(hint) > 0],
        [/await sleep\(1000\);/, atLeast(900)],
        [/await sleep\(2000\);/, atLeast(1900)],
        [/const task2 = worker2\(\);/, (hint) => /→ worker2 #\d+ · [\d.]+ ms → \d+ ms/.test(hint)],
      ];
      let missing = want;
      while (Date.now() < deadline) {
        lines = await hints();
        missing = want.filter(([code, ok]) => !lines.some((l) => code.test(l.code) && ok(l.hint)));
        if (missing.length === 0) break;
        await page.waitForTimeout(500);
      }
      const shown = lines.filter((l) => l.hint).map((l) => `${l.code.trim()}  ⟶  ${l.hint}`);
      console.log(`    hints on screen:\n      ${shown.join('\n      ')}`);
      if (missing.length) throw new Error(`missing hints for: ${missing.map(([c]) => c).join(', ')}`);
    });

    await step('after the run, summary lenses say what each function did', async () => {
      const lens = page.locator('.codelens-decoration a', { hasText: /1 call · 2 yields · waited/ });
      await lens.first().waitFor({ timeout: 20_000 });
    });

    await step('the timeline view opened in the panel and draws the trace', async () => {
      await page
        .locator('.part.panel .composite.title', { hasText: /Async Timeline/i })
        .first()
        .waitFor({ timeout: 20_000 });
      // A webview is <iframe class="webview ready"> (VS Code's host page) holding <iframe id="active-frame">
      // (our HTML, on its own origin). Find the one that shows the trace, then make sure it is on screen:
      // a painted timeline compresses to a much bigger PNG than an empty panel.
      const deadline = Date.now() + 40_000;
      let found = false;
      let box = null;
      let painted = 0;
      while (Date.now() < deadline) {
        for (const frame of page.frames()) {
          const text = await frame.evaluate(() => document.body?.innerText ?? '').catch(() => '');
          if (/worker1/.test(text) && /worker2/.test(text) && /main/.test(text)) found = true;
        }
        // The webview floats over the panel part: measure what the panel shows on screen.
        box = await page
          .locator('.part.panel')
          .first()
          .boundingBox()
          .catch(() => null);
        if (found && box && box.width > 200 && box.height > 100) {
          // Below the panel's tab strip: an empty panel is one flat colour (a PNG of ~1 KB).
          const body = { x: box.x, y: box.y + 40, width: box.width, height: box.height - 40 };
          painted = (await page.screenshot({ clip: body })).length;
          if (painted > 4000) break;
        }
        await page.waitForTimeout(500);
      }
      if (!found) box = null;
      if (!box) throw new Error('no visible timeline webview shows worker1, worker2 and main');
      if (painted <= 4000)
        throw new Error(
          `the timeline webview is on the page but looks empty (${painted}-byte PNG of ${Math.round(box.width)}×${Math.round(box.height)} px)`,
        );
      console.log(
        `    timeline view at ${Math.round(box.x)},${Math.round(box.y)} ${Math.round(box.width)}×${Math.round(box.height)} px, painted (${painted}-byte PNG)`,
      );
      await shot('02-after-run-hints-lenses-timeline.png');
    });

    await step('hovering an await line shows the suspension table', async () => {
      const line = page.locator('.monaco-editor .view-lines .view-line', { hasText: 'await task1;' }).first();
      const box = await line.boundingBox();
      await page.mouse.move(box.x + 40, box.y + box.height / 2);
      const hover = page.locator('.monaco-hover', { hasText: 'Show in timeline' }).first();
      await hover.waitFor({ timeout: 15_000 });
      const text = await hover.innerText();
      if (!/resumed by/.test(text) || !/worker1/.test(text))
        throw new Error(`hover text: ${text.slice(0, 300)}`);
      await shot('03-hover-table.png');
    });

    await step('Show Timeline opens the viewer as an editor tab', async () => {
      await page.mouse.move(5, 5);
      await page.keyboard.press('Escape');
      await page.keyboard.press('Control+Shift+P');
      await page.locator('.quick-input-widget .quick-input-box input').waitFor();
      await page.keyboard.type('Async Timeline: Show Timeline');
      await page
        .locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: 'Show Timeline' })
        .first()
        .waitFor();
      await page.keyboard.press('Enter');
      await page
        .locator('.tabs-container .tab', { hasText: 'Async Timeline' })
        .first()
        .waitFor({ timeout: 20_000 });
      await page.waitForTimeout(1500);
      await shot('04-timeline-editor-tab.png');
    });
  } finally {
    await browser?.close();
    await server?.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
  console.log(
    `end-to-end: ${passed} passed, ${failed} failed; screenshots in ${path.relative(ROOT, SHOTS)}/`,
  );
  return { passed, failed };
}
