// The end-to-end test, as a user would do it: package the .vsix (`npm run package`), install it
// into code-server, open examples/workers.ts, click `▶ Run with Timeline` in headless Chromium,
// wait for the run, and check that the hints appear after the await lines and that the timeline
// view opened; open its Steps pane and step through the run with the keyboard: the editor follows
// each step to its line while the focus stays in the viewer. Then the run UI, on a program that never ends (hang.ts): the editor title's ▶ turns
// into ■ while it runs, the status bar item ticks and stops the run when clicked, the progress
// notification shows after 2 s and its Cancel stops the run; the trace stays in the viewer. This
// server runs without the smoke-test driver, so notifications are real toasts (the suite's server
// hides them). Screenshots go to test-artifacts/vscode/ (look at them).
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
/** The run's status bar item: VS Code gives an extension's item the id `<extension id>.<item id>`. */
const RUN_ITEM = '[id="async-timeline.async-timeline.asyncTimeline.run"]';
/** The run controller's PROGRESS_AFTER_MS: runs longer than this get a progress notification. */
const PROGRESS_AFTER_MS = 2000;

/** Polls `fn` until it returns a truthy value; throws after `timeoutMs` (generous: a loaded 2-core machine). */
async function waitFor(what, fn, timeoutMs = 60_000) {
  const end = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** A duration as the extension prints it (`1.0 ms`, `205 ms`, `1.02 s`, `12.3 s`), in ms. */
function parseDuration(text) {
  const m = /^(\d+(?:\.\d+)?) (ms|s)$/.exec(text.trim());
  if (!m) throw new Error(`not a duration: ${JSON.stringify(text)}`);
  return Number(m[1]) * (m[2] === 's' ? 1000 : 1);
}

/** Runs the UI test; returns its step counts. */
export async function runUiTest() {
  console.log('end-to-end UI test in code-server (packaged .vsix, headless Chromium)');
  fs.mkdirSync(SHOTS, { recursive: true });
  for (const f of fs.readdirSync(SHOTS)) if (f.endsWith('.png')) fs.rmSync(path.join(SHOTS, f));
  let passed = 0;
  let failed = 0;
  let stopped = false;
  let page;
  // ASYNC_TIMELINE_E2E_ONLY=<regex> narrows the run to the matching steps (plus the set-up ones) while
  // working on one of them; a filtered step neither passes nor fails.
  const only = process.env.ASYNC_TIMELINE_E2E_ONLY ? new RegExp(process.env.ASYNC_TIMELINE_E2E_ONLY) : null;
  const SETUP = new Set([
    'npm run package builds the .vsix',
    'the .vsix installs into code-server',
    'open examples/workers.ts in the workbench',
  ]);
  const step = async (name, fn) => {
    if (only && !SETUP.has(name) && !only.test(name)) {
      console.log(`  - ${name} (filtered out)`);
      return;
    }
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
  /** Quick Open (`Control+P`) or the palette (`Control+Shift+P`): type, wait for the row, Enter. */
  const quickPick = async (keys, text, row) => {
    await page.keyboard.press(keys);
    await page.locator('.quick-input-widget .quick-input-box input').waitFor();
    await page.keyboard.type(text);
    await page
      .locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: row })
      .first()
      .waitFor();
    await page.keyboard.press('Enter');
  };
  /**
   * The timeline viewers showing `entry` (webviews: nested iframes of the workbench), each as its frame
   * and toolbar summary (`1 task · 4.12 s · stopped`, `live · …` while running). The lanes are drawn on a
   * canvas, and the workbench's own text (the editor shows the same names) must not count.
   */
  const viewers = async (entry) => {
    const found = [];
    for (const frame of page.frames()) {
      if (frame === page.mainFrame()) continue;
      const bar = await frame
        .evaluate(() => ({
          title: document.querySelector('.toolbar .title')?.textContent ?? null,
          summary: document.querySelector('.toolbar .summary')?.textContent ?? null,
        }))
        .catch(() => null);
      if (bar?.title === entry && bar.summary) found.push({ frame, summary: bar.summary });
    }
    return found;
  };
  /** The task names in a viewer's task table (the accessible alternative to its canvas lanes), by clicking Table. */
  const viewerTasks = async (frame) => {
    const toggle = frame.locator('button[aria-label^="Show the task table"]');
    const wasOn = (await toggle.getAttribute('aria-pressed')) === 'true';
    if (!wasOn) await toggle.click();
    const names = frame.locator('section[aria-label="Task table"] tbody th button');
    await names.first().waitFor({ timeout: 20_000 });
    const tasks = await names.allInnerTexts();
    if (!wasOn) await toggle.click();
    return tasks;
  };
  /** How big a PNG the panel's body (below its tab strip) makes: an empty panel is one flat colour (~1 KB). */
  const panelPaint = async () => {
    const box = await page
      .locator('.part.panel')
      .first()
      .boundingBox()
      .catch(() => null);
    if (!box || box.width <= 200 || box.height <= 100) return { box, bytes: 0 };
    const body = { x: box.x, y: box.y + 40, width: box.width, height: box.height - 40 };
    return { box, bytes: (await page.screenshot({ clip: body })).length };
  };
  // The run UI: the editor title's ▶/■ buttons (in the active editor group) and the status bar item.
  const titleButton = (label) =>
    page.locator(`.editor-group-container.active .editor-actions .action-label[aria-label^="${label}"]`);
  const runButton = () => titleButton('Run Current File with Timeline');
  const stopButton = () => titleButton('Stop Run');
  const titleButtons = async () => ({ run: await runButton().count(), stop: await stopButton().count() });
  const runItem = () => page.locator(RUN_ITEM);
  /** The elapsed time the run item shows for hang.ts (`$(debug-stop) hang.ts 3.84 s`), in ms; null when absent. */
  const runItemElapsed = async () => {
    if ((await runItem().count()) === 0) return null;
    const text = await runItem()
      .innerText({ timeout: 2000 })
      .catch(() => '');
    const m = /^\s*hang\.ts (\d+(?:\.\d+)? m?s)\s*$/.exec(text);
    return m ? parseDuration(m[1]) : null;
  };
  /** Once a run ends, the CodeLens offers ▶ Run again instead of ■ Stop Run. */
  const lensesBackToRun = () =>
    waitFor('the CodeLens to offer ▶ Run with Timeline again (no ■ Stop Run)', async () => {
      const lens = (text) => page.locator('.codelens-decoration a', { hasText: text }).count();
      return (await lens('Stop Run')) === 0 && (await lens('▶ Run with Timeline')) > 0;
    });
  const progressToast = () =>
    page.locator('.notifications-toasts .notification-toast', {
      hasText: 'Async Timeline: running hang.ts',
    });
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
      // The seed's Python program (traced with python3 on PATH, when there is one).
      if (fs.existsSync(path.join(ROOT, 'examples/python/workers.py'))) {
        fs.mkdirSync(path.join(folder, 'examples/python'), { recursive: true });
        fs.copyFileSync(
          path.join(ROOT, 'examples/python/workers.py'),
          path.join(folder, 'examples/python/workers.py'),
        );
      }
      // A program that never ends, for the run UI: only a Stop can end it (the timeout is 120 s).
      fs.copyFileSync(path.join(ROOT, 'test/fixtures/workspace/hang.ts'), path.join(folder, 'hang.ts'));
      // A node:test file in TypeScript (▶ Trace test) and a package.json with scripts (Trace npm Script…).
      fs.copyFileSync(
        path.join(ROOT, 'test/fixtures/workspace/math.test.ts'),
        path.join(folder, 'math.test.ts'),
      );
      fs.writeFileSync(
        path.join(folder, 'package.json'),
        JSON.stringify(
          { name: 'e2e-project', private: true, scripts: { workers: 'node examples/workers.ts' } },
          null,
          2,
        ),
      );
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
      await quickPick('Control+P', 'workers.ts', 'workers.ts');
      await page.locator('.tabs-container .tab.active', { hasText: 'workers.ts' }).waitFor();
      await page.locator('.monaco-editor .view-lines').first().waitFor();
    });

    await step('the ▶ Run with Timeline CodeLens appears above the async functions', async () => {
      const lens = page.locator('.codelens-decoration a', { hasText: '▶ Run with Timeline' });
      // VS Code redraws the lenses when the provider refreshes (the workbench busy analysing the file
      // on a loaded machine): one look right after the first lens showed can find none. Poll the count.
      let n = 0;
      await waitFor(
        '4 run lenses (worker1, worker2, main, entry)',
        async () => (n = await lens.count()) >= 4,
        90_000,
      ).catch(() => {
        throw new Error(`expected 4 run lenses (worker1, worker2, main, entry), saw ${n}`);
      });
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
        const shown = await viewers('examples/workers.ts');
        found = shown.some((v) => /^3 tasks · .* · exit 0$/.test(v.summary));
        // The webview floats over the panel part: measure what the panel shows on screen.
        ({ box, bytes: painted } = await panelPaint());
        if (found && painted > 4000) break;
        await page.waitForTimeout(500);
      }
      if (!found) box = null;
      if (!box)
        throw new Error('no visible timeline webview shows the 3 tasks of examples/workers.ts, exit 0');
      if (painted <= 4000)
        throw new Error(
          `the timeline webview is on the page but looks empty (${painted}-byte PNG of ${Math.round(box.width)}×${Math.round(box.height)} px)`,
        );
      console.log(
        `    timeline view at ${Math.round(box.x)},${Math.round(box.y)} ${Math.round(box.width)}×${Math.round(box.height)} px, painted (${painted}-byte PNG)`,
      );
      await shot('02-after-run-hints-lenses-timeline.png');
    });

    await step(
      'the Steps pane walks through the run like a replay; the editor follows each step',
      async () => {
        const [viewer] = await viewers('examples/workers.ts');
        if (!viewer) throw new Error('no timeline viewer shows examples/workers.ts');
        const f = viewer.frame;
        await f.locator('button[aria-label^="Show the run step by step"]').click();
        const list = f.locator('[role="listbox"][aria-label^="Steps of the run"]');
        const options = list.locator('[role="option"]');
        await options.first().waitFor({ timeout: 20_000 });
        const count = await options.count();
        if (count < 8) throw new Error(`expected the workers run told in at least 8 steps, saw ${count}`);
        await list.focus();
        // The editor's cursor line, as its status bar says it (`Ln 22, Col 3`): the reveal sets the selection.
        const editorLine = async () => {
          const text = await page
            .locator('[id="status.editor.selection"]')
            .innerText({ timeout: 2000 })
            .catch(() => '');
          const m = /Ln (\d+)/.exec(text);
          return m ? Number(m[1]) : null;
        };
        const current = () =>
          f.evaluate(() => {
            const el = document.querySelector('[role="option"][aria-current="step"]');
            return el
              ? { n: el.querySelector('.steps-n')?.textContent ?? '', text: el.textContent ?? '' }
              : null;
          });
        const seen = [];
        for (let i = 0; i < 6; i++) {
          const before = await current();
          await page.keyboard.press('ArrowRight');
          const now = await waitFor('the cursor to move to the next step', async () => {
            const c = await current();
            return c && c.n !== before?.n ? c : null;
          });
          // A step with a site moves the editor to that line (one the sentence names); a step without
          // one (the loop idle, the run's end) leaves the editor where it was. The viewer keeps the focus.
          const lines = [...now.text.matchAll(/\bL(\d+)\b/g)].map((m) => Number(m[1]));
          const was = await editorLine();
          const line = await waitFor(
            `the editor to stay or move to a line step ${now.n} names (${lines.join(', ')})`,
            async () => {
              const l = await editorLine();
              return l !== null && lines.includes(l) ? l : null;
            },
            5000,
          ).catch(async (err) => {
            if ((await editorLine()) !== was) throw err;
            return null;
          });
          if (line !== null) seen.push(`${now.n}→L${line}`);
          const focus = await f.evaluate(() => document.activeElement?.getAttribute('role') ?? null);
          if (focus !== 'listbox')
            throw new Error(`after step ${now.n} the focus left the steps list (${focus})`);
        }
        if (new Set(seen.map((s) => s.split('→')[1])).size < 2)
          throw new Error(`the editor followed the steps to fewer than 2 lines: ${seen.join(' ')}`);
        console.log(`    steps ${count}; editor followed: ${seen.join(' ')}`);
        await shot('02b-steps-pane-editor-follows.png');
      },
    );

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
      await quickPick('Control+Shift+P', 'Async Timeline: Show Timeline', 'Show Timeline');
      await page
        .locator('.tabs-container .tab', { hasText: 'Async Timeline' })
        .first()
        .waitFor({ timeout: 20_000 });
      await page.waitForTimeout(1500);
      await shot('04-timeline-editor-tab.png');
    });

    // The run UI while a program runs, on hang.ts (never ends: only a Stop ends it, so the run
    // cannot end on its own and pass for stopped).
    await step('idle: the editor title shows ▶ Run, no ■ Stop, no run item in the status bar', async () => {
      await page.keyboard.press('Escape');
      await quickPick('Control+P', 'hang.ts', 'hang.ts');
      await page.locator('.editor-group-container.active .tab.active', { hasText: 'hang.ts' }).waitFor();
      const buttons = await waitFor('▶ and no ■ in the editor title', async () => {
        const b = await titleButtons();
        return b.run === 1 && b.stop === 0 && b;
      });
      if ((await runItem().count()) !== 0) throw new Error('a run item is in the status bar before any run');
      console.log(`    editor title: ${JSON.stringify(buttons)}`);
    });

    let firstSummary = '';
    await step(
      '▶ in the editor title runs the file: ■ Stop replaces it, the status bar ticks, its hover says click to stop',
      async () => {
        await runButton().click();
        await waitFor('■ Stop (and no ▶) in the editor title while running', async () => {
          const b = await titleButtons();
          return b.run === 0 && b.stop === 1;
        });
        // Read the elapsed time twice: it grows while the program runs (the item ticks every 200 ms).
        const first = await waitFor('the run item with hang.ts and an elapsed time', runItemElapsed);
        const later = await waitFor('the elapsed time to grow by 1 s', async () => {
          const ms = await runItemElapsed();
          return ms !== null && ms >= first + 1000 && ms;
        });
        console.log(`    status bar: hang.ts ${first} ms, then ${later} ms`);
        const aria = (await runItem().getAttribute('aria-label')) ?? '';
        // What a screen reader says: the file, the time, what a click does — not the icon's name.
        if (!/^Async Timeline: running hang\.ts, \d+(\.\d+)? m?s\. Click to stop\.$/.test(aria))
          throw new Error(`run item aria-label: ${aria}`);
        await runItem().hover();
        const hover = page.locator('.workbench-hover', { hasText: 'click to stop' }).first();
        await hover.waitFor({ timeout: 20_000 });
        const tip = (await hover.innerText()).trim();
        if (tip !== `Async Timeline: running ${path.join(folder, 'hang.ts')} — click to stop`)
          throw new Error(`run item tooltip: ${tip}`);
        console.log(`    tooltip: ${tip}`);
        await page
          .locator('.part.statusbar')
          .screenshot({ path: path.join(SHOTS, '05-status-bar-running.png') });
        await shot('06-running-stop-button-and-status-item.png');
      },
    );

    await step(
      'clicking the status bar item stops the run: item and ■ go, ▶ comes back, the timeline keeps the lanes',
      async () => {
        await runItem().click();
        // "stopped …" is a 5-second status bar message: note it if seen, the viewer's summary is the proof.
        let message = '';
        const stoppedMessage = page.locator('.part.statusbar .statusbar-item', {
          hasText: /Async Timeline: stopped hang\.ts after/,
        });
        await waitFor(
          'the run item and ■ to go, ▶ to come back, the progress notification to close',
          async () => {
            if (!message && (await stoppedMessage.count()))
              message = await stoppedMessage.first().innerText();
            const b = await titleButtons();
            return (
              (await runItem().count()) === 0 &&
              b.run === 1 &&
              b.stop === 0 &&
              (await progressToast().count()) === 0
            );
          },
        );
        console.log(`    status bar message: ${message || '(not caught in its 5 s)'}`);
        // The trace is kept: the viewers say the run was stopped, and still have waitForever's lane.
        const stopped = await waitFor('a timeline viewer showing hang.ts as stopped', async () =>
          (await viewers('hang.ts')).find((v) => /^1 task · .* · stopped$/.test(v.summary)),
        );
        firstSummary = stopped.summary;
        const tasks = await viewerTasks(stopped.frame);
        if (tasks.length !== 1 || !/^waitForever\b/.test(tasks[0]))
          throw new Error(`task table after the stop: ${tasks.join(', ')}`);
        const { bytes } = await waitFor('the panel to draw the stopped trace', async () => {
          const p = await panelPaint();
          return p.bytes > 4000 && p;
        });
        console.log(
          `    timeline: "${firstSummary}", lanes: ${tasks.join(', ')}; panel painted (${bytes}-byte PNG)`,
        );
        await lensesBackToRun();
        await shot('07-stopped-timeline-keeps-lanes.png');
      },
    );

    await step(
      `a run longer than ${PROGRESS_AFTER_MS} ms gets a progress notification; its Cancel stops the run`,
      async () => {
        // Reading the task table clicked into a viewer, which may be the editor tab: back to hang.ts.
        await page.locator('.tabs-container .tab', { hasText: 'hang.ts' }).first().click();
        await page.locator('.editor-group-container.active .tab.active', { hasText: 'hang.ts' }).waitFor();
        await waitFor('▶ in the editor title', async () => (await titleButtons()).run === 1);
        const clicked = Date.now();
        await runButton().click();
        await waitFor('■ Stop in the editor title', async () => (await titleButtons()).stop === 1);
        await progressToast().first().waitFor({ timeout: 60_000 });
        const after = Date.now() - clicked;
        // The extension's timer starts after our click reaches it, so it cannot show earlier than this.
        if (after < PROGRESS_AFTER_MS)
          throw new Error(`the progress notification showed ${after} ms after the click`);
        if ((await runItem().count()) === 0) throw new Error('progress notification without a running run');
        const cancel = progressToast()
          .first()
          .locator('.monaco-button', { hasText: /^Cancel$/ });
        await cancel.waitFor({ timeout: 10_000 });
        console.log(
          `    "${(await progressToast().first().locator('.notification-list-item-message').innerText()).trim()}" with Cancel, seen ${after} ms after the click`,
        );
        // Outlast the first run before cancelling, so this run's summary cannot equal the first one's.
        const firstMs = parseDuration(/· (\d+(?:\.\d+)? m?s) ·/.exec(firstSummary)[1]);
        await waitFor('this run to outlast the first', async () => (await runItemElapsed()) > firstMs + 1000);
        await shot('08-progress-notification.png');
        await cancel.click();
        await waitFor('the notification, the run item and ■ to go, ▶ to come back', async () => {
          const b = await titleButtons();
          return (
            (await progressToast().count()) === 0 &&
            (await runItem().count()) === 0 &&
            b.run === 1 &&
            b.stop === 0
          );
        });
        const { summary } = await waitFor('a viewer to show this run as stopped', async () =>
          (await viewers('hang.ts')).find(
            (v) => v.summary !== firstSummary && /^1 task · .* · stopped$/.test(v.summary),
          ),
        );
        console.log(`    timeline: "${summary}" (first run: "${firstSummary}")`);
        await lensesBackToRun();
        await shot('09-cancelled-run.png');
      },
    );

    // Tracing the way people run code: one test of a node:test file, and an npm script.
    await step(
      '▶ Trace test on a node:test file runs only that test: its lanes and its result in the timeline',
      async () => {
        await page.keyboard.press('Escape');
        await quickPick('Control+P', 'math.test.ts', 'math.test.ts');
        await page.locator('.tabs-container .tab.active', { hasText: 'math.test.ts' }).waitFor();
        const lens = page.locator('.codelens-decoration a', { hasText: '▶ Trace test' });
        await waitFor(
          'a ▶ Trace test lens above each of the two tests',
          async () => (await lens.count()) === 2,
          90_000,
        );
        await shot('12-test-file-with-trace-test-lenses.png');
        // The first lens is the one above `test('loads a user', …)`.
        await lens.first().click();
        const title = 'test "loads a user" (node:test)';
        const viewer = await waitFor(`a viewer titled ${title}, exit 0`, async () =>
          (await viewers(title)).find((v) => /· exit 0$/.test(v.summary)),
        );
        const tasks = await viewerTasks(viewer.frame);
        if (!tasks.some((t) => /^fetchUser\b/.test(t)) || tasks.some((t) => /^fetchOrder\b/.test(t)))
          throw new Error(`lanes of the traced test: ${tasks.join(', ')} (want fetchUser, not fetchOrder)`);
        console.log(`    timeline "${title}": ${viewer.summary}; lanes: ${tasks.join(', ')}`);
        await waitFor('the panel to draw the test run', async () => (await panelPaint()).bytes > 4000);
        await shot('13-trace-test-timeline.png');
      },
    );

    await step('Trace npm Script… from the palette lists the scripts and traces the picked one', async () => {
      await page.keyboard.press('Escape');
      await quickPick('Control+Shift+P', 'Async Timeline: Trace npm Script', 'Trace npm Script');
      const row = page.locator('.quick-input-widget .quick-input-list .monaco-list-row', {
        hasText: 'workers',
      });
      await row.first().waitFor({ timeout: 20_000 });
      await shot('14-npm-script-pick.png');
      await row.first().click();
      const viewer = await waitFor('a viewer titled npm run workers, exit 0', async () =>
        (await viewers('npm run workers')).find((v) => /· exit 0$/.test(v.summary)),
      );
      const tasks = await viewerTasks(viewer.frame);
      if (!['main', 'worker1', 'worker2'].every((n) => tasks.some((t) => t.startsWith(n))))
        throw new Error(`lanes of npm run workers: ${tasks.join(', ')}`);
      console.log(`    timeline "npm run workers": ${viewer.summary}; lanes: ${tasks.join(', ')}`);
      await shot('15-npm-script-timeline.png');
    });

    // Python: the same path for a .py file (lenses from the interpreter's ast, the tracer in dist/pyruntime).
    const havePython =
      spawnSync('python3', ['-c', 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)']).status ===
      0;
    if (!havePython) console.log('  - Python steps skipped: no python3 3.11+ on PATH');
    else {
      await step(
        'open examples/python/workers.py: ▶ Run lenses above each async def and asyncio.run',
        async () => {
          await page.keyboard.press('Escape');
          await quickPick('Control+P', 'python/workers.py', 'workers.py');
          await page.locator('.tabs-container .tab.active', { hasText: 'workers.py' }).waitFor();
          const lens = page.locator('.codelens-decoration a', { hasText: '▶ Run with Timeline' });
          await waitFor(
            '4 run lenses (worker_1, worker_2, main, asyncio.run)',
            async () => (await lens.count()) >= 4,
            90_000,
          );
          await shot('10-python-open-with-run-lenses.png');
        },
      );

      await step(
        'clicking the lens traces the Python program: hints on the await and create_task lines, the timeline',
        async () => {
          // The active group's lens: math.test.ts, from the Trace test step, may still show its own in another group.
          await page
            .locator('.editor-group-container.active .codelens-decoration a', {
              hasText: '▶ Run with Timeline',
            })
            .first()
            .click();
          const hintOn = async (text) =>
            page.evaluate((t) => {
              for (const line of document.querySelectorAll('.monaco-editor .view-lines .view-line')) {
                if (!line.textContent.replace(/\u00a0/g, ' ').includes(t)) continue;
                let hint = '';
                for (const el of line.querySelectorAll('span')) {
                  const c = getComputedStyle(el, '::after').content;
                  if (c && c !== 'none' && c !== 'normal' && c !== '""')
                    hint += JSON.parse(c.startsWith('"') ? c : JSON.stringify(c));
                }
                return hint;
              }
              return '';
            }, text);
          const sleep1 = await waitFor('a hint after `await asyncio.sleep(1)`', async () => {
            const h = await hintOn('await asyncio.sleep(1)');
            return /⏸ 1× · waited/.test(h) && h;
          });
          const create = await waitFor('a hint after `task1 = asyncio.create_task(worker_1())`', async () => {
            const h = await hintOn('task1 = asyncio.create_task(worker_1())');
            return /→ worker_1 #\d+/.test(h) && h;
          });
          console.log(`    hints: "${sleep1}" · "${create}"`);
          await waitFor('a viewer showing the 3 tasks of examples/python/workers.py', async () =>
            (await viewers('examples/python/workers.py')).some((v) =>
              /^3 tasks · .* · exit 0$/.test(v.summary),
            ),
          );
          const [viewer] = await viewers('examples/python/workers.py');
          const tasks = await viewerTasks(viewer.frame);
          if (!['main', 'worker_1', 'worker_2'].every((n) => tasks.some((t) => t.startsWith(n))))
            throw new Error(`viewer tasks: ${tasks.join(', ')}`);
          await shot('11-python-after-run.png');
        },
      );
    }
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
