// Browser tests of the built timeline viewer (dist/webview) in headless Chromium.
// `node test/webview/run.mjs` — ends with "N passed, M failed"; exit code 1 on failure.
// Screenshots go to test-artifacts/webview/ (look at them: this is the product's face).
/* global window, document, getComputedStyle, structuredClone */
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import {
  cleanup,
  fixture,
  harnessPage,
  launch,
  post,
  ROOT,
  send,
  setTheme,
  settle,
  tmp,
} from './harness.mjs';

const require = createRequire(import.meta.url);
const ART = path.join(ROOT, 'test-artifacts/webview');
fs.mkdirSync(ART, { recursive: true });

/** The compiled exporter (npm test compiles it to out/); bundled on the fly when run on its own. */
async function loadHtmlExport() {
  const compiled = path.join(ROOT, 'out/src/core/htmlExport.js');
  if (fs.existsSync(compiled)) return require(compiled);
  const esbuild = await import('esbuild');
  const outfile = path.join(tmp(), 'htmlExport.cjs');
  await esbuild.build({
    entryPoints: [path.join(ROOT, 'src/core/htmlExport.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    outfile,
    logLevel: 'silent',
  });
  return require(outfile);
}

const tests = [];
const test = (name, fn) => tests.push({ name, fn });
function assert(cond, msg) {
  if (!cond) throw new Error(msg);
}
function eq(a, b, msg) {
  const sa = JSON.stringify(a);
  const sb = JSON.stringify(b);
  if (sa !== sb) throw new Error(`${msg}: expected ${sb}, got ${sa}`);
}

const browser = await launch({ deviceScaleFactor: 2 });
const errors = [];

/** Opens the harness with a trace loaded; returns the page. */
async function open(trace, opts = {}) {
  const page = await browser.context.newPage();
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  await page.goto(harnessPage(opts));
  await page.waitForFunction(() => window.__posted?.some((m) => m.type === 'ready'));
  if (trace) await send(page, { type: 'trace', trace, live: false });
  return page;
}
const api = (page, expr, arg) => page.evaluate(expr, arg);
const rows = (page) =>
  api(page, () => window.asyncTimeline.rows().map((r) => `${'  '.repeat(r.depth)}${r.name}`));
const vp = (page) => api(page, () => window.asyncTimeline.viewport());
const posted = (page) => api(page, () => window.__posted);
const pointOf = (page, taskId, seg) =>
  api(page, ([t, s]) => window.asyncTimeline.pointOf(t, s), [taskId, seg]);
/** Until whatever the viewer was asked to draw is on the canvas (no fixed sleeps: see settle). */
const frame = settle;
/** Waits (generously: the machine may be loaded) until `fn(arg)` is true in the page; fails with `what`. */
async function until(page, fn, arg, what) {
  await page.waitForFunction(fn, arg, { timeout: 30_000 }).catch((e) => {
    throw new Error(`${what} (${String(e.message).split('\n')[0]})`);
  });
}
async function shot(page, name) {
  await frame(page);
  await page.screenshot({ path: path.join(ART, `${name}.png`) });
}

test('posts ready first, then draws one lane per task nested under its creator', async () => {
  const page = await open(fixture('workers'));
  const p = await posted(page);
  eq(p[0], { type: 'ready' }, 'first message');
  eq(await rows(page), ['main', '  worker1', '  worker2'], 'lanes');
  const v = await vp(page);
  // Fit: the whole 2 s run spans the plot.
  assert(
    v.start < 0 && v.start + (v.width - v.gutter) * v.msPerPx > 2002,
    `fit viewport ${JSON.stringify(v)}`,
  );
  assert((await api(page, () => window.asyncTimeline.frames())) > 0, 'drew frames');
  // devicePixelRatio 2: the backing store has twice the CSS size, so lines and text stay crisp.
  const dims = await page.$eval('canvas', (c) => [c.width, c.height, c.clientWidth, c.clientHeight]);
  assert(
    Math.abs(dims[0] - 2 * dims[2]) <= 1 && Math.abs(dims[1] - 2 * dims[3]) <= 1,
    `backing store ${dims}`,
  );
  await shot(page, 'workers-light');
  await page.close();
});

test('the accessible table lists the same facts and selects lanes', async () => {
  const page = await open(fixture('workers'));
  await page.getByRole('button', { name: /task table/i }).click();
  await page.waitForSelector('table.tasks tbody tr');
  const cells = await page.$$eval('table.tasks tbody tr', (trs) =>
    trs.map((tr) => [...tr.children].map((c) => c.textContent)),
  );
  eq(cells.length, 3, 'table rows');
  assert(cells[0][0] === 'main (#1)' && cells[0][1] === 'top level', `main row ${cells[0]}`);
  assert(cells[1][0] === 'worker1 (#2)' && cells[1][1] === 'main (#1)', `worker1 row ${cells[1]}`);
  assert(/fulfilled at 1\.0011 s/.test(cells[1][3]), `worker1 outcome ${cells[1][3]}`);
  assert(/longest 1\.00 s at workers\.ts:22:3 on worker1/.test(cells[0][6]), `main waits ${cells[0][6]}`);
  const headers = await page.$$eval('table.tasks thead th', (ths) => ths.map((t) => t.textContent));
  eq(headers[0], 'Task', 'header');
  await page.getByRole('button', { name: 'worker2 (#3)' }).click();
  eq((await api(page, () => window.asyncTimeline.selection())).taskId, 3, 'selected from table');
  assert(
    (await page.$eval('tr.selected', (tr) => tr.getAttribute('data-task-id'))) === '3',
    'row marked selected',
  );
  await page.close();
});

test('hovering a suspended segment shows task, state, start, duration, await site and what it waited on', async () => {
  const page = await open(fixture('workers'));
  const pt = await pointOf(page, 1, 1);
  await page.mouse.move(pt.x, pt.y);
  await page.waitForSelector('.tooltip:not([hidden])');
  const text = await page.$eval('.tooltip', (e) => e.innerText);
  for (const want of [
    'main (#1)',
    'suspended at await',
    'start',
    '400 µs',
    '1.00 s',
    'workers.ts:22:3',
    'worker1',
    'woken by',
  ]) {
    assert(text.includes(want), `tooltip lacks ${want}: ${text}`);
  }
  await shot(page, 'workers-hover');
  await page.mouse.move(5, 5);
  await page.close();
});

test('clicking a segment posts openSite with its await site (and selectTask)', async () => {
  const page = await open(fixture('workers'));
  const pt = await pointOf(page, 1, 3);
  await page.mouse.click(pt.x, pt.y);
  await page.waitForFunction(() => window.__posted.some((m) => m.type === 'openSite'));
  const p = await posted(page);
  eq(
    p.find((m) => m.type === 'openSite'),
    { type: 'openSite', site: { file: 'workers.ts', line: 24, column: 3 } },
    'openSite',
  );
  eq(
    p.find((m) => m.type === 'selectTask'),
    { type: 'selectTask', taskId: 1 },
    'selectTask',
  );
  // Clicking a lane label opens the creation site.
  const lbl = await pointOf(page, 2, -1);
  await page.mouse.click(lbl.x + 60, lbl.y);
  await page.waitForFunction(() => window.__posted.filter((m) => m.type === 'openSite').length === 2);
  eq(
    (await posted(page)).filter((m) => m.type === 'openSite')[1].site,
    { file: 'workers.ts', line: 19, column: 17 },
    'creation site',
  );
  await page.close();
});

test('zoom with the wheel and + / -, and 0 fits again', async () => {
  const page = await open(fixture('workers'));
  const fit = await vp(page);
  const pt = await pointOf(page, 1, 1);
  const tBefore = await api(page, (x) => window.asyncTimeline.timeAtClientX(x), pt.x);
  await page.mouse.move(pt.x, pt.y);
  await page.mouse.wheel(0, -400);
  await frame(page);
  const zoomed = await vp(page);
  assert(zoomed.msPerPx < fit.msPerPx / 1.3, `wheel zoomed in: ${fit.msPerPx} → ${zoomed.msPerPx}`);
  const tAfter = await api(page, (x) => window.asyncTimeline.timeAtClientX(x), pt.x);
  assert(
    Math.abs(tAfter - tBefore) < fit.msPerPx,
    `zoom kept the time under the pointer (${tBefore} vs ${tAfter})`,
  );
  await page.focus('canvas');
  await page.keyboard.press('-');
  const out = await vp(page);
  assert(
    Math.abs(out.msPerPx / zoomed.msPerPx - 1.5) < 1e-6,
    `- zoomed out by 1.5: ${out.msPerPx / zoomed.msPerPx}`,
  );
  await page.keyboard.press('+');
  assert(Math.abs((await vp(page)).msPerPx - zoomed.msPerPx) < 1e-9, '+ zoomed back in');
  await page.keyboard.press('0');
  await frame(page);
  assert(Math.abs((await vp(page)).msPerPx - fit.msPerPx) < 1e-9, '0 fits');
  await page.close();
});

test('dragging pans (and does not count as a click)', async () => {
  const page = await open(fixture('workers'));
  const before = await vp(page);
  const pt = await pointOf(page, 2, 1);
  await page.mouse.move(pt.x, pt.y);
  await page.mouse.down();
  await page.mouse.move(pt.x - 100, pt.y, { steps: 5 });
  await page.mouse.move(pt.x - 200, pt.y, { steps: 5 });
  await page.mouse.up();
  await frame(page);
  const after = await vp(page);
  assert(
    Math.abs(after.start - before.start - 200 * before.msPerPx) < 2 * before.msPerPx,
    `panned by 200 px: ${before.start} → ${after.start}`,
  );
  assert(!(await posted(page)).some((m) => m.type === 'openSite'), 'a drag is not a click');
  await page.keyboard.press('ArrowLeft');
  const k = await vp(page);
  assert(k.start < after.start, 'ArrowLeft pans to earlier times');
  await page.close();
});

test('keyboard: select lanes, fold subtrees, step through segments, open the source', async () => {
  const page = await open(fixture('workers'));
  await page.focus('canvas');
  await page.keyboard.press('ArrowDown');
  eq((await api(page, () => window.asyncTimeline.selection())).taskId, 1, 'first lane');
  await page.keyboard.press('ArrowDown');
  eq((await api(page, () => window.asyncTimeline.selection())).taskId, 2, 'second lane');
  await page.keyboard.press('ArrowUp');
  await page.keyboard.press(' ');
  eq(await rows(page), ['main'], 'folded');
  await shot(page, 'workers-folded');
  await page.keyboard.press(' ');
  eq((await rows(page)).length, 3, 'unfolded');
  await page.keyboard.press(']');
  await page.keyboard.press(']');
  eq(
    (await api(page, () => window.asyncTimeline.selection())).seg,
    { taskId: 1, segIndex: 1 },
    'segment selection',
  );
  await page.keyboard.press('Enter');
  eq(
    (await posted(page)).filter((m) => m.type === 'openSite').pop().site,
    { file: 'workers.ts', line: 22, column: 3 },
    'Enter opens',
  );
  await page.keyboard.press('z');
  await frame(page);
  const v = await vp(page);
  assert(v.msPerPx < 1001 / 100, `z zoomed to the segment (${v.msPerPx} ms/px)`);
  const focusVisible = await page.evaluate(
    () =>
      document.activeElement?.tagName === 'CANVAS' &&
      getComputedStyle(document.activeElement).outlineStyle !== 'none',
  );
  assert(focusVisible, 'the focused canvas shows a focus outline');
  await page.close();
});

test('filter lanes by name keeps ancestors for context', async () => {
  const page = await open(fixture('crawl'));
  eq((await rows(page)).length, 5, 'all lanes');
  await page.fill('input.filter', 'main');
  await frame(page);
  eq(await rows(page), ['main'], 'filtered');
  await page.fill('input.filter', 'crawl.ts:14');
  await frame(page);
  eq((await rows(page)).length, 5, 'filter by creation site keeps main as context');
  const matched = await api(page, () => window.asyncTimeline.rows().map((r) => r.matched));
  eq(matched, [false, true, true, true, true], 'match flags');
  await page.fill('input.filter', 'nothing-like-this');
  await frame(page);
  eq((await rows(page)).length, 0, 'no match');
  await page.fill('input.filter', '');
  await frame(page);
  eq((await rows(page)).length, 5, 'cleared');
  await page.close();
});

test('highlightSite marks the segments a line caused; revealTasks selects and shows details', async () => {
  const page = await open(fixture('crawl'));
  await send(page, { type: 'highlightSite', file: '/home/dev/project/crawl.ts', line: 9 });
  const hl = await api(page, () => window.asyncTimeline.highlights());
  eq(
    hl,
    [
      [2, [1]],
      [3, [1]],
      [4, [1]],
      [5, [1]],
    ],
    'the sleep await in every crawlPage',
  );
  await send(page, { type: 'highlightSite', file: 'crawl.ts', line: 14 });
  eq((await api(page, () => window.asyncTimeline.highlights())).length, 4, 'tasks created on line 14');
  await shot(page, 'crawl-highlight');
  await send(page, { type: 'revealTasks', taskIds: [4] });
  eq((await api(page, () => window.asyncTimeline.selection())).taskId, 4, 'revealed');
  const details = await page.$eval('.details', (e) => e.textContent);
  for (const want of [
    'crawlPage',
    '#4',
    'Created by',
    'main (#1)',
    'crawl.ts:14:35',
    'Suspensions (1)',
    '3.00 s',
    'crawl.ts:9:3',
  ]) {
    assert(details.includes(want), `details lack ${want}: ${details}`);
  }
  await page.close();
});

test('the details pane links back: parent button selects, site button opens', async () => {
  const page = await open(fixture('workers'));
  await send(page, { type: 'revealTasks', taskIds: [2] });
  await page.locator('.details').getByRole('button', { name: 'main (#1)' }).click();
  eq((await api(page, () => window.asyncTimeline.selection())).taskId, 1, 'parent selected');
  const d = await page.$eval('.details', (e) => e.textContent);
  assert(
    /Suspensions \(2\)/.test(d) && d.includes('workers.ts:24:3') && d.includes('woken by'),
    `details: ${d}`,
  );
  await page.locator('.details').getByRole('button', { name: 'workers.ts:22:3' }).click();
  eq((await posted(page)).filter((m) => m.type === 'openSite').pop().site.line, 22, 'site opened');
  await shot(page, 'workers-selected');
  await page.close();
});

/** The workers trace as it looked at time T of a live run. */
function cut(trace, T) {
  const t = structuredClone(trace);
  t.durationMs = T;
  t.tasks = t.tasks
    .filter((k) => k.created.t <= T)
    .map((k) => {
      k.segments = k.segments
        .filter((s) => s.start <= T)
        .map((s) => (s.end !== null && s.end > T ? { ...s, end: null, resumedBy: undefined } : s));
      if (k.settled && k.settled.t > T) k.settled = null;
      return k;
    });
  t.callbacks = t.callbacks.filter((c) => c.t <= T);
  t.output = t.output.filter((o) => o.t <= T);
  t.exit = null;
  return t;
}

test('live updates: lanes appear, the view follows until the user zooms, then zoom and selection stay', async () => {
  const full = fixture('workers');
  const page = await open(null);
  await send(page, { type: 'trace', trace: cut(full, 0.2), live: true });
  eq((await rows(page)).length, 2, 'two lanes at 0.2 ms');
  await send(page, { type: 'trace', trace: cut(full, 500), live: true });
  eq((await rows(page)).length, 3, 'three lanes at 500 ms');
  const v1 = await vp(page);
  await send(page, { type: 'trace', trace: cut(full, 1500), live: true });
  const v2 = await vp(page);
  assert(v2.msPerPx > v1.msPerPx * 2, 'following: the fit grows with the run');
  assert((await page.$eval('.summary', (e) => e.textContent)).startsWith('live'), 'summary says live');
  await shot(page, 'workers-live');
  await page.focus('canvas');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('+');
  const zoomed = await vp(page);
  await send(page, { type: 'trace', trace: cut(full, 1800), live: true });
  await send(page, { type: 'trace', trace: full, live: false });
  const v3 = await vp(page);
  eq(v3.msPerPx, zoomed.msPerPx, 'zoom kept');
  eq((await api(page, () => window.asyncTimeline.selection())).taskId, 1, 'selection kept');
  assert(!(await page.$eval('.summary', (e) => e.textContent)).startsWith('live'), 'finished');
  await page.close();
});

test('malformed and unknown messages are ignored', async () => {
  const page = await open(fixture('workers'));
  // post() returns once the viewer has handled every one of them, however slow the machine.
  await post(
    page,
    null,
    42,
    'trace',
    { type: 'trace' },
    { type: 'trace', live: true, trace: { format: 'nope', tasks: [] } },
    { type: 'revealTasks', taskIds: ['1'] },
    { type: 'highlightSite', file: 3, line: 1 },
    { type: 'eval', code: 'window.__bad=1' },
  );
  eq((await rows(page)).length, 3, 'still showing the trace');
  eq(await api(page, () => window.__bad), undefined, 'no message ran code');
  await send(page, { type: 'clear' });
  eq((await rows(page)).length, 0, 'clear empties');
  assert(await page.isVisible('.empty'), 'empty state visible');
  await page.close();
});

test('trace text full of HTML renders as text (no element created, no script run)', async () => {
  const xss = fixture('xss');
  const page = await open(xss);
  await page.getByRole('button', { name: /task table/i }).click();
  await page.waitForSelector('table.tasks tbody tr');
  const pt = await pointOf(page, 1, 1);
  await page.mouse.move(pt.x, pt.y);
  await page.waitForSelector('.tooltip:not([hidden])');
  await send(page, { type: 'revealTasks', taskIds: [2] });
  await page.focus('canvas');
  await page.keyboard.press('o');
  await page.keyboard.press('o');
  const res = await page.evaluate(() => ({
    xss: window.__xss,
    imgs: document.querySelectorAll('img, svg, b, iframe, object').length,
    scripts: document.querySelectorAll('script').length,
    table: document.querySelector('table.tasks').innerText,
    title: document.querySelector('.title').textContent,
    details: document.querySelector('.details').innerText,
  }));
  eq(res.xss, undefined, 'no script ran');
  eq(res.imgs, 0, 'no element created from trace text');
  eq(res.scripts, 2, 'only the harness scripts');
  assert(res.table.includes('<img src=x onerror="window.__xss=2"> (#1)'), `name shown as text: ${res.table}`);
  assert(res.details.includes('"><svg onload=window.__xss=4>:5:1'), `file shown as text: ${res.details}`);
  assert(res.title.includes('<img'), 'entry shown as text');
  await shot(page, 'xss-as-text');
  await page.close();
});

test('edge cases: rejected, pending at exit, a long blocking segment', async () => {
  const page = await open(fixture('edgeCases'));
  await page.getByRole('button', { name: /task table/i }).click();
  await page.waitForSelector('table.tasks tbody tr');
  const table = await page.$eval('table.tasks', (e) => e.innerText);
  assert(/fetchUser[\s\S]*rejected at 300\.3 ms/.test(table), 'fetchUser rejected');
  assert(/waitForever[\s\S]*pending at exit/.test(table), 'waitForever pending');
  eq(await page.$$eval('td.outcome-rejected', (t) => t.length), 2, 'rejected cells marked');
  const pt = await pointOf(page, 1, 2);
  await page.mouse.move(pt.x, pt.y);
  await page.waitForSelector('.tooltip:not([hidden])');
  const tip = await page.$eval('.tooltip', (e) => e.innerText);
  assert(tip.includes('blocking the event loop') && tip.includes('400 ms'), `blocking tooltip: ${tip}`);
  const pend = await pointOf(page, 3, 1);
  await page.mouse.move(pend.x, pend.y);
  await page.waitForFunction(() => document.querySelector('.tooltip').innerText.includes('never resumed'));
  assert((await page.$eval('.summary', (e) => e.textContent)).includes('timed out'), 'exit error in summary');
  await page.getByRole('button', { name: /task table/i }).click();
  await page.mouse.move(5, 300);
  await shot(page, 'edge-cases-light');
  await page.close();
});

test("blocking uses the host's threshold (legend says it); the writable view API needs test mode", async () => {
  // The 400 ms running segment of edgeCases blocks at 300 ms and not at 500 ms.
  const page = await open(fixture('edgeCases'), {
    name: 'threshold',
    settings: { blockingThresholdMs: 500, testMode: false },
  });
  const legend = () => page.$eval('.legend', (e) => e.innerText);
  const tipAt = async (taskId, seg) => {
    await page.mouse.move(5, 300);
    await page.waitForSelector('.tooltip', { state: 'hidden' });
    const pt = await pointOf(page, taskId, seg);
    await page.mouse.move(pt.x, pt.y);
    await page.waitForSelector('.tooltip:not([hidden])');
    return page.$eval('.tooltip', (e) => e.innerText);
  };
  assert((await legend()).includes('blocks the loop ≥ 500 ms'), `legend at 500 ms: ${await legend()}`);
  let tip = await tipAt(1, 2);
  assert(!tip.includes('blocking') && tip.includes('400 ms'), `not blocking at 500 ms: ${tip}`);
  eq(await api(page, () => typeof window.asyncTimeline.setView), 'undefined', 'no setView outside test mode');
  eq(await api(page, () => typeof window.asyncTimeline.viewport), 'function', 'read-only inspection stays');
  await send(page, { type: 'settings', blockingThresholdMs: 300, testMode: false });
  assert((await legend()).includes('blocks the loop ≥ 300 ms'), `legend at 300 ms: ${await legend()}`);
  tip = await tipAt(1, 2);
  assert(tip.includes('blocking the event loop'), `blocking at 300 ms: ${tip}`);
  eq(await api(page, () => typeof window.asyncTimeline.setView), 'undefined', 'still no setView');
  await send(page, { type: 'settings', blockingThresholdMs: 300, testMode: true });
  eq(await api(page, () => typeof window.asyncTimeline.setView), 'function', 'setView in test mode');
  await page.close();
});

test('view state is saved with setState and restored on reload', async () => {
  const page = await open(fixture('crawl'));
  await page.focus('canvas');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('+');
  await page.keyboard.press('+');
  await page.fill('input.filter', 'crawl');
  // The state is saved shortly after the last change (debounced): wait for it, not for a fixed time.
  await until(page, () => window.__state?.filter === 'crawl', null, 'the filter was never saved');
  await frame(page);
  const saved = await api(page, () => window.__state);
  const before = await vp(page);
  assert(
    saved && saved.filter === 'crawl' && saved.selectedTaskId === 2 && saved.msPerPx === before.msPerPx,
    `saved ${JSON.stringify(saved)}`,
  );
  await page.close();
  const again = await open(fixture('crawl'), { state: saved, name: 'restore' });
  const after = await vp(again);
  eq([after.msPerPx, after.start], [before.msPerPx, before.start], 'viewport restored');
  eq((await api(again, () => window.asyncTimeline.selection())).taskId, 2, 'selection restored');
  eq(await again.inputValue('input.filter'), 'crawl', 'filter restored');
  await again.close();
});

test('screenshots in light, dark and high-contrast themes; theme changes repaint', async () => {
  const page = await open(fixture('crawl'), { theme: 'light', name: 'themes' });
  await shot(page, 'crawl-light');
  const pixel = async () => {
    const buf = await page.screenshot({ clip: { x: 600, y: 200, width: 1, height: 1 } });
    return buf.toString('base64');
  };
  const light = await pixel();
  const framesBefore = await api(page, () => window.asyncTimeline.frames());
  await setTheme(page, 'dark');
  await until(page, (n) => window.asyncTimeline.frames() > n, framesBefore, 'no repaint on theme change');
  assert((await pixel()) !== light, 'canvas colours changed');
  await shot(page, 'crawl-dark');
  await send(page, { type: 'trace', trace: fixture('workers'), live: false });
  await shot(page, 'workers-dark');
  await setTheme(page, 'high-contrast');
  await send(page, { type: 'revealTasks', taskIds: [1] });
  await shot(page, 'workers-high-contrast');
  await send(page, { type: 'trace', trace: fixture('edgeCases'), live: false });
  await shot(page, 'edge-cases-high-contrast');
  await setTheme(page, 'dark');
  await shot(page, 'edge-cases-dark');
  await page.close();
});

test('the standalone HTML export works from disk (file://), with hostile text kept as text', async () => {
  const mod = await loadHtmlExport();
  const assets = {
    js: fs.readFileSync(path.join(ROOT, 'dist/webview/main.js'), 'utf8'),
    css: fs.readFileSync(path.join(ROOT, 'dist/webview/main.css'), 'utf8'),
  };
  for (const name of ['workers', 'xss']) {
    const file = path.join(tmp(), `${name}-export.html`);
    fs.writeFileSync(file, mod.buildStandaloneHtml(fixture(name), assets));
    const page = await browser.context.newPage();
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    await page.goto(`file://${file}`);
    await page.waitForFunction(() => window.asyncTimeline && window.asyncTimeline.rows().length > 0);
    const res = await page.evaluate(() => ({
      hasApi: typeof window.acquireVsCodeApi,
      xss: window.__xss,
      els: document.querySelectorAll('img, svg, iframe, b').length,
      scripts: document.querySelectorAll('script').length,
      buttons: [...document.querySelectorAll('.toolbar button')].map((b) => b.textContent),
    }));
    eq(res.hasApi, 'undefined', 'no VS Code API');
    eq(res.xss, undefined, 'no script ran');
    eq(res.els, 0, 'no elements from trace text');
    eq(res.scripts, 2, 'data block + viewer');
    assert(!res.buttons.includes('Run'), 'no host commands in standalone mode');
    if (name === 'workers') {
      eq(await rows(page), ['main', '  worker1', '  worker2'], 'lanes');
      const pt = await pointOf(page, 1, 1);
      await page.mouse.click(pt.x, pt.y);
      await page.waitForFunction(() =>
        document.querySelector('.statusbar').innerText.includes('workers.ts:22:3'),
      );
      await shot(page, 'standalone-export');
    }
    const csp = await page.evaluate(() => document.querySelector('meta[http-equiv]').content);
    assert(csp.includes("default-src 'none'") && !csp.includes('unsafe'), `strict CSP: ${csp}`);
    await page.close();
  }
});

test('a dense trace (1,000 tasks, ~100,000 events) draws with level-of-detail and stays interactive', async () => {
  const { generateBigTrace } = await import('../fixtures/traces/generateBig.mjs');
  const page = await open(null, { theme: 'dark', name: 'dense' });
  await page.evaluate((src) => {
    const trace = new Function(`return (${src})`)()({ tasks: 1000 });
    window.postMessage({ type: 'trace', trace, live: false }, '*');
  }, generateBigTrace.toString());
  await page.waitForFunction(() => window.asyncTimeline.rows().length > 0, null, { timeout: 60000 });
  await frame(page);
  // Tasks of one definition and one creator, 5 or more, fold into one row (core/timeline/laneFolds.ts):
  // every task is a row or counted in a folded row.
  const shape = await api(page, () => {
    const rows = window.asyncTimeline.rows();
    const folded = rows.filter((r) => r.fold && r.collapsed);
    return {
      rows: rows.length,
      tasks: rows.reduce((n, r) => n + (r.fold && r.collapsed ? 1 + r.hiddenCount : 1), 0),
      first: folded[0] && { taskId: folded[0].taskId, members: folded[0].fold.memberIds.length },
    };
  });
  eq(shape.tasks, 1000, 'every task is drawn or folded');
  assert(shape.rows < 1000 && shape.first, `similar tasks folded: ${shape.rows} rows`);
  // The keyboard unfolds a fold (select its row, c) and folds it again.
  await send(page, { type: 'revealTasks', taskIds: [shape.first.taskId] });
  await page.keyboard.press('c');
  await until(
    page,
    (n) => window.asyncTimeline.rows().length >= n,
    shape.rows + shape.first.members - 1,
    'unfolded',
  );
  await page.keyboard.press('c');
  await until(page, (n) => window.asyncTimeline.rows().length === n, shape.rows, 'folded again');
  await shot(page, 'dense-dark');
  // Zoom in with the wheel a few times and pan: frames keep coming, nothing throws.
  const v0 = await vp(page);
  await page.mouse.move(800, 300);
  for (let i = 0; i < 5; i++) await page.mouse.wheel(0, -300);
  await page.mouse.wheel(0, 0);
  await frame(page);
  assert((await vp(page)).msPerPx < v0.msPerPx / 2, 'zoomed in');
  // Shift+wheel scrolls lanes; a huge wheel-out stops at a few times the trace's extent.
  await page.keyboard.down('Shift');
  await page.mouse.wheel(0, 300);
  await page.keyboard.up('Shift');
  await frame(page);
  assert((await vp(page)).scrollTop > 0, 'shift+wheel scrolled the lanes');
  await page.mouse.wheel(0, 20000);
  await frame(page);
  const out = await vp(page);
  assert(out.msPerPx * (out.width - out.gutter) <= 4 * 60000 * 1.2, `zoom-out capped: ${out.msPerPx}`);
  await page.keyboard.press('0');
  for (let i = 0; i < 5; i++) await page.mouse.wheel(0, -400);
  await frame(page);
  await shot(page, 'dense-zoomed-dark');
  const times = await api(page, () => window.asyncTimeline.frameTimes());
  assert(times.length > 3, 'drew frames');
  await page.close();
});

test('a narrow webview stacks the details under the timeline', async () => {
  const page = await open(fixture('workers'), { name: 'narrow' });
  await page.setViewportSize({ width: 560, height: 520 });
  await frame(page);
  assert(!(await page.isVisible('.details')), 'no empty details pane when narrow');
  const v = await vp(page);
  assert(v.width > 500, `canvas keeps the width: ${v.width}`);
  await send(page, { type: 'revealTasks', taskIds: [1] });
  assert(await page.isVisible('.details'), 'details shown once a task is selected');
  await shot(page, 'workers-narrow');
  await page.close();
});

test('the legend keeps every entry whole at any width (it wraps, nothing is cut or hidden)', async () => {
  const page = await open(fixture('python-taskgroup_failure'), { name: 'legend' });
  for (const width of [1400, 900, 640, 420]) {
    await page.setViewportSize({ width, height: 520 });
    await frame(page);
    // every entry the page shows (the threads entry is hidden for a single-thread trace)
    const boxes = await page.$$eval('.legend .lg', (els) =>
      els
        .filter((e) => !e.closest('[hidden]'))
        .map((e) => {
          const r = e.getBoundingClientRect();
          const bar = e.closest('.statusbar').getBoundingClientRect();
          return {
            text: e.textContent,
            left: r.left,
            right: r.right,
            top: r.top,
            bottom: r.bottom,
            w: r.width,
            bar,
            vw: window.innerWidth,
          };
        }),
    );
    // five swatches, the marks (▼ ▲ ✕ »), three Python-only entries
    eq(boxes.length, 9, `legend entries at ${width}px`);
    for (const b of boxes) {
      assert(b.w > 0, `${b.text} shown at ${width}px`);
      assert(
        b.left >= 0 && b.right <= b.vw + 0.5,
        `${b.text} inside the page at ${width}px: ${b.left}–${b.right} of ${b.vw}`,
      );
      assert(
        b.top >= b.bar.top - 0.5 && b.bottom <= b.bar.bottom + 0.5,
        `${b.text} inside the status bar at ${width}px`,
      );
    }
    const h = await page.$eval('canvas', (c) => c.clientHeight);
    assert(h > 200, `the canvas keeps its height at ${width}px: ${h}`);
  }
  await shot(page, 'python-legend-narrow');
  await page.close();
});

(await import('./interaction.mjs')).registerInteractionTests({ test, open });
(await import('./groups.mjs')).registerGroupTests({ test, open });
(await import('./steps.mjs')).registerStepsTests({ test, open });

test('no CSP violations, page errors or console errors in any page', async () => {
  const page = await open(fixture('edgeCases'), { name: 'csp' });
  const csp = await api(page, () => window.__csp);
  eq(csp, [], 'CSP violations');
  eq(errors, [], 'errors');
  await page.close();
});

test('Python traces: scheduled stretches, cancelled tasks and done callbacks are drawn, named in the legend and the table', async () => {
  const page = await open(fixture('python-taskgroup_failure'));
  // The Python-only legend entries show for a Python trace (and not for the TypeScript ones).
  const legend = await page.$eval('.legend', (e) => e.innerText);
  for (const want of ['scheduled', 'done callback', 'cancelled'])
    assert(legend.includes(want), `legend lacks ${want}: ${legend}`);
  await page.getByRole('button', { name: /task table/i }).click();
  await page.waitForSelector('table.tasks tbody tr');
  const cells = await page.$$eval('table.tasks tbody tr', (trs) =>
    trs.map((tr) => [...tr.children].map((c) => c.textContent)),
  );
  const slow = cells.filter((c) => c[0].startsWith('slow'));
  eq(slow.length, 2, 'two slow tasks');
  assert(
    slow.every((c) => /^cancelled at/.test(c[3])),
    `slow outcomes ${slow.map((c) => c[3])}`,
  );
  assert(
    slow.every((c) => /scheduled .* before its first run/.test(c[6])),
    `slow waits ${slow.map((c) => c[6])}`,
  );
  assert(
    cells.some((c) => c[0].startsWith('fails') && /^rejected at/.test(c[3])),
    'fails rejected',
  );
  await page.getByRole('button', { name: /task table/i }).click();
  // Hovering a worker's first stretch (after the zero-length running one) says it was scheduled.
  const pt = await pointOf(page, 2, 1);
  await page.mouse.move(pt.x, pt.y);
  await page.waitForSelector('.tooltip:not([hidden])');
  const tip = await page.$eval('.tooltip', (e) => e.innerText);
  assert(/scheduled/.test(tip) && /created at/.test(tip), `scheduled tooltip: ${tip}`);
  await page.mouse.move(5, 300);
  await shot(page, 'python-taskgroup-light');
  await page.close();

  const crawl = await open(fixture('python-crawl'));
  await shot(crawl, 'python-crawl-light');
  // A done callback on crawl_page #2 hovers as a done callback.
  const cbs = await api(crawl, () => window.asyncTimeline.rows().length);
  eq(cbs, 5, 'crawl lanes');
  await crawl.close();
  const ts = await open(fixture('workers'));
  eq(await ts.$eval('.lg-python', (e) => e.hidden), true, 'no Python legend for a TypeScript trace');
  await ts.close();
});

test('Python details pane: asyncio task name and what a rejected task raised, also in the table', async () => {
  const page = await open(fixture('python-taskgroup_failure'));
  await send(page, { type: 'revealTasks', taskIds: [4] });
  eq((await api(page, () => window.asyncTimeline.selection())).taskId, 4, 'revealed');
  const details = await page.$eval('.details', (e) => e.innerText);
  for (const want of ['fails', 'Raised', 'ValueError: fails: something went wrong', 'asyncio name', 'Task-4'])
    assert(details.includes(want), `details lack ${want}: ${details}`);
  // The error reads in the rejected colour, not as plain text.
  const colors = await page.$eval('.details .error-text', (e) => [
    getComputedStyle(e).color,
    getComputedStyle(document.querySelector('.details .badge.rejected')).color,
  ]);
  eq(colors[0], colors[1], 'error text in the rejected colour');
  await shot(page, 'python-details-error');
  await page.getByRole('button', { name: /task table/i }).click();
  await page.waitForSelector('table.tasks tbody tr');
  const cells = await page.$$eval('table.tasks tbody tr', (trs) =>
    trs.map((tr) => [...tr.children].map((c) => c.textContent)),
  );
  const fails = cells.find((c) => c[0].startsWith('fails'));
  eq(fails[0], 'fails (#4, Task-4)', 'task cell with the asyncio name');
  assert(/^rejected at .*: ValueError: fails: something went wrong$/.test(fails[3]), `outcome ${fails[3]}`);
  await page.close();
});

let passed = 0;
let failed = 0;
// `node test/webview/run.mjs <words>`: only the tests whose name holds one of them.
const only = process.argv.slice(2);
for (const t of tests.filter((x) => !only.length || only.some((w) => x.name.includes(w)))) {
  const t0 = Date.now();
  try {
    await t.fn();
    passed++;
    console.log(`  ✓ ${t.name} (${Date.now() - t0} ms)`);
  } catch (e) {
    failed++;
    console.log(
      `  ✗ ${t.name}\n    ${String(e?.stack ?? e)
        .split('\n')
        .slice(0, 4)
        .join('\n    ')}`,
    );
  }
}
await browser.close();
cleanup();
console.log(`screenshots: ${path.relative(ROOT, ART)}/`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
