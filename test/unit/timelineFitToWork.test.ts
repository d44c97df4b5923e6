import assert from 'node:assert/strict';
import {
  initialView,
  MOSTLY_IDLE_SHARE,
  type ViewEvent,
  type ViewModel,
  viewReducer,
  workSpan,
} from '../../src/core/timeline/viewController';
import { visibleTimeRange } from '../../src/core/timeline/viewport';
import type { TaskRecord } from '../../src/protocol/trace';
import { r, task, trace, w } from './helpers/explainTraces';
import { VP } from './timelineFixtures';

/** A server: top-level code listens; 5 s later three requests run for 10 ms each, 100 ms apart; the run ends at 6 s. */
function server() {
  const tasks: TaskRecord[] = [];
  for (let i = 0; i < 3; i++) {
    const t = 5000 + 100 * i;
    tasks.push(
      task(i + 1, 'GET /', null, [r(t, t + 5), w(t + 5, t + 9, 3), r(t + 9, t + 10)], {
        t: t + 10,
        state: 'fulfilled',
      }),
    );
  }
  return trace(tasks, { durationMs: 6000 });
}

const run = (m: ViewModel, ...events: ViewEvent[]) => events.reduce(viewReducer, m);
const shown = (m: ViewModel) => visibleTimeRange(m.vp);

describe('core/timeline/viewController: fit to where work happened', () => {
  it('workSpan: first to last running stretch with a 5% margin, when that is under half of the run', () => {
    const span = workSpan(server(), 0, 6000)!;
    // Work 5000 → 5210 (210 ms), margin 10.5 ms each side.
    assert.ok(Math.abs(span.startT - 4989.5) < 1e-9, String(span.startT));
    assert.ok(Math.abs(span.endT - 5220.5) < 1e-9, String(span.endT));
  });

  it('workSpan: null when the work is most of the run, or there is none', () => {
    const busy = server();
    busy.durationMs = 5300;
    assert.equal(workSpan(busy, 4900, 5300), null, 'work 210 of 400 ms: not mostly idle');
    assert.ok(210 / 400 >= MOSTLY_IDLE_SHARE);
    assert.equal(workSpan(trace([]), 0, 100), null);
  });

  it('a callback or a stretch still running at the end counts as work', () => {
    const t = server();
    t.callbacks.push({ t: 5900, kind: 'then', taskId: 1, site: null });
    assert.ok(workSpan(t, 0, 6000)!.endT > 5900);
    const open = trace([task(1, 'spin', null, [r(5000, null)], null)], { durationMs: 6000 });
    assert.ok(Math.abs(workSpan(open, 0, 6000)!.endT - 6000) < 1e-9);
  });

  it('the first fit of a mostly idle run shows the work; fit again shows the whole run, and again the work', () => {
    const work = workSpan(server(), 0, 6000);
    const ev: ViewEvent = {
      type: 'trace',
      startT: 0,
      endT: 6000,
      live: false,
      sameRun: false,
      restore: null,
      work,
    };
    const m = run(initialView(VP), ev);
    assert.equal(m.mode, 'fit');
    const [a, b] = shown(m);
    assert.ok(a > 4900 && a < 4990 && b > 5220 && b < 5320, `${a}–${b}`);
    const whole = run(m, { type: 'fit' });
    const [c, d] = shown(whole);
    assert.ok(c < 0 && d > 6000, `${c}–${d}`);
    assert.equal(whole.mode, 'fit');
    const back = run(whole, { type: 'fit' });
    assert.deepEqual(shown(back), shown(m));
    // From a free view, fit goes to the work first.
    const free = run(whole, { type: 'user', vp: { ...whole.vp, start: 100 } });
    assert.deepEqual(shown(run(free, { type: 'fit' })), shown(m));
  });

  it('a resize keeps the choice; a new run fits to its work again; a live run follows the whole extent', () => {
    const work = workSpan(server(), 0, 6000);
    const ev = (sameRun: boolean, live = false): ViewEvent => ({
      type: 'trace',
      startT: 0,
      endT: 6000,
      live,
      sameRun,
      restore: null,
      work,
    });
    const whole = run(initialView(VP), ev(false), { type: 'fit' });
    const resized = run(whole, { type: 'resize', width: 800, height: 400, dpr: 1, gutter: 200 });
    assert.ok(shown(resized)[0] < 0);
    assert.ok(shown(run(resized, ev(false)))[0] > 4900);
    const live = run(initialView(VP), ev(false, true));
    assert.equal(live.mode, 'follow-live');
    assert.ok(shown(live)[0] < 0);
  });

  it('without a work span, fit behaves as before: the whole extent, every time', () => {
    const ev: ViewEvent = {
      type: 'trace',
      startT: 0,
      endT: 6000,
      live: false,
      sameRun: false,
      restore: null,
    };
    const m = run(initialView(VP), ev);
    assert.ok(shown(m)[0] < 0);
    assert.deepEqual(shown(run(m, { type: 'fit' })), shown(m));
  });
});
