import assert from 'node:assert/strict';
import { LIVE_BUDGET, RunSession } from '../../src/extension/runSession';
import type { ResultsStore } from '../../src/extension/resultsStore';
import type { RunCallbacks, RunHandle, RunOptions, RunResult } from '../../src/runner/types';
import type { Trace } from '../../src/protocol/trace';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const trace = { tasks: [], durationMs: 1, truncated: false } as unknown as Trace;

/** A run whose live snapshots take `costMs` each; the test drives onUpdate itself. */
async function liveRun(costMs: number, updates: number, everyMs: number) {
  const published: boolean[] = [];
  const store = { set: (_e: string, _t: Trace, live: boolean) => published.push(live) } as unknown as ResultsStore;
  let finish!: (r: RunResult) => void;
  let cb!: RunCallbacks;
  const handle: RunHandle = {
    pid: 1,
    done: new Promise((r) => (finish = r)),
    snapshot: () => {
      const until = Date.now() + costMs;
      while (Date.now() < until) {
        // a big trace being copied
      }
      return trace;
    },
    stop: () => {},
    eventBytes: 0,
  };
  const session = new RunSession('/w/a.ts', {} as RunOptions, async (_o, c) => ((cb = c!), handle), store, { append() {}, appendLine() {} });
  const outcome = session.run();
  await sleep(0);
  for (let i = 0; i < updates; i++) {
    cb.onUpdate!();
    await sleep(everyMs);
  }
  const liveCount = published.length;
  finish({ trace, exit: { code: 0, signal: null, reason: 'exited' } });
  await outcome;
  await sleep(50);
  return { liveCount, total: published.length, last: published[published.length - 1] };
}

describe('extension/runSession: live updates', () => {
  it('publishes every live update of a cheap trace', async () => {
    const r = await liveRun(0, 10, 5);
    // (All 10 unless the machine stalls a "free" snapshot past 5 ms; then the next one waits.)
    assert.ok(r.liveCount >= 5, `${r.liveCount} of 10`);
    assert.equal(r.last, false, 'the final trace comes last');
  });

  it('spends at most ~1/LIVE_BUDGET of the time on expensive live snapshots, and publishes nothing live after the end', async () => {
    // 40 updates over >= 400 ms, each snapshot costing 20 ms: unthrottled that is 40 snapshots (800 ms of work).
    const r = await liveRun(20, 40, 10);
    assert.ok(r.liveCount >= 1, 'the first update goes out at once');
    // Each snapshot is followed by >= (LIVE_BUDGET - 1) * 20 ms of quiet; the updates span < 40 * 30 ms.
    assert.ok(r.liveCount <= 1 + Math.ceil((40 * 30) / ((LIVE_BUDGET - 1) * 20)), `${r.liveCount} live snapshots`);
    assert.equal(r.total, r.liveCount + 1, 'only the final trace after the run ended');
    assert.equal(r.last, false);
  });
});
