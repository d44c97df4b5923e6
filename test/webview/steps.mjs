// Browser tests of the Steps pane (the run told step by step, with a cursor on the lanes) and the
// critical path highlight. Keyboard only: the pane is opened, stepped and left with keys, the
// highlight toggled with its key; the tests read the page's accessibility attributes, the messages
// posted to the host, and the canvas's own pixels. Registered by run.mjs.
/* global window, document, getComputedStyle, MutationObserver */
import path from 'node:path';
import { fixture, ROOT, send, setTheme, settle } from './harness.mjs';

const ART = path.join(ROOT, 'test-artifacts/webview');

function assert(cond, msg) {
  if (!cond) throw new Error(msg);
}

const explain = (page) => page.evaluate(() => window.asyncTimeline.explain());
const posted = (page) => page.evaluate(() => window.__posted);
const active = (page) =>
  page.evaluate(() => document.activeElement?.className || document.activeElement?.tagName);
async function shot(page, name) {
  await settle(page);
  await page.screenshot({ path: path.join(ART, `${name}.png`) });
}

/** The canvas's pixel (r, g, b) at client coordinates, read from its backing store. */
function pixel(page, x, y) {
  return page.evaluate(
    ([cx, cy]) => {
      const c = document.querySelector('canvas.timeline-canvas');
      const r = c.getBoundingClientRect();
      const k = c.width / r.width;
      const d = c
        .getContext('2d')
        .getImageData(Math.round((cx - r.left) * k), Math.round((cy - r.top) * k), 1, 1).data;
      return [d[0], d[1], d[2]];
    },
    [x, y],
  );
}
/** A CSS colour as (r, g, b), resolved by the page. */
function rgb(page, cssVar) {
  return page.evaluate((v) => {
    const c = document.createElement('canvas').getContext('2d');
    c.fillStyle = getComputedStyle(document.body).getPropertyValue(v).trim();
    const hex = c.fillStyle;
    return [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  }, cssVar);
}
const dist = (a, b) => Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);

/** Tabs (real key presses) until the Steps list has the focus; fails after `max` presses. */
async function tabToSteps(page, max = 30) {
  for (let i = 0; i < max; i++) {
    if ((await active(page)) === 'steps-list') return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`Tab never reached the Steps list (at ${await active(page)})`);
}

/**
 * @param {{ test: (name: string, fn: () => Promise<void>) => void,
 *           open: (trace: unknown, opts?: object) => Promise<import('playwright-core').Page> }} suite
 */
export function registerStepsTests({ test, open }) {
  test('Steps pane, keyboard only: N opens it, . and → step, the cursor line and aria-current follow, the editor is asked to reveal each line', async () => {
    const page = await open(fixture('workers'), { name: 'steps' });
    await page.focus('canvas');
    assert((await page.$eval('aside.steps', (e) => e.hidden)) === true, 'closed at first');
    await page.keyboard.press('n');
    await settle(page);
    assert((await page.$eval('aside.steps', (e) => e.hidden)) === false, 'N opened the pane');
    assert(
      (await page.getByRole('button', { name: /run step by step/ }).getAttribute('aria-pressed')) === 'true',
      'Steps button pressed',
    );
    const options = await page.$$eval('.steps-list [role="option"]', (els) =>
      els.map((e) => e.querySelector('.steps-n').textContent),
    );
    assert(
      options.length === 12 && options[0] === '1' && options[11] === '12',
      `12 numbered steps: ${options}`,
    );
    assert((await page.$eval('.steps-list', (e) => e.getAttribute('role'))) === 'listbox', 'a listbox');
    assert((await explain(page)).cursor === null, 'no cursor before the first step');

    // From the timeline: `.` is the next step (← → stay pan keys there).
    await page.keyboard.press('.');
    await settle(page);
    let e = await explain(page);
    assert(e.cursor?.label === '1', `first step: ${JSON.stringify(e.cursor)}`);

    // In the list, → steps.
    await tabToSteps(page);
    const before = (await posted(page)).filter((m) => m.type === 'revealStep').length;
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    await settle(page);
    e = await explain(page);
    assert(e.cursor?.label === '3', `third step: ${JSON.stringify(e.cursor)}`);
    const cur = await page.$eval('.steps-list', (l) => {
      const sel = l.querySelectorAll('[aria-selected="true"]');
      const id = l.getAttribute('aria-activedescendant');
      return {
        n: sel.length,
        current: [...l.querySelectorAll('[aria-current="step"]')].map(
          (x) => x.querySelector('.steps-n').textContent,
        ),
        active: id && document.getElementById(id)?.querySelector('.steps-n').textContent,
        live: l.parentElement.querySelector('[aria-live]').textContent,
      };
    });
    assert(
      cur.n === 1 && cur.current.join() === '3' && cur.active === '3',
      `current marked: ${JSON.stringify(cur)}`,
    );
    assert(/^Step 3 of 12, at .*: /.test(cur.live), `announced: ${cur.live}`);
    const reveals = (await posted(page)).filter((m) => m.type === 'revealStep');
    assert(reveals.length === before + 2, `one revealStep per move: ${reveals.length - before}`);
    assert(
      JSON.stringify(reveals[reveals.length - 1].site) === JSON.stringify(e.cursor.site) &&
        e.cursor.site.line > 0,
      `revealStep names the step's site: ${JSON.stringify(reveals[reveals.length - 1])}`,
    );
    assert((await active(page)) === 'steps-list', 'the focus stayed in the list');

    // The cursor is painted: a line at the step's time in the empty area under the lanes.
    const v = await page.evaluate(() => window.asyncTimeline.viewport());
    const box = await page.$eval('canvas', (c) => c.getBoundingClientRect().toJSON());
    const x = await page.evaluate((t) => window.asyncTimeline.clientXOf(t), e.cursor.t);
    assert(x > box.left + v.gutter && x < box.left + v.width, `cursor in the plot: ${x}`);
    const y = box.top + v.axisHeight + 3 * v.rowHeight + 30;
    const fg = await rgb(page, '--at-fg');
    const bg = await rgb(page, '--at-bg');
    const onLine = await pixel(page, Math.round(x), y);
    const beside = await pixel(page, Math.round(x) + 8, y);
    assert(dist(onLine, fg) < dist(onLine, bg), `line painted at the cursor: ${onLine} (fg ${fg}, bg ${bg})`);
    assert(dist(beside, bg) < 30, `nothing beside it: ${beside}`);

    // ← goes back; End goes to the last step (the run's end).
    await page.keyboard.press('ArrowLeft');
    assert((await explain(page)).cursor.label === '2', 'back one');
    await page.keyboard.press('End');
    assert((await explain(page)).cursor.label === '12', 'last');
    await shot(page, 'steps-workers-light');
    // Esc hands the keys back to the timeline.
    await page.keyboard.press('Escape');
    assert((await active(page)) === 'timeline-canvas', `Esc focused the timeline: ${await active(page)}`);
    await page.close();
  });

  test('Steps pane: a zoomed-in view pans to keep the cursor in sight; the pane stays open over a reload', async () => {
    const page = await open(fixture('workers'), { name: 'steps-zoom' });
    await page.focus('canvas');
    for (let i = 0; i < 8; i++) await page.keyboard.press('+');
    await page.keyboard.press('Home');
    await page.keyboard.press('n');
    await tabToSteps(page);
    await page.keyboard.press('End');
    await settle(page);
    const e = await explain(page);
    const v = await page.evaluate(() => window.asyncTimeline.viewport());
    const plotT1 = v.start + (v.width - v.gutter) * v.msPerPx;
    assert(e.cursor.t >= v.start && e.cursor.t <= plotT1, `cursor ${e.cursor.t} in [${v.start}, ${plotT1}]`);
    assert(v.msPerPx < 1, `the zoom was kept: ${v.msPerPx} ms/px`);
    await page.waitForFunction(() => window.__state?.showSteps === true, null, { timeout: 30_000 });
    const state = await page.evaluate(() => window.__state);
    await page.close();
    const again = await open(fixture('workers'), { name: 'steps-reload', state });
    assert((await again.$eval('aside.steps', (el) => el.hidden)) === false, 'restored open');
    assert((await explain(again)).steps === 12, 'and computed for the trace');
    await again.close();
  });

  test('Steps pane: a folded step expands with Enter into numbered members the cursor walks through', async () => {
    const page = await open(fixture('crawl'), { name: 'steps-fold' });
    await page.focus('canvas');
    await page.keyboard.press('n');
    await tabToSteps(page);
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    const e = await explain(page);
    assert(e.cursor.label === '2', `on step 2: ${e.cursor.label}`);
    const folded = await page.$eval('#step-row-1', (li) => [
      li.getAttribute('aria-expanded'),
      li.textContent,
    ]);
    assert(folded[0] === 'false' && /×|alike/.test(folded[1]), `step 2 is folded: ${folded}`);
    const n0 = await page.$$eval('[role="option"]', (x) => x.length);
    await page.keyboard.press('Enter');
    const n1 = await page.$$eval('[role="option"]', (x) => x.length);
    assert(n1 === n0 + 4, `4 members shown: ${n0} → ${n1}`);
    assert(
      (await page.$eval('#step-row-1', (li) => li.getAttribute('aria-expanded'))) === 'true',
      'expanded',
    );
    await page.keyboard.press('ArrowRight');
    const m = await explain(page);
    assert(m.cursor.label === '2.1', `into the members: ${m.cursor.label}`);
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('Enter');
    assert((await page.$$eval('[role="option"]', (x) => x.length)) === n0, 'folded again');
    // A click moves the cursor too (and ▸ expands without moving it).
    await page.click('#step-row-2 .steps-text');
    assert((await explain(page)).cursor.label === '3', 'clicked step 3');
    await page.click('#step-row-1 .steps-twisty');
    assert((await page.$$eval('[role="option"]', (x) => x.length)) === n1, 'the twisty expanded it');
    assert((await explain(page)).cursor.label === '3', 'the cursor stayed on step 3');
    await page.click('#step-row-1 .steps-twisty');
    await shot(page, 'steps-crawl-folded');
    await page.close();
  });

  test('critical path, keyboard only: P highlights it (aria-pressed), dims the rest, and the table gains its column and chain', async () => {
    const page = await open(fixture('workers'), { name: 'critical' });
    await page.focus('canvas');
    // worker1's long wait for its sleep is off the path (main waited longer on worker2). Sampled on
    // the bar's top edge (a solid line; the hatching between is mostly background).
    // Near the bar's right end: its label (with a backing) sits in the middle.
    const edgeOf = (taskId, seg) =>
      page.evaluate(([id, s]) => window.asyncTimeline.pointOf(id, s), [taskId, seg]);
    const mid = await edgeOf(2, 1);
    const pt = {
      x: (await page.evaluate(() => window.asyncTimeline.clientXOf(1001))) - 2.5,
      y: mid.y - 6.75,
    };
    const bg = await rgb(page, '--at-bg');
    const dimBefore = await pixel(page, pt.x, pt.y);
    const onMid = await edgeOf(3, 1);
    const onPt = {
      x: (await page.evaluate(() => window.asyncTimeline.clientXOf(2001.5))) - 8,
      y: onMid.y + 2,
    };
    const onBefore = await pixel(page, onPt.x, onPt.y);
    await page.keyboard.press('p');
    await settle(page);
    const btn = page.getByRole('button', { name: /critical path/i });
    assert((await btn.getAttribute('aria-pressed')) === 'true', 'button pressed');
    const e = await explain(page);
    assert(
      e.critical.on && e.critical.tasks.includes(1) && e.critical.tasks.includes(3),
      `path tasks ${e.critical.tasks}`,
    );
    assert(/^critical path: main .*worker2.* of /.test(e.critical.line), `summary ${e.critical.line}`);
    const status = await page.$eval('.status-text', (s) => s.textContent);
    assert(status === e.critical.line, `the status bar says it: ${status}`);
    const dimAfter = await pixel(page, pt.x, pt.y);
    assert(dist(dimBefore, bg) > 60, `sampled a drawn edge: ${dimBefore}`);
    assert(
      dist(dimAfter, bg) < dist(dimBefore, bg) * 0.5,
      `worker1's wait dimmed: ${dimBefore} → ${dimAfter}`,
    );
    const onAfter = await pixel(page, onPt.x, onPt.y);
    // Inside the bar (the path's outline is drawn around it): the same pixel as before.
    assert(dist(onAfter, onBefore) < 10, `worker2's wait (on the path) not dimmed: ${onBefore} → ${onAfter}`);

    await page.keyboard.press('t');
    await page.waitForSelector('table.tasks tbody tr');
    await page.waitForFunction(() =>
      [...document.querySelectorAll('table.tasks thead th')].some((t) => t.textContent === 'Critical path'),
    );
    const table = await page.$eval('table.tasks', (t) => ({
      caption: t.caption.textContent,
      rows: [...t.tBodies[0].rows].map((r) => [
        r.cells[0].textContent,
        r.cells[r.cells.length - 1].textContent,
      ]),
    }));
    assert(table.caption.includes(e.critical.line), `caption lists the chain: ${table.caption}`);
    const w2 = table.rows.find((r) => r[0].startsWith('worker2'));
    assert(/^(9\d\.\d|100)% \(/.test(w2[1]), `worker2's share: ${w2}`);
    await shot(page, 'critical-workers-light');

    await page.focus('canvas');
    await page.keyboard.press('p');
    await page.waitForFunction(
      () =>
        ![...document.querySelectorAll('table.tasks thead th')].some(
          (t) => t.textContent === 'Critical path',
        ),
    );
    assert((await btn.getAttribute('aria-pressed')) === 'false', 'off again');
    const back = await pixel(page, pt.x, pt.y);
    assert(dist(back, dimBefore) < 10, `undimmed: ${back} vs ${dimBefore}`);
    await page.close();
  });

  test('Steps pane during a live run: the steps follow the trace (throttled), and at once when the run finishes', async () => {
    const page = await open(null, { name: 'steps-live' });
    await send(page, { type: 'trace', trace: fixture('workers'), live: true });
    await page.focus('canvas');
    await page.keyboard.press('n');
    await settle(page);
    assert((await explain(page)).steps === 12, 'told the live trace');
    // A live update: told again within the throttle (no fixed wait: until it happens).
    await send(page, { type: 'trace', trace: fixture('crawl'), live: true });
    await page.waitForFunction(() => window.asyncTimeline.explain().steps === 7, null, { timeout: 30_000 });
    assert((await page.$$eval('[role="option"]', (x) => x.length)) === 7, 'the list follows');
    // The run finishes: told at once, in the same message's handling.
    await send(page, { type: 'trace', trace: fixture('workers'), live: false });
    assert((await explain(page)).steps === 12, 'told at once on finish');
    await page.close();
  });

  test('Steps pane on a big trace: the page says what it computes before it is busy computing it', async () => {
    const big = { ...fixture('workers'), eventCount: 500_000 };
    const page = await open(big, { name: 'steps-big' });
    await page.evaluate(() => {
      window.__statusSeen = [];
      const el = document.querySelector('.status-text');
      new MutationObserver(() => window.__statusSeen.push(el.textContent)).observe(el, {
        childList: true,
        characterData: true,
        subtree: true,
      });
    });
    await page.focus('canvas');
    await page.keyboard.press('n');
    await page.waitForFunction(() => window.asyncTimeline.explain().steps !== null, null, {
      timeout: 30_000,
    });
    const seen = await page.evaluate(() => window.__statusSeen);
    assert(
      seen.some((t) => t === 'Telling the run step by step: 500,000 events…'),
      `announced first: ${JSON.stringify(seen)}`,
    );
    assert((await page.$eval('.status-text', (el) => el.textContent)) === '', 'and cleared after');
    assert((await page.$$eval('[role="option"]', (x) => x.length)) === 12, 'then the steps');
    await page.close();
  });

  for (const theme of ['light', 'dark', 'high-contrast']) {
    test(`Steps pane and critical path in the ${theme} theme (screenshot)`, async () => {
      const page = await open(fixture('workers'), { name: `steps-${theme}`, theme });
      await setTheme(page, theme);
      await page.focus('canvas');
      await page.keyboard.press('p');
      await page.keyboard.press('n');
      for (let i = 0; i < 6; i++) await page.keyboard.press('.');
      await settle(page);
      assert((await explain(page)).cursor.label === '6', 'on step 6');
      await shot(page, `steps-critical-${theme}`);
      await page.close();
    });
  }
}
