import assert from 'node:assert/strict';
import { hitTest, INDENT_PX } from '../../src/core/timeline/hitTest';
import { layoutLanes } from '../../src/core/timeline/laneTree';
import { indexTrace } from '../../src/core/timeline/traceIndex';
import { fitTime, rowToY, timeToX, type Viewport } from '../../src/core/timeline/viewport';
import { loadTrace } from './timelineFixtures';

const base: Viewport = {
  start: 0,
  msPerPx: 1,
  scrollTop: 0,
  width: 1240,
  height: 400,
  gutter: 240,
  axisHeight: 34,
  rowHeight: 26,
  dpr: 1,
};

describe('timeline: hit-testing', () => {
  const idx = indexTrace(loadTrace('workers'));
  const layout = layoutLanes(idx, { collapsed: new Set(), filter: '' });
  const vp = fitTime(base, 0, 2002.5, 20);
  const midY = (row: number) => rowToY(vp, row) + 13;

  it('finds the segment under the pointer', () => {
    const hit = hitTest(idx, layout, vp, timeToX(vp, 500), midY(0));
    assert.equal(hit.area, 'lane');
    if (hit.area !== 'lane') return;
    assert.equal(hit.taskId, 1);
    assert.equal(hit.segIndex, 1);
    const h2 = hitTest(idx, layout, vp, timeToX(vp, 1500), midY(2));
    assert.ok(h2.area === 'lane' && h2.taskId === 3 && h2.segIndex === 1);
  });

  it('catches a sub-pixel segment within the slop, and nothing far from any segment', () => {
    const near = hitTest(idx, layout, vp, timeToX(vp, 1001.05) + 0.5, midY(1));
    assert.ok(near.area === 'lane' && near.segIndex >= 1);
    const after = hitTest(idx, layout, vp, timeToX(vp, 1500), midY(1));
    assert.ok(after.area === 'lane' && after.segIndex === -1, 'after worker1 settled: empty lane');
  });

  it('reports the gutter and its twisty', () => {
    const g = hitTest(idx, layout, vp, 100, midY(0));
    assert.ok(g.area === 'gutter' && g.taskId === 1 && !g.onTwisty);
    const t = hitTest(idx, layout, vp, 4 + 5, midY(0));
    assert.ok(t.area === 'gutter' && t.onTwisty);
    const leaf = hitTest(idx, layout, vp, 4 + INDENT_PX + 5, midY(1));
    assert.ok(leaf.area === 'gutter' && !leaf.onTwisty, 'leaves have no twisty');
  });

  it('reports output ticks on the axis and callbacks on lanes', () => {
    const a = hitTest(idx, layout, vp, timeToX(vp, 1001.3), 20);
    assert.ok(a.area === 'axis' && a.outputIndex !== null);
    const none = hitTest(idx, layout, vp, timeToX(vp, 600), 20);
    assert.ok(none.area === 'axis' && none.outputIndex === null);
    const cb = hitTest(idx, layout, vp, timeToX(vp, 2002.1), midY(0));
    assert.ok(cb.area === 'lane' && cb.callback?.kind === 'then');
  });

  it('returns none below the last lane and outside the canvas', () => {
    assert.equal(hitTest(idx, layout, vp, 600, midY(5)).area, 'none');
    assert.equal(hitTest(idx, layout, vp, -1, 50).area, 'none');
    assert.equal(hitTest(idx, layout, vp, 600, 1000).area, 'none');
  });

  it('accounts for vertical scroll', () => {
    const scrolled = { ...vp, scrollTop: 26 };
    const hit = hitTest(idx, layout, scrolled, timeToX(vp, 500), 34 + 13);
    assert.ok(hit.area === 'lane' && hit.taskId === 2);
  });
});
