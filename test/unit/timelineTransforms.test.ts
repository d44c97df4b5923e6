import assert from 'node:assert/strict';
import { computeTimeTicks } from '../../src/core/timeline/timeTicks';
import {
  clampScroll,
  clampToExtent,
  fitTime,
  MIN_MS_PER_PX,
  panBy,
  rowToY,
  scrollRowIntoView,
  timeToX,
  toDevice,
  type Viewport,
  visibleRows,
  visibleTimeRange,
  xToTime,
  yToRow,
  zoomAt,
  zoomPan,
} from '../../src/core/timeline/viewport';

const vp: Viewport = {
  start: 100,
  msPerPx: 2,
  scrollTop: 0,
  width: 1240,
  height: 300,
  gutter: 240,
  axisHeight: 34,
  rowHeight: 26,
  dpr: 2,
};
const close = (a: number, b: number, eps = 1e-9) => assert.ok(Math.abs(a - b) <= eps, `${a} ≉ ${b}`);

describe('timeline: coordinate transforms', () => {
  it('maps trace time to CSS x and back', () => {
    assert.equal(timeToX(vp, 100), 240);
    assert.equal(timeToX(vp, 300), 340);
    for (const t of [0, 100, 123.456, 2000]) close(xToTime(vp, timeToX(vp, t)), t);
    assert.deepEqual(visibleTimeRange(vp), [100, 2100]);
  });

  it('maps rows to CSS y and back, with the axis band and scrolling', () => {
    assert.equal(rowToY(vp, 0), 34);
    assert.equal(rowToY({ ...vp, scrollTop: 13 }, 2), 34 + 52 - 13);
    assert.equal(yToRow(vp, 33), -1);
    assert.equal(yToRow(vp, 34), 0);
    assert.equal(yToRow(vp, 34 + 26 * 3 + 1), 3);
    assert.equal(yToRow({ ...vp, scrollTop: 26 }, 35), 1);
  });

  it('CSS px → device px follows devicePixelRatio and snaps', () => {
    assert.equal(toDevice(vp, 10.3), 21);
    assert.equal(toDevice({ ...vp, dpr: 1.25 }, 10), 13);
  });

  it('zooms around the pointer: the time under it stays put', () => {
    const x = 700;
    const before = xToTime(vp, x);
    const z = zoomAt(vp, 4, x);
    close(z.msPerPx, 0.5);
    close(xToTime(z, x), before, 1e-9);
    const out = zoomAt(z, 0.25, x);
    close(out.msPerPx, 2);
    close(out.start, vp.start, 1e-9);
  });

  it('pinch steps keep the content under the fingers, whichever finger moves', () => {
    // Fingers at 500 and 700 spread to 300 and 900, one finger at a time (as pointer events arrive).
    const tA = xToTime(vp, 500);
    const tB = xToTime(vp, 700);
    let z = zoomPan(vp, 400 / 200, 600, 500); // left finger 500 → 300: spread 200 → 400, mid 600 → 500
    z = zoomPan(z, 600 / 400, 500, 600); // right finger 700 → 900: spread 400 → 600, mid 500 → 600
    close(xToTime(z, 300), tA, 1e-9);
    close(xToTime(z, 900), tB, 1e-9);
    close(z.msPerPx, vp.msPerPx / 3);
    // Same spread, moved midpoint: a two-finger pan.
    const p = zoomPan(vp, 1, 600, 650);
    close(p.msPerPx, vp.msPerPx);
    close(xToTime(p, 650), xToTime(vp, 600), 1e-9);
  });

  it('clamps the zoom range', () => {
    let z = vp;
    for (let i = 0; i < 100; i++) z = zoomAt(z, 10, 500);
    assert.equal(z.msPerPx, MIN_MS_PER_PX);
  });

  it('pans by pixels', () => {
    const p = panBy(vp, 50, -10);
    assert.equal(p.start, 0);
    assert.equal(p.scrollTop, 10);
  });

  it('fits a time range with padding', () => {
    const f = fitTime(vp, 0, 2000, 0);
    close(f.msPerPx, 2);
    close(f.start, 0);
    const g = fitTime(vp, 0, 1000, 50);
    close(timeToX(g, 0), 240 + 50);
    close(timeToX(g, 1000), 1240 - 50);
  });

  it('clamps zoom-out and panning to the trace extent', () => {
    const far = clampToExtent({ ...vp, msPerPx: 1e6 }, 0, 1000);
    close(far.msPerPx, 4000 / 1000);
    const gone = clampToExtent({ ...vp, start: 1e9 }, 0, 1000);
    close(timeToX(gone, 1000), 240 + 40);
    const before = clampToExtent({ ...vp, start: -1e9 }, 0, 1000);
    close(timeToX(before, 0), 1240 - 40);
    assert.equal(clampToExtent(vp, 0, 3000), vp);
  });

  it('finds visible rows and clamps / scrolls into view', () => {
    assert.deepEqual(visibleRows(vp, 100), [0, 10]);
    assert.deepEqual(visibleRows({ ...vp, scrollTop: 260 }, 100), [10, 20]);
    assert.deepEqual(visibleRows(vp, 3), [0, 2]);
    assert.equal(clampScroll({ ...vp, scrollTop: 9999 }, 20).scrollTop, 20 * 26 - 266);
    assert.equal(clampScroll({ ...vp, scrollTop: -5 }, 20).scrollTop, 0);
    assert.equal(clampScroll({ ...vp, scrollTop: 50 }, 2).scrollTop, 0);
    assert.equal(scrollRowIntoView(vp, 20).scrollTop, 21 * 26 - 266);
    assert.equal(scrollRowIntoView({ ...vp, scrollTop: 500 }, 2).scrollTop, 52);
    assert.equal(scrollRowIntoView(vp, 1), vp);
  });
});

describe('timeline: time axis ticks and units', () => {
  it('picks a 1-2-5 step and seconds for a 2 s run', () => {
    const t = computeTimeTicks(0, 2000, 1000);
    assert.equal(t.unit, 's');
    assert.equal(t.step, 200);
    assert.deepEqual(
      t.ticks.slice(0, 3).map((k) => k.label),
      ['0.0 s', '0.2 s', '0.4 s'],
    );
    assert.equal(t.ticks.at(-1)!.label, '2.0 s');
  });

  it('uses ms and µs when zoomed in', () => {
    const ms = computeTimeTicks(1000, 1010, 1000);
    assert.equal(ms.unit, 'ms');
    assert.ok(
      ms.ticks.some((k) => k.label === '1005 ms'),
      ms.ticks.map((k) => k.label).join(),
    );
    const us = computeTimeTicks(0.001, 0.02, 1000);
    assert.equal(us.unit, 'µs');
    assert.ok(us.ticks.every((k) => /^\d+(\.\d+)? µs$/.test(k.label)));
  });

  it('keeps labels at least minSpacing apart and caps the count', () => {
    const t = computeTimeTicks(0, 12345, 800, 90);
    const px = (t.step / 12345) * 800;
    assert.ok(px >= 90, `${px}`);
    assert.ok(computeTimeTicks(0, 1e9, 1e9, 1).ticks.length <= 1000);
    assert.ok(t.minor.length > 0);
  });

});
