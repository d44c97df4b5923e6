import assert from 'node:assert/strict';
import { computeStats, siteKey } from '../../src/core/stats';
import { blockingTrace, workersTrace } from './helpers/sampleTraces';

describe('core/stats', () => {
  it('groups suspensions by await line with count, total, max and tasks', () => {
    const s = computeStats(workersTrace());
    const byKey = new Map(s.sites.map((x) => [x.key, x]));
    const t1 = byKey.get('examples/workers.ts:22')!;
    assert.equal(t1.count, 1);
    assert.ok(Math.abs(t1.totalMs - 1000.8) < 1e-6);
    assert.deepEqual(t1.taskIds, [1]);
    assert.deepEqual(t1.suspensions[0]!.awaits, [2]);
    assert.equal(t1.suspensions[0]!.resumedBy, 2);
    assert.equal(byKey.get('examples/workers.ts:24')!.suspensions[0]!.resumedBy, 3);
    assert.deepEqual([...byKey.keys()].sort(), [
      'examples/workers.ts:14',
      'examples/workers.ts:22',
      'examples/workers.ts:24',
      'examples/workers.ts:8',
    ]);
  });

  it('computes per-task running vs suspended totals', () => {
    const s = computeStats(workersTrace());
    const main = s.tasks.find((t) => t.name === 'main')!;
    assert.ok(Math.abs(main.runningMs - 0.6) < 1e-6, String(main.runningMs));
    assert.ok(Math.abs(main.suspendedMs - 2002.4) < 1e-6);
    assert.equal(main.yields, 2);
    assert.ok(Math.abs(main.lifetimeMs - 2003) < 1e-6);
    assert.equal(s.totals.tasks, 3);
    assert.equal(s.totals.yields, 4);
  });

  it('aggregates per function definition and per creation site', () => {
    const s = computeStats(workersTrace());
    const w2 = s.functions.find((f) => f.name === 'worker2')!;
    assert.equal(w2.key, 'examples/workers.ts:12');
    assert.equal(w2.calls, 1);
    assert.equal(w2.yields, 1);
    const c = s.creations.find((x) => x.key === 'examples/workers.ts:20')!;
    assert.deepEqual(
      c.tasks.map((t) => [t.id, t.name, t.state]),
      [[3, 'worker2', 'fulfilled']],
    );
  });

  it('counts repeated and pending suspensions at one line, and the max when it differs', () => {
    const s = computeStats(blockingTrace());
    const line3 = s.sites.find((x) => x.key === 'src/app.ts:3')!;
    assert.equal(line3.count, 3);
    assert.equal(line3.pending, 1);
    assert.equal(line3.maxMs, 208); // the open one runs to durationMs (500)
    assert.equal(line3.totalMs, 100 + 189 + 208);
    assert.equal(s.sites.find((x) => x.key === 'src/app.ts:11')!.suspensions[0]!.threw, true);
    assert.equal(s.functions.find((f) => f.name === 'crunch')!.rejected, 1);
  });

  it('finds running stretches over the threshold, where they began and whom they delayed', () => {
    const s = computeStats(blockingTrace());
    assert.equal(s.blocking.length, 1);
    const b = s.blocking[0]!;
    assert.equal(b.taskName, 'crunch');
    assert.equal(b.durationMs, 130);
    assert.deepEqual(b.site, { file: 'src/app.ts', line: 11, column: 3 }); // resumed from the await on line 11
    assert.deepEqual(b.delayedTaskIds, [1]); // poller resumed 1 ms after crunch let go
    assert.equal(b.delayMs, 131);
    assert.equal(computeStats(blockingTrace(), { blockingThresholdMs: 200 }).blocking.length, 0);
    assert.equal(computeStats(workersTrace()).blocking.length, 0);
  });

  it('blames the callee, not the caller, for a stretch spent in a synchronous call', () => {
    const t = blockingTrace();
    // poller (task 1) calls crunch synchronously during a 135 ms running stretch that contains crunch's 130 ms.
    t.tasks[0]!.segments.splice(2, 1, { state: 'running', start: 158, end: 293 });
    t.tasks[0]!.segments[1]!.end = 158;
    t.tasks[0]!.segments[3]!.start = 293;
    const s = computeStats(t);
    assert.deepEqual(
      s.blocking.map((b) => b.taskName),
      ['crunch'],
    );
    assert.equal(computeStats(blockingTrace()).blocking[0]!.delayedTaskIds.length, 1);
  });

  it('does not count tasks that were waiting on something slower as delayed', () => {
    const t = blockingTrace();
    t.tasks[0]!.segments[3]!.end = 400; // poller's timer fired long after crunch ended
    t.tasks[0]!.segments[4] = { state: 'running', start: 400, end: 401 };
    t.tasks[0]!.segments[5]!.start = 401;
    const b = computeStats(t).blocking[0]!;
    assert.deepEqual(b.delayedTaskIds, []);
    assert.equal(b.delayMs, 0);
  });

  it('keys sites by file and line', () => {
    assert.equal(siteKey({ file: 'a.ts', line: 3 }), 'a.ts:3');
  });
});
