// Browser tests of threads and processes in the viewer: a trace with several event loops (a main
// thread, two worker threads, a child process) draws each one's lanes under a header row that
// folds; single-thread traces have no headers. Registered by run.mjs, which owns the browser.
/* global window, document */
import path from 'node:path';
import { fixture, ROOT, send, setTheme, settle } from './harness.mjs';

const ART = path.join(ROOT, 'test-artifacts/webview');

function assert(cond, msg) {
  if (!cond) throw new Error(msg);
}
function eq(a, b, msg) {
  const sa = JSON.stringify(a);
  const sb = JSON.stringify(b);
  if (sa !== sb) throw new Error(`${msg}: expected ${sb}, got ${sa}`);
}
const rows = (page) =>
  page.evaluate(() =>
    window.asyncTimeline.rows().map((r) => `${'  '.repeat(r.depth)}${r.kind === 'group' ? `[${r.name}]` : r.name}`),
  );
async function shot(page, name) {
  await settle(page);
  await page.screenshot({ path: path.join(ART, `${name}.png`) });
}

export function registerGroupTests({ test, open }) {
  test('threads and processes: lanes grouped under a header per event loop, folding, tooltips and table', async () => {
    const page = await open(fixture('threads'));
    const shape = [
      '[main]',
      '  main',
      '    runPool',
      '  [worker 1 (pool-worker.ts)]',
      '    onMessage',
      '      crunch',
      '  [worker 2 (pool-worker.ts)]',
      '    onMessage',
      '      crunch',
      '  [node child.js (pid 4300)]',
      '    serve',
    ];
    eq(await rows(page), shape, 'rows');
    // The headers as drawn: the label in the label column; kind, pid, thread and lifetime along the row.
    const headers = await page.evaluate(() => window.asyncTimeline.groupLabels());
    eq(
      headers.map((g) => g.label),
      ['main', 'worker 1 (pool-worker.ts)', 'worker 2 (pool-worker.ts)', 'node child.js (pid 4300)'],
      'header labels',
    );
    assert(/^worker · pid 4242 · thread 1 · 10\.0 ms – 212 ms$/.test(headers[1].summary), `summary ${headers[1].summary}`);
    assert(/^process · pid 4300 · 30\.0 ms – end$/.test(headers[3].summary), `summary ${headers[3].summary}`);
    const legend = await page.$eval('.legend', (e) => e.innerText);
    assert(/▤ thread ▣ process/.test(legend), `legend names the grouping: ${legend}`);
    await shot(page, 'threads-light');

    // Hovering a header tells the thread's facts; hovering a lane names its thread.
    const hp = await page.evaluate(() => window.asyncTimeline.pointOfGroup(3));
    await page.mouse.move(hp.x, hp.y);
    await page.waitForSelector('.tooltip:not([hidden])');
    const tip = await page.$eval('.tooltip', (e) => e.innerText);
    assert(/node child\.js \(pid 4300\)/.test(tip) && /command\s+node child\.js/.test(tip) && /still running/.test(tip), `header tooltip: ${tip}`);
    const lp = await page.evaluate(() => window.asyncTimeline.pointOf(21, 1));
    await page.mouse.move(lp.x, lp.y);
    await page.waitForFunction(() => /crunch/.test(document.querySelector('.tooltip').innerText));
    const laneTip = await page.$eval('.tooltip', (e) => e.innerText);
    assert(/thread\s+worker 2 \(pool-worker\.ts\)/.test(laneTip), `lane tooltip: ${laneTip}`);

    // A click on a header folds its lanes (the count shows), a second one unfolds them.
    await page.mouse.click(hp.x, (await page.evaluate(() => window.asyncTimeline.pointOfGroup(1))).y);
    eq((await rows(page)).slice(3, 5), ['  [worker 1 (pool-worker.ts)]', '  [worker 2 (pool-worker.ts)]'], 'worker 1 folded');
    const folded = (await page.evaluate(() => window.asyncTimeline.groupLabels())).find((g) => g.groupId === 1);
    assert(folded.summary.startsWith('+2 tasks folded · worker'), `folded header counts its hidden lanes: ${folded.summary}`);
    await shot(page, 'threads-folded');
    // Revealing a task in a folded thread unfolds it (the editor's "Show in timeline").
    await send(page, { type: 'revealTasks', taskIds: [11] });
    eq(await rows(page), shape, 'unfolded by reveal');
    eq((await page.evaluate(() => window.asyncTimeline.selection())).taskId, 11, 'revealed task selected');
    const details = await page.$eval('.details', (e) => e.innerText);
    assert(/Thread \/ process\s+worker 1 \(pool-worker\.ts\)/.test(details), `details: ${details}`);

    // Keyboard: ↓ steps over header rows from lane to lane.
    await page.focus('canvas');
    await page.keyboard.press('ArrowDown');
    eq((await page.evaluate(() => window.asyncTimeline.selection())).taskId, 20, '↓ from crunch #11 skips the worker 2 header');
    // g folds the selected lane's thread from the keyboard (the selection goes with the hidden lane), g again unfolds.
    await page.keyboard.press('g');
    eq((await rows(page)).slice(6, 8), ['  [worker 2 (pool-worker.ts)]', '  [node child.js (pid 4300)]'], 'g folds worker 2');
    await send(page, { type: 'revealTasks', taskIds: [20] });
    eq(await rows(page), shape, 'unfolded again');

    // The table: one row per task (no header rows), the thread/process in its own column.
    await page.getByRole('button', { name: /task table/i }).click();
    await page.waitForSelector('table.tasks tbody tr');
    const head = await page.$$eval('table.tasks thead th', (ths) => ths.map((t) => t.textContent));
    eq(head.at(-1), 'Thread / process', 'group column');
    const cells = await page.$$eval('table.tasks tbody tr', (trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent)));
    eq(cells.length, 7, 'table rows');
    eq(cells.find((c) => c[0] === 'serve (#30)').at(-1), 'node child.js (pid 4300)', 'serve runs in the child process');
    // Header rows in the other themes (high contrast draws them with the contrast border).
    await page.getByRole('button', { name: /task table/i }).click();
    for (const theme of ['dark', 'high-contrast']) {
      await setTheme(page, theme);
      await shot(page, `threads-${theme}`);
    }
    await page.close();

    // The same page with a single-thread trace: no headers, no group legend, no group column.
    const plain = await open(fixture('workers'));
    eq(await rows(plain), ['main', '  worker1', '  worker2'], 'single-thread rows');
    eq(await plain.evaluate(() => window.asyncTimeline.groupLabels()), [], 'no headers drawn');
    eq(await plain.$eval('.lg-groups', (e) => e.hidden), true, 'no group legend');
    await plain.getByRole('button', { name: /task table/i }).click();
    await plain.waitForSelector('table.tasks tbody tr');
    eq((await plain.$$eval('table.tasks thead th', (ths) => ths.map((t) => t.textContent))).at(-1), 'Waits', 'no group column');
    await plain.close();
  });

  test('a test or npm script run is titled by what ran, the entry in its tooltip', async () => {
    const page = await open(null);
    await send(page, { type: 'trace', trace: fixture('threads'), live: false, title: 'test "math › adds" (node:test)' });
    await settle(page);
    const title = await page.$eval('.toolbar .title', (e) => [e.textContent, e.title]);
    eq(title, ['test "math › adds" (node:test)', 'test "math › adds" (node:test) — pool.ts'], 'title');
    // A plain file run after it: the entry again.
    await send(page, { type: 'trace', trace: fixture('workers'), live: false });
    await settle(page);
    eq(await page.$eval('.toolbar .title', (e) => e.textContent), 'workers.ts', 'file run title');
    await page.close();
  });
}
