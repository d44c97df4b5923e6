import assert from 'node:assert/strict';
import {
  initialView,
  savedTimeView,
  type ViewEvent,
  type ViewModel,
  viewReducer,
} from '../../src/core/timeline/viewController';
import { plotWidth, visibleTimeRange, zoomAt } from '../../src/core/timeline/viewport';
import { VP } from './timelineFixtures';

const trace = (
  endT: number,
  live: boolean,
  sameRun = true,
  restore: { start: number; msPerPx: number } | null = null,
): ViewEvent => ({
  type: 'trace',
  startT: 0,
  endT,
  live,
  sameRun,
  restore,
});
const run = (m: ViewModel, ...events: ViewEvent[]) => events.reduce(viewReducer, m);
/** The whole [0, endT] is on screen, with some air but not a lot. */
function showsAll(m: ViewModel, endT: number): boolean {
  const [t0, t1] = visibleTimeRange(m.vp);
  return t0 < 0 && t1 > endT && t1 - t0 < endT * 1.5;
}
const userZoom = (m: ViewModel): ViewEvent => ({
  type: 'user',
  vp: zoomAt(m.vp, 4, m.vp.gutter + plotWidth(m.vp) / 2),
});

describe('timeline: view controller (fit / follow-live / free)', () => {
  it('fits on load; a finished run is fit, a live one follow-live', () => {
    const done = run(initialView(VP), trace(2000, false, false));
    assert.equal(done.mode, 'fit');
    assert.ok(showsAll(done, 2000));
    const live = run(initialView(VP), trace(100, true, false));
    assert.equal(live.mode, 'follow-live');
    assert.ok(showsAll(live, 100));
  });

  it('follows live updates until the user zooms or pans, then keeps their view', () => {
    let m = run(initialView(VP), trace(100, true, false), trace(500, true));
    assert.equal(m.mode, 'follow-live');
    assert.ok(showsAll(m, 500), 'refit to the grown trace');
    m = run(m, userZoom(m));
    assert.equal(m.mode, 'free');
    const zoomed = m.vp;
    // The user's view is mid-trace (not at the tail): updates leave it alone.
    assert.ok(visibleTimeRange(zoomed)[1] < 500);
    m = run(m, trace(900, true), trace(1200, false));
    assert.equal(m.mode, 'free');
    assert.deepEqual(m.vp, zoomed);
  });

  it('a free view showing the tail of a live run slides with it', () => {
    let m = run(initialView(VP), trace(1000, true, false));
    m = run(m, { type: 'user', vp: { ...m.vp, start: 800, msPerPx: 0.5 } });
    const before = m.vp.start;
    m = run(m, trace(1100, true));
    assert.equal(m.mode, 'free');
    assert.equal(m.vp.start, before + 100);
    assert.equal(m.vp.msPerPx, 0.5, 'zoom kept');
  });

  it('0 (fit) fits again and hands control back to follow-live', () => {
    let m = run(initialView(VP), trace(100, true, false));
    m = run(m, userZoom(m), { type: 'fit' });
    assert.equal(m.mode, 'follow-live');
    assert.ok(showsAll(m, 100));
    m = run(m, trace(300, true));
    assert.ok(showsAll(m, 300), 'following again');
    m = run(m, trace(300, false));
    assert.equal(m.mode, 'fit', 'the run ended');
  });

  it('restores a saved view as free, and saves only a view the user chose', () => {
    const m = run(initialView(VP), trace(2000, false, false, { start: 500, msPerPx: 0.25 }));
    assert.equal(m.mode, 'free');
    assert.equal(m.vp.start, 500);
    assert.equal(m.vp.msPerPx, 0.25);
    assert.deepEqual(savedTimeView(m), { start: 500, msPerPx: 0.25 });
    assert.equal(savedTimeView(run(initialView(VP), trace(2000, false, false))), null);
  });

  it('a new run starts fitted even after the user moved the last one; clear forgets the mode', () => {
    let m = run(initialView(VP), trace(100, false, false));
    m = run(m, userZoom(m), trace(5000, false, false));
    assert.equal(m.mode, 'fit');
    assert.ok(showsAll(m, 5000));
    m = run(m, userZoom(m), { type: 'clear' }, trace(50, false, false));
    assert.equal(m.mode, 'fit');
    assert.ok(showsAll(m, 50));
  });

  it('resizing and moving the label column refit a fitted view, and keep a free one', () => {
    let m = run(initialView(VP), trace(1000, false, false));
    m = run(m, { type: 'resize', width: 500, height: 300, dpr: 2, gutter: 150 });
    assert.equal(m.vp.width, 500);
    assert.ok(showsAll(m, 1000), 'refit after resize');
    m = run(m, { type: 'gutter', gutter: 300 });
    assert.equal(m.vp.gutter, 300);
    assert.ok(showsAll(m, 1000), 'refit after the splitter moved');
    m = run(m, userZoom(m));
    const free = m.vp;
    m = run(m, { type: 'resize', width: 800, height: 300, dpr: 2, gutter: 300 });
    assert.equal(m.mode, 'free');
    assert.equal(m.vp.start, free.start);
    assert.equal(m.vp.msPerPx, free.msPerPx);
  });

  it('scrolling is no choice of view: the mode stays, the time axis is kept in reach', () => {
    let m = run(initialView(VP), trace(100, true, false));
    m = run(m, { type: 'scroll', vp: { ...m.vp, scrollTop: 52 } });
    assert.equal(m.mode, 'follow-live');
    assert.equal(m.vp.scrollTop, 52);
    // A user pan far past the end is held so the trace's edge stays on screen.
    m = run(m, { type: 'user', vp: { ...m.vp, start: 1e6 } });
    assert.ok(m.vp.start < 100, `clamped start ${m.vp.start}`);
  });
});
