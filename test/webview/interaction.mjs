// Browser tests of the viewer's direct manipulation: touch pinch and pan, trackpad pinch, the
// label-column splitter, and await edges into folded lanes. Registered by run.mjs (which owns the
// browser, the page set-up and the runner); every input here is real input dispatched through the
// DevTools protocol, not synthetic DOM events.
/* global window, document */
import path from 'node:path';
import { fixture, ROOT, send, settle } from './harness.mjs';

const ART = path.join(ROOT, 'test-artifacts/webview');

function assert(cond, msg) {
  if (!cond) throw new Error(msg);
}
const near = (a, b, tol, msg) => assert(Math.abs(a - b) <= tol, `${msg}: ${a} vs ${b} (±${tol})`);

const vp = (page) => page.evaluate(() => window.asyncTimeline.viewport());
const timeAt = (page, cx) => page.evaluate((x) => window.asyncTimeline.timeAtClientX(x), cx);
const labels = (page) => page.evaluate(() => window.asyncTimeline.gutterLabels());
const span = (v) => (v.width - v.gutter) * v.msPerPx;
async function shot(page, name) {
  await settle(page);
  await page.screenshot({ path: path.join(ART, `${name}.png`) });
}

/**
 * Touch input for a page: what Playwright's `hasTouch: true` context option turns on
 * (Emulation.setTouchEmulationEnabled), then Input.dispatchTouchEvent with explicit points, so a
 * pinch is two real touch points (the suite shares one persistent context, where hasTouch cannot
 * be set per page).
 */
async function touchscreen(page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Emulation.setTouchEmulationEnabled', { enabled: true, maxTouchPoints: 5 });
  const send = (type, pts) =>
    cdp.send('Input.dispatchTouchEvent', {
      type,
      touchPoints: pts.map(([x, y], id) => ({ x, y, id, radiusX: 4, radiusY: 4, force: 1 })),
    });
  return {
    cdp,
    /** Fingers from `from` to `to` ([[x, y], …]) in `steps` moves, then lifted. */
    async gesture(from, to, steps = 8) {
      await send('touchStart', from);
      for (let s = 1; s <= steps; s++) {
        const k = s / steps;
        await send(
          'touchMove',
          from.map(([x, y], i) => [x + (to[i][0] - x) * k, y + (to[i][1] - y) * k]),
        );
      }
      await send('touchEnd', []);
      await settle(page);
    },
  };
}

/** Client coordinates of the middle of the plot area, a little below the axis. */
async function plotCentre(page) {
  const r = await page.$eval('canvas', (c) => {
    const b = c.getBoundingClientRect();
    return { left: b.left, top: b.top };
  });
  const v = await vp(page);
  return { x: r.left + v.gutter + (v.width - v.gutter) / 2, y: r.top + v.axisHeight + 40 };
}

/**
 * @param {{ test: (name: string, fn: () => Promise<void>) => void,
 *           open: (trace: unknown, opts?: object) => Promise<import('playwright-core').Page> }} suite
 */
export function registerInteractionTests({ test, open }) {
  test('touch: two fingers pinch the time range around their midpoint; one finger pans', async () => {
    const page = await open(fixture('workers'), { name: 'touch' });
    // Record what kind of pointer the viewer saw, so the test fails if the touches never arrive as touch.
    await page.evaluate(() => {
      window.__pointerTypes = [];
      document.addEventListener('pointerdown', (e) => window.__pointerTypes.push(e.pointerType), true);
    });
    assert(
      (await page.$eval('canvas', (c) => window.getComputedStyle(c).touchAction)) === 'none',
      'the canvas keeps touch gestures from the browser (touch-action: none)',
    );
    const touch = await touchscreen(page);
    const c = await plotCentre(page);
    const v0 = await vp(page);
    const t0 = await timeAt(page, c.x);
    /** Two fingers on either side of the centre, from `half0` to `half1` px away from it. */
    const fingers = (half) => [
      [c.x - half, c.y],
      [c.x + half, c.y],
    ];
    const pinch = (half0, half1) => touch.gesture(fingers(half0), fingers(half1));

    // Apart: 100 px → 300 px between the fingers zooms in 3×, the time under the midpoint stays put.
    await pinch(50, 150);
    const v1 = await vp(page);
    near(span(v1), span(v0) / 3, span(v0) * 0.02, 'pinch apart narrows the visible range 3×');
    near(await timeAt(page, c.x), t0, 2 * v1.msPerPx, 'pinch apart keeps the time under the midpoint');
    const [a, b] = [v1.start, v1.start + span(v1)];
    assert(a > v0.start && b < v0.start + span(v0), `narrowed inside the old range: [${a}, ${b}]`);

    // Together: 300 px → 100 px zooms back out, around the same midpoint.
    await pinch(150, 50);
    const v2 = await vp(page);
    near(span(v2), span(v0), span(v0) * 0.02, 'pinch together widens the range back');
    near(await timeAt(page, c.x), t0, 2 * v2.msPerPx, 'pinch together keeps the time under the midpoint');

    // One finger dragged 120 px to the left shows later times: a pan, not a zoom, and not a click.
    await touch.gesture([[c.x, c.y]], [[c.x - 120, c.y]]);
    const v3 = await vp(page);
    near(v3.msPerPx, v2.msPerPx, 1e-9, 'one finger does not zoom');
    near(v3.start - v2.start, 120 * v2.msPerPx, 2 * v2.msPerPx, 'one finger pans by its travel');
    const res = await page.evaluate(() => ({
      scale: window.visualViewport.scale,
      scroll: [window.scrollX, window.scrollY, document.scrollingElement.scrollTop],
      opened: window.__posted.filter((m) => m.type === 'openSite').length,
      types: window.__pointerTypes,
    }));
    assert(
      res.types.length === 5 && res.types.every((t) => t === 'touch'),
      `five touch pointers went down (two per pinch, one for the pan): ${res.types}`,
    );
    assert(res.scale === 1, `the page itself was not zoomed (scale ${res.scale})`);
    assert(
      res.scroll.every((n) => n === 0),
      `the page was not scrolled: ${res.scroll}`,
    );
    assert(res.opened === 0, 'a touch drag is not a tap');
    await touch.cdp.detach();
    await page.close();
  });

  test('trackpad pinch (ctrl+wheel) zooms around the pointer and neither zooms nor scrolls the page', async () => {
    const page = await open(fixture('workers'), { name: 'trackpad' });
    const cdp = await page.context().newCDPSession(page);
    const c = await plotCentre(page);
    const x = c.x - 120; // off-centre, so "around the pointer" is distinguishable from "around the middle"
    const v0 = await vp(page);
    const t0 = await timeAt(page, x);
    // What Chromium makes of a trackpad pinch: wheel events with ctrlKey set (modifiers: 2 = Ctrl).
    const wheel = (deltaY) =>
      cdp.send('Input.dispatchMouseEvent', {
        type: 'mouseWheel',
        x,
        y: c.y,
        deltaX: 0,
        deltaY,
        modifiers: 2,
      });
    for (let i = 0; i < 4; i++) await wheel(-25);
    await settle(page);
    const v1 = await vp(page);
    assert(span(v1) < span(v0) * 0.8, `pinch-out steps zoom in: ${span(v0)} → ${span(v1)} ms`);
    near(await timeAt(page, x), t0, 2 * v1.msPerPx, 'the time under the pointer stays put');
    for (let i = 0; i < 4; i++) await wheel(25);
    await settle(page);
    near(span(await vp(page)), span(v0), span(v0) * 0.02, 'pinch-in zooms back out');
    // Over the labels a plain wheel scrolls lanes, but a pinch still zooms the plot (never the page).
    const r = await page.$eval('canvas', (el) => el.getBoundingClientRect().left);
    await cdp.send('Input.dispatchMouseEvent', {
      type: 'mouseWheel',
      x: r + 40,
      y: c.y,
      deltaX: 0,
      deltaY: -50,
      modifiers: 2,
    });
    await settle(page);
    assert((await vp(page)).msPerPx < v0.msPerPx * 0.8, 'ctrl+wheel over the labels zooms');
    // Chromium's own trackpad-pinch path: a synthesized pinch gesture from a mouse-type source.
    const before = await vp(page);
    await cdp.send('Input.synthesizePinchGesture', {
      x,
      y: c.y,
      scaleFactor: 2,
      relativeSpeed: 800,
      gestureSourceType: 'mouse',
    });
    await settle(page);
    const after = await vp(page);
    assert(
      after.msPerPx < before.msPerPx * 0.8,
      `a synthesized trackpad pinch zooms: ${before.msPerPx} → ${after.msPerPx}`,
    );
    const res = await page.evaluate(() => ({
      scale: window.visualViewport.scale,
      scroll: [window.scrollX, window.scrollY, document.scrollingElement.scrollTop],
    }));
    assert(res.scale === 1, `the page itself was not zoomed (scale ${res.scale})`);
    assert(
      res.scroll.every((n) => n === 0),
      `the page was not scrolled: ${res.scroll}`,
    );
    await cdp.detach();
    await page.close();
  });

  test('the label column resizes by dragging its splitter or with the keyboard, and is restored', async () => {
    const page = await open(fixture('workers'), { name: 'splitter' });
    const sp = page.getByRole('separator', { name: 'Task label column width' });
    const aria = () =>
      page.$eval('.label-splitter', (e) =>
        ['aria-valuenow', 'aria-valuemin', 'aria-valuemax'].map((a) => Number(e.getAttribute(a))),
      );
    const v0 = await vp(page);
    const [now0, min, max] = await aria();
    assert(
      now0 === v0.gutter && min === 80 && max > 400,
      `aria values ${[now0, min, max]} (gutter ${v0.gutter})`,
    );

    // Keyboard: Home = narrowest (labels ellipsised, no room for the site), → steps 16 px.
    await sp.focus();
    await page.keyboard.press('Home');
    await settle(page);
    assert((await vp(page)).gutter === 80 && (await aria())[0] === 80, 'Home: narrowest');
    const narrow = await labels(page);
    assert(
      narrow.some((l) => l.name.endsWith('…')) && narrow.every((l) => l.site === ''),
      `narrow labels are cut: ${JSON.stringify(narrow)}`,
    );
    await page.keyboard.press('ArrowRight');
    await settle(page);
    assert((await vp(page)).gutter === 96 && (await aria())[0] === 96, 'ArrowRight: +16 px');
    const fitted = await vp(page);
    assert(span(fitted) > 2000, `a fitted view stays fitted when the column changes: ${span(fitted)} ms`);

    // Pointer: drag the splitter 300 px to the right.
    const box = await sp.boundingBox();
    const sx = box.x + box.width / 2;
    const sy = box.y + 200;
    await page.mouse.move(sx, sy);
    await page.mouse.down();
    await page.mouse.move(sx + 150, sy, { steps: 5 });
    await page.mouse.move(sx + 300, sy, { steps: 5 });
    await page.mouse.up();
    await settle(page);
    const wide = await vp(page);
    near(wide.gutter, 396, 1, 'dragged 300 px wider');
    assert((await aria())[0] === wide.gutter, 'aria-valuenow follows the drag');
    const roomy = await labels(page);
    assert(
      roomy.length === 3 && roomy.every((l) => !l.name.endsWith('…') && /^workers\.ts:\d+$/.test(l.site)),
      `wide labels show whole names and creation sites: ${JSON.stringify(roomy)}`,
    );
    near((await sp.boundingBox()).x + box.width / 2, sx + 300, 1.5, 'the splitter sits on the new edge');
    // A drag far past the bounds stops at the maximum; dragging back lands where it began.
    const b2 = await sp.boundingBox();
    await page.mouse.move(b2.x + 3, sy);
    await page.mouse.down();
    await page.mouse.move(1190, sy, { steps: 4 });
    await settle(page);
    const capped = await vp(page);
    assert(capped.gutter === (await aria())[2], `capped at aria-valuemax: ${capped.gutter}`);
    assert(capped.width - capped.gutter >= 160, 'the plot keeps its minimum');
    await page.mouse.move(b2.x + 3, sy, { steps: 4 });
    await page.mouse.up();
    await settle(page);
    near((await vp(page)).gutter, wide.gutter, 1, 'dragging back returns to the same width');
    assert(
      !(await page.evaluate(() => window.__posted.some((m) => m.type === 'openSite'))),
      'a splitter drag is not a click on a label',
    );
    await shot(page, 'workers-wide-labels');
    const csp = await page.evaluate(() => window.__csp);
    assert(csp.length === 0, `no CSP violations from sizing: ${csp}`);

    // Saved with the rest of the view state, restored on reload.
    await page.waitForFunction(() => window.__state?.gutter === 396, null, { timeout: 30_000 });
    const saved = await page.evaluate(() => window.__state);
    await page.close();
    const again = await open(fixture('workers'), { name: 'splitter-restore', state: saved, theme: 'dark' });
    assert((await vp(again)).gutter === 396, 'width restored');
    assert(
      (await again.$eval('.label-splitter', (e) => e.getAttribute('aria-valuenow'))) === '396',
      'splitter restored',
    );
    // A narrow panel clamps the width (the plot keeps its share), and widening gives it back.
    await again.setViewportSize({ width: 560, height: 520 });
    await settle(again);
    const slim = await vp(again);
    assert(
      slim.gutter <= slim.width * 0.6 && slim.width - slim.gutter >= 160,
      `clamped: ${JSON.stringify(slim)}`,
    );
    await again.setViewportSize({ width: 1200, height: 520 });
    await settle(again);
    assert((await vp(again)).gutter === 396, 'the chosen width comes back in a wide panel');
    await shot(again, 'workers-wide-labels-dark');
    await again.close();
  });

  test('await edges into a collapsed subtree go to the visible ancestor lane', async () => {
    // workers, re-parented: main ─ worker2 ─ worker1, so folding worker2 hides worker1,
    // which main awaits.
    const trace = fixture('workers');
    trace.tasks.find((t) => t.name === 'worker1').parentId = trace.tasks.find((t) => t.name === 'worker2').id;
    for (const theme of ['light', 'high-contrast']) {
      const page = await open(null, { name: `folded-${theme}`, theme });
      await send(page, { type: 'trace', trace, live: false });
      const rows = () =>
        page.evaluate(() => window.asyncTimeline.rows().map((r) => `${'  '.repeat(r.depth)}${r.name}`));
      const folded = () => page.evaluate(() => window.asyncTimeline.foldedEdges());
      assert(JSON.stringify(await rows()) === JSON.stringify(['main', '  worker2', '    worker1']), 'tree');
      assert((await folded()).length === 0, 'nothing folded yet');
      await page.focus('canvas');
      await page.keyboard.press('ArrowDown');
      await page.keyboard.press('ArrowDown');
      await page.keyboard.press(' ');
      await settle(page);
      assert(JSON.stringify(await rows()) === JSON.stringify(['main', '  worker2']), 'worker2 folded');
      const edges = await folded();
      assert(
        edges.some((e) => e.from === 1 && e.awaited === 2 && e.shownOn === 3),
        `main → worker1 drawn to worker2's lane: ${JSON.stringify(edges)}`,
      );
      await page.keyboard.press('ArrowUp'); // select main: its arrows are emphasised
      await shot(page, `workers-folded-arrows-${theme}`);
      // Close-up of the first await (main → worker1, drawn to worker2's lane) to judge the style.
      await page.evaluate(() => window.asyncTimeline.setView(-2, 0.02));
      await settle(page);
      const v = await vp(page);
      const r = await page.$eval('canvas', (el) => el.getBoundingClientRect().toJSON());
      await page.screenshot({
        path: path.join(ART, `workers-folded-arrows-${theme}-closeup.png`),
        clip: { x: r.x + v.gutter - 4, y: r.y + v.axisHeight, width: 240, height: 2 * v.rowHeight + 4 },
      });
      await page.keyboard.press('a');
      await settle(page);
      assert((await folded()).length === 0, 'arrows off: none drawn');
      await page.close();
    }
  });
}
